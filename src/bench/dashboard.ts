/**
 * Dashboard benchmark (`npm run bench`): how many dokku calls the dashboard and an app page cost
 * and how long they take to render, for 10 and 100 simulated apps with every dokku call taking
 * 200 ms, compared with the time of one call. Not part of the tests: timings vary by machine.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../app.js'
import { loadConfig } from '../config.js'
import type { Db } from '../db/database.js'
import { createSeedState, writeStateFile } from '../dokku/simulator/index.js'
import { LocalTransport, simulatorCli } from '../dokku/transport.js'
import { runSshBench } from './ssh.js'

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 200)
const APP_COUNTS = (process.env.BENCH_APPS ?? '10,100').split(',').map(Number)
const PASSWORD = 'benchmark-password'

interface Row { apps: number; page: string; calls: number; ms: number; ratio: number }

/** What history stores per successful read: the row's bytes, and output (none). */
function historyBytesPerRead (db: Db): { row: number; output: number; reads: number } {
  const r = db.prepare(`SELECT count(*) AS reads,
      avg(length(command) + coalesce(length(label), 0) + coalesce(length(error), 0) + length(createdAt) +
          coalesce(length(finishedAt), 0) + length(host) + length(kind) + length(origin) + coalesce(length(cmdGroup), 0) +
          length(coalesce(app, '')) + 8 * 4) AS row,
      coalesce((SELECT sum(length(o.stdout) + length(o.stderr)) FROM command_output o JOIN command_history h USING (id)
                WHERE h.kind = 'read' AND h.status = 'success'), 0) AS output
    FROM command_history WHERE kind = 'read' AND status = 'success'`).get() as { reads: number; row: number; output: number }
  return { reads: r.reads, row: Math.round(r.row), output: r.reads > 0 ? Math.round(r.output / r.reads) : 0 }
}

async function measure (apps: number, oneCallMs: number | null): Promise<{ rows: Row[]; oneCallMs: number; historyBytesPerRead: ReturnType<typeof historyBytesPerRead> }> {
  const dir = mkdtempSync(join(tmpdir(), 'docklight-bench-'))
  try {
    const statePath = join(dir, 'sim.json')
    await writeStateFile(statePath, createSeedState({ now: Date.now() / 1000, extraApps: apps, onlyGenerated: true }))
    const config = loadConfig({ DOCKLIGHT_PASSWORD: PASSWORD, DOCKLIGHT_DATA_DIR: dir })
    const app = await buildApp(config, {
      logger: false,
      transport: new LocalTransport(simulatorCli(), { DOKKU_SIM_STATE: statePath, DOKKU_SIM_LATENCY_MS: String(LATENCY_MS) }),
      health: { sampleMs: 50 }
    })
    await app.ready()
    try {
      const login = await app.inject({ method: 'POST', url: '/login', payload: { password: PASSWORD } })
      const cookie = `session=${login.cookies.find((c) => c.name === 'session')!.value}`
      await app.serverHealth.read()

      const timed = async (fn: () => Promise<unknown>) => {
        const before = app.history.list({ limit: 500 }).length
        const started = performance.now()
        await fn()
        return { ms: performance.now() - started, calls: app.history.list({ limit: 500 }).length - before }
      }
      // One plain call, end to end (spawn + latency + parse): the median of three.
      await app.hosts.default.dokku.version()
      const samples = [] as number[]
      for (let i = 0; i < 3; i++) samples.push((await timed(() => app.hosts.default.dokku.listApps())).ms)
      const one = oneCallMs ?? samples.sort((a, b) => a - b)[1]!
      const get = (url: string) => async () => {
        const res = await app.inject({ url, headers: { cookie } })
        if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`)
      }
      const cold = await timed(get('/'))
      const warm = await timed(get('/'))
      app.hosts.default.cache.clear()
      const overview = await timed(get('/apps/app-001'))
      const rows: Row[] = [
        { apps, page: 'dashboard, cold', ...cold, ratio: cold.ms / one },
        { apps, page: 'dashboard, cached', ...warm, ratio: warm.ms / one },
        { apps, page: 'app overview, cold', ...overview, ratio: overview.ms / one }
      ]
      if (apps >= 11) {
        // Ten rebuilds fill the job lane (two run, eight queue); an app page's reads must not wait.
        const jobs: number[] = []
        for (let i = 1; i <= 10; i++) {
          const res = await app.inject({ method: 'POST', url: `/apps/app-${String(i).padStart(3, '0')}/rebuild`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
          jobs.push(Number(/\/jobs\/(\d+)/.exec(String(res.headers.location))?.[1]))
        }
        // Measured once the two running rebuilds stream (past their start), as a page meets them.
        for (let i = 0; i < 200 && jobs.filter((id) => (app.jobs.get(id)?.output ?? '') !== '').length < 2; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        app.hosts.default.cache.clear()
        const before = app.history.list({ limit: 1 })[0]?.id ?? 0
        const started = performance.now()
        await get('/apps/app-011')()
        const ms = performance.now() - started
        const reads = app.history.list({ limit: 500, kind: 'reads' }).filter((r) => r.id > before).length
        rows.push({ apps, page: 'app page, 10 rebuilds', calls: reads, ms, ratio: ms / one })
        for (const id of jobs) await app.jobs.cancel(id)
        await app.jobs.drain()
      }
      return { rows, oneCallMs: one, historyBytesPerRead: historyBytesPerRead(app.db) }
    } finally {
      await app.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function main (): Promise<void> {
  const rows: Row[] = []
  let one: number | null = null
  let history: ReturnType<typeof historyBytesPerRead> | null = null
  for (const apps of APP_COUNTS) {
    const result = await measure(apps, one)
    one = result.oneCallMs
    history = result.historyBytesPerRead
    rows.push(...result.rows)
  }
  process.stdout.write(`Dokku latency per call: ${LATENCY_MS} ms; one call end to end: ${one!.toFixed(0)} ms\n\n`)
  process.stdout.write('apps  page                 dokku calls   time (ms)   x one call\n')
  for (const r of rows) {
    process.stdout.write(`${String(r.apps).padStart(4)}  ${r.page.padEnd(20)} ${String(r.calls).padStart(11)} ${r.ms.toFixed(0).padStart(11)} ${r.ratio.toFixed(2).padStart(12)}\n`)
  }
  process.stdout.write(`\nHistory per successful read: ${history!.row} bytes of row, ${history!.output} bytes of output (over ${history!.reads} reads)\n`)
  // SSH with and without the master connection, and two hosts with one hanging (src/bench/ssh.ts).
  const multiHost = await runSshBench(LATENCY_MS)
  process.stdout.write(`\n${JSON.stringify({ latencyMs: LATENCY_MS, oneCallMs: Math.round(one!), historyBytesPerRead: history, rows: rows.map((r) => ({ ...r, ms: Math.round(r.ms), ratio: Number(r.ratio.toFixed(2)) })), ...multiHost })}\n`)
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
})
