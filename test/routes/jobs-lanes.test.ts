/**
 * Jobs on the job lane, seen from the pages: ten rebuilds do not hold up an app page, the ones
 * waiting say "queued", and Cancel asks dokku to stop a deploy where it runs (builds:cancel) or
 * says plainly when it cannot.
 */
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { join } from 'node:path'
import { LocalTransport, simulatorCli, type Transport } from '../../src/dokku/transport.js'
import { build, login } from '../helpers/build.js'
import { commandsRun, jobId } from '../helpers/history.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

async function until (check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (check()) return
    await sleep(10)
  }
  throw new Error(`gave up waiting for ${what}`)
}

async function start (app: FastifyInstance, cookie: string, name: string, action: string): Promise<number> {
  const res = await app.inject({ method: 'POST', url: `/apps/${name}/${action}`, headers: { cookie, 'hx-request': 'true', ...FORM }, payload: '' })
  if (res.statusCode !== 202) throw new Error(`${action} ${name}: ${res.statusCode} ${res.body.slice(0, 200)}`)
  return jobId(res)
}

t.test('ten rebuilds: two run, eight wait as queued, and an app page is answered meanwhile', async (t) => {
  // Slow enough that every rebuild outlasts the page view.
  const { app } = await build(t, { simulator: { DOKKU_SIM_APPS: '10', DOKKU_SIM_STEP_MS: '400' } })
  const cookie = await login(app)
  const names = Array.from({ length: 10 }, (_, i) => `app-${String(i + 1).padStart(3, '0')}`)
  const ids: number[] = []
  for (const name of names) ids.push(await start(app, cookie, name, 'rebuild'))
  await until(() => app.hosts.default.runner.lanes.job.running === 2, 'two rebuilds running')
  t.equal(app.hosts.default.runner.lanes.job.queued, 8)

  const page = await app.inject({ url: '/apps/node-js-app', headers: { cookie } })
  t.equal(page.statusCode, 200, 'the page did not wait for a job slot')
  t.equal(app.hosts.default.runner.lanes.job.queued, 8, 'while all eight were still waiting')

  const queued = ids[9]!
  const panel = await app.inject({ url: `/jobs/${queued}`, headers: { cookie, 'hx-request': 'true' } })
  t.match(panel.body, /data-job-status="queued"/)
  t.match(panel.body, /Queued: waiting for a free job slot/)
  t.equal(app.history.getRow(queued)!.status, 'queued')

  const cancel = await app.inject({ method: 'POST', url: `/jobs/${queued}/cancel`, headers: { cookie, ...FORM }, payload: '' })
  t.equal(cancel.statusCode, 303)
  await until(() => app.jobs.get(queued)?.status === 'cancelled', 'the queued job to end')
  t.match(app.jobs.get(queued)!.output, /Cancelled Rebuild app-010 before it started/)
  t.equal(app.history.getRow(queued)!.status, 'cancelled')
  t.notOk(app.history.getRow(queued)!.command.startsWith('dokku '), 'it never ran: its row never learnt a command line')

  for (const id of ids) await app.jobs.cancel(id)
  await app.jobs.drain()
  t.ok(ids.every((id) => ['cancelled', 'success'].includes(app.jobs.get(id)!.status)))
})

t.test('cancelling a rebuild asks dokku to stop it where it runs', async (t) => {
  const { app } = await build(t, { simulator: { DOKKU_SIM_STEP_MS: '300' } })
  const cookie = await login(app)
  const id = await start(app, cookie, 'node-js-app', 'rebuild')
  await until(() => app.jobs.get(id)?.status === 'running' && app.jobs.get(id)!.output.includes('Cleaning up'), 'the rebuild to stream')
  const res = await app.inject({ method: 'POST', url: `/jobs/${id}/cancel`, headers: { cookie, 'hx-request': 'true', ...FORM }, payload: '' })
  t.match(JSON.parse(res.headers['hx-trigger'] as string).toast.message, /dokku stopped Rebuild node-js-app on the server \(builds:cancel: Killing app deploy\)/)
  await app.jobs.drain()
  const job = app.jobs.get(id)!
  t.equal(job.status, 'cancelled')
  t.match(job.output, /\[docklight\] dokku stopped Rebuild node-js-app on the server/)
  t.same(commandsRun(app, /builds:cancel/), ['dokku builds:cancel node-js-app'])
  t.equal(app.history.getRow(id)!.status, 'cancelled')
  const again = await start(app, cookie, 'node-js-app', 'rebuild')
  await app.jobs.cancel(again)
  await app.jobs.drain()
  t.equal(app.jobs.get(again)!.status, 'cancelled', 'the killed deploy left no live lock behind')
})

t.test('a restart holds no deploy lock: locally dokku is stopped here, and the panel says why', async (t) => {
  const { app } = await build(t, { simulator: { DOKKU_SIM_STEP_MS: '300' } })
  const cookie = await login(app)
  const id = await start(app, cookie, 'node-js-app', 'restart')
  await until(() => app.jobs.get(id)?.status === 'running', 'the restart to run')
  const verdict = await app.jobs.cancel(id)
  t.same(verdict, { abort: true, message: "Stopping dokku's process for Restart node-js-app here (builds:cancel says: App not currently deploying)." })
  await app.jobs.drain()
  t.equal(app.jobs.get(id)!.status, 'cancelled')
})

t.test('over SSH, a command dokku cannot stop runs to its end, and Cancel says so', async (t) => {
  // The simulator behind a transport that says it is remote, as SshTransport does.
  const sim = new LocalTransport(simulatorCli(), { DOKKU_SIM_STATE: join(t.testdirName, 'remote-sim.json'), DOKKU_SIM_STEP_MS: '150' })
  const remote: Transport = { description: 'remote simulator', remote: true, prepare: (args) => sim.prepare(args) }
  const { app } = await build(t, { transport: remote })
  const cookie = await login(app)
  const id = await start(app, cookie, 'node-js-app', 'restart')
  await until(() => app.jobs.get(id)?.status === 'running', 'the restart to run')
  const verdict = await app.jobs.cancel(id)
  t.same(verdict, { abort: false, message: 'dokku cannot stop Restart node-js-app on the server (builds:cancel says: App not currently deploying): it runs to its end.' })
  await app.jobs.drain()
  const job = app.jobs.get(id)!
  t.equal(job.status, 'success', 'not claimed as cancelled')
  t.match(job.output, /\[docklight\] dokku cannot stop Restart node-js-app on the server/)

  const stop = await start(app, cookie, 'python-app', 'stop')
  const plain = await app.jobs.cancel(stop)
  t.match(plain?.message ?? 'already finished', /dokku has no way to stop Stop python-app on the server once it has started|already finished/)
  await app.jobs.drain()
})

t.test('dokku before 0.38 has no builds:cancel: nothing is asked of it', async (t) => {
  const { app } = await build(t, { simulator: { DOKKU_SIM_STEP_MS: '300', DOKKU_SIM_VERSION: '0.37.0' } })
  const cookie = await login(app)
  const id = await start(app, cookie, 'node-js-app', 'rebuild')
  await until(() => app.jobs.get(id)?.status === 'running', 'the rebuild to run')
  const verdict = await app.jobs.cancel(id)
  t.same(verdict, { abort: true, message: "Stopping dokku's process for Rebuild node-js-app here (this dokku is older than 0.38, which has no builds:cancel)." })
  await app.jobs.drain()
  t.same(commandsRun(app, /builds:cancel/), [])
  t.equal(app.jobs.get(id)!.status, 'cancelled')
})
