import t from 'tap'
import WebSocket from 'ws'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance } from 'fastify'
import { LocalTransport } from '../src/dokku/transport.js'
import type { JobSpec } from '../src/jobs/manager.js'
import { build, login } from './helpers/build.js'

const fake = fileURLToPath(new URL('./fixtures/bin/fake-dokku', import.meta.url))

function spec (app: FastifyInstance, args: string[], extra: Partial<JobSpec> = {}): JobSpec {
  return {
    host: 'local',
    remote: false,
    app: 'web',
    label: 'Restart web',
    command: `dokku ${args.join(' ')}`,
    redact: (s) => s.replace(/SECRET=\S+/g, 'SECRET=<redacted>'),
    run: (ctx) => app.hosts.default.runner.run('dokku', {
      args, app: 'web', historyId: ctx.historyId, onOutput: ctx.onOutput, onStart: ctx.onStart, signal: ctx.signal,
      redactOutput: (s) => s.replace(/SECRET=\S+/g, 'SECRET=<redacted>')
    }),
    ...extra
  }
}

t.test('a job runs in the background, streams redacted output and lands in history', async (t) => {
  const { app } = await build(t, { transport: new LocalTransport(fake) })
  const cookie = await login(app)
  const job = app.jobs.start(spec(app, ['slow-lines']))
  t.equal(job.status, 'running')

  const running = await app.inject({ url: `/jobs/${job.id}`, headers: { cookie } })
  t.equal(running.statusCode, 200)
  t.match(running.body, /data-job-status="running"/)
  t.match(running.body, /<noscript><meta http-equiv="refresh"/, 'pages without script refresh themselves')

  t.throws(() => app.jobs.start(spec(app, ['warn'], { label: 'Rebuild web' })), { name: 'AppBusyError', statusCode: 409 })
  t.equal(app.jobs.runningFor('local', 'web')?.id, job.id)

  await app.jobs.drain()
  const done = app.jobs.get(job.id)!
  t.equal(done.status, 'success')
  t.equal(done.exitCode, 0)
  t.equal(done.output, 'line 1 SECRET=<redacted>\nline 2 SECRET=<redacted>\nline 3 SECRET=<redacted>\ndone\n', 'ANSI stripped, secrets redacted')
  const row = app.history.get(job.id)!
  t.equal(row.kind, 'job')
  t.equal(row.label, 'Restart web')
  t.equal(row.status, 'success')
  t.notMatch(row.stdout, /hunter2/)

  const page = await app.inject({ url: `/jobs/${job.id}`, headers: { cookie } })
  t.match(page.body, /Finished successfully/)
  t.notMatch(page.body, /<noscript><meta/)
  t.equal(app.jobs.runningFor('local', 'web'), undefined, 'the app is free again')
})

t.test('a failed job shows dokku\'s message and exit code; a crashed body still closes its row', async (t) => {
  const { app } = await build(t, { transport: new LocalTransport(fake) })
  const cookie = await login(app)
  const failed = app.jobs.start(spec(app, ['fail']))
  await app.jobs.drain()
  const page = await app.inject({ url: `/jobs/${failed.id}?poll=1`, headers: { cookie, 'hx-request': 'true' } })
  t.match(page.body, /App nope does not exist/)
  t.match(page.body, /exit code 20/)
  t.match(page.body, /data-job-announce="1"/, 'a polled panel that finished announces it')
  t.notMatch(page.body, /<html/)

  const crashed = app.jobs.start({ ...spec(app, []), run: async () => { throw new Error('dokku is not installed') } })
  await app.jobs.drain()
  t.equal(app.jobs.get(crashed.id)!.status, 'error')
  t.equal(app.history.get(crashed.id)!.status, 'error')
  t.equal(app.history.get(crashed.id)!.error, 'dokku is not installed')
})

t.test('finished jobs from an earlier process are read from history', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const id = app.history.start({ command: 'dokku ps:restart web', app: 'web', kind: 'job', label: 'Restart web' })
  app.history.finish(id, { status: 'failed', exitCode: 1, stdout: '\u001b[31mred\u001b[0m <b>', stderr: '', error: null, durationMs: 5 })
  const res = await app.inject({ url: `/jobs/${id}`, headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.match(res.body, /red &lt;b&gt;/, 'output is escaped and ANSI-free')
  const plain = app.history.start({ command: 'dokku apps:list' })
  t.equal((await app.inject({ url: `/jobs/${plain}`, headers: { cookie } })).statusCode, 404, 'a plain command is not a job')
  t.equal((await app.inject({ url: '/jobs/99999', headers: { cookie } })).statusCode, 404)
  t.equal((await app.inject({ url: '/jobs/abc', headers: { cookie } })).statusCode, 400)
})

t.test('cancel stops a running job', async (t) => {
  const { app } = await build(t, { transport: new LocalTransport(fake) })
  const cookie = await login(app)
  const pidFile = t.testdir({}) + '/pid'
  const job = app.jobs.start(spec(app, ['sleep-tree', pidFile]))
  const res = await app.inject({ method: 'POST', url: `/jobs/${job.id}/cancel`, headers: { cookie } })
  t.equal(res.statusCode, 303)
  await app.jobs.drain()
  t.equal(app.jobs.get(job.id)!.status, 'cancelled')
  const again = await app.inject({ method: 'POST', url: `/jobs/${job.id}/cancel`, headers: { cookie } })
  t.match(String(again.headers['hx-trigger']), /already finished/)
})

t.test('the websocket streams a job live, then says done', async (t) => {
  const { app } = await build(t, { transport: new LocalTransport(fake) })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const cookie = await login(app)
  const job = app.jobs.start(spec(app, ['slow-lines']))

  const messages: Array<{ type: string; text?: string; status?: string }> = []
  await new Promise<void>((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/jobs/${job.id}/ws`, { headers: { cookie, origin: `http://127.0.0.1:${port}` } })
    ws.on('open', () => ws.send('garbage that must be ignored {'))
    ws.on('message', (m) => messages.push(JSON.parse(m.toString())))
    ws.on('close', () => resolve())
    ws.on('error', reject)
  })
  t.equal(messages[0]!.type, 'snapshot')
  t.match(messages[1], { type: 'status', status: 'running' }, 'a panel rendered while the job was queued learns that it runs')
  const text = messages.filter((m) => m.type !== 'done').map((m) => m.text).join('')
  t.match(text, /line 1 SECRET=<redacted>\n/)
  t.match(text, /line 3 SECRET=<redacted>\ndone\n/)
  t.ok(messages.filter((m) => m.type === 'output').length >= 2, 'output arrived in pieces, live')
  t.match(messages.at(-1), { type: 'done', status: 'success' })

  // A finished job: snapshot + done at once.
  const after: string[] = []
  await new Promise<void>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/jobs/${job.id}/ws`, { headers: { cookie } })
    ws.on('message', (m) => after.push(JSON.parse(m.toString()).type))
    ws.on('close', () => resolve())
  })
  t.same(after, ['snapshot', 'done'])

  const code = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/jobs/424242/ws`, { headers: { cookie } })
    ws.on('close', (c) => resolve(c))
  })
  t.equal(code, 4404)
})
