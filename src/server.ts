import { setFlagsFromString } from 'node:v8'
import { buildApp } from './app.js'
import { ConfigError, loadConfig } from './config.js'

/**
 * How far V8 lets the heap grow past what the last full collection kept, as a percentage.
 * Left to itself V8 grows it by 1.5–4×: after a few thousand page views a heap of 25 MB of live
 * objects stood at 95 MB, most of it garbage not yet collected, and RSS at 170 MB. At 20 % it
 * collects sooner, each collection is small (the live heap is), and RSS after load stays near
 * 100 MB for about the same CPU per request (npm run bench; bench/notes.md). V8 reads this flag
 * at every collection, so setting it here covers every way of starting the server (npm start,
 * systemd, the Dockerfile, the Procfile). It is set once the server listens: while boot loads
 * its modules the heap only grows, and collecting it every 20 % of the way slowed the start.
 */
const HEAP_GROWING_PERCENT = 20

async function main (): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`docklight: ${err.message}\n`)
      process.exit(78)
    }
    throw err
  }

  // The watchdog checks every host in the background from the start (issue 11).
  const app = await buildApp(config, { watchdog: { start: true } })
  let closing = false
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      if (closing) return
      closing = true
      app.log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down')
      // No new connections; open ones (a job's live stream) go on while jobs get their grace.
      // Then app.close() cancels what is left, ends the log tails and every dokku process,
      // and closes the database.
      app.server.close()
      const deadline = setTimeout(() => {
        process.stderr.write('docklight: shutdown took too long; exiting\n')
        process.exit(1)
      }, config.shutdownGraceMs + 20_000)
      deadline.unref()
      app.close().then(() => process.exit(0), (err: unknown) => {
        process.stderr.write(`docklight: shutdown failed: ${err instanceof Error ? err.message : String(err)}\n`)
        process.exit(1)
      })
    })
  }

  await app.listen({ port: config.port, host: config.host })
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
  // The validators of routes nobody asked for yet, compiled now that requests are answered.
  void app.warmValidators().then((refused) => {
    for (const err of refused) app.log.error({ err }, 'a route schema does not compile')
  })
  const bound = app.server.address()
  const port = typeof bound === 'object' && bound !== null ? bound.port : config.port
  const url = `http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port}/`
  if (config.demo) {
    process.stdout.write(`Docklight demo (simulated Dokku hosts: ${app.hosts.list.map((h) => h.name).join(', ')}) at ${url}\n`)
    if (config.generatedPassword) process.stdout.write(`Password for this run: ${config.password}\n`)
  } else {
    const hosts = app.hosts.list.map((h) => `${h.name}: ${h.transport.description}`).join('; ')
    process.stdout.write(`Docklight listening at ${url} (${hosts})\n`)
  }
}

main().catch((err) => {
  process.stderr.write(`docklight: could not start: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
