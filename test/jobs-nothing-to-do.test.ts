/**
 * dokku's soft refusals (exit 0 with a warning, nothing changed) end a job as "nothing to do",
 * not as a success: a restart of an app that was never deployed, a start of a running app.
 */
import t from 'tap'
import { build, login } from './helpers/build.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

t.test('restart of an undeployed app, start of a running one: nothing to do', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  for (const [url, why] of [
    ['/apps/static-site/restart', 'App static-site has not been deployed'],
    ['/apps/node-js-app/start', 'App node-js-app already running']
  ] as const) {
    const res = await app.inject({ method: 'POST', url, headers: { cookie, 'hx-request': 'true', ...FORM }, payload: '' })
    t.equal(res.statusCode, 202)
    await app.jobs.drain()
    const id = Number(/data-job-id="(\d+)"/.exec(res.body)![1])
    const job = app.jobs.get(id)!
    t.equal(job.status, 'skipped', url)
    t.equal(job.error, why)
    t.match(app.history.getRow(id), { status: 'skipped', error: why, exitCode: 0 })
    const panel = await app.inject({ url: `/jobs/${id}`, headers: { cookie, 'hx-request': 'true' } })
    t.match(panel.body, new RegExp(`Nothing to do: ${why}\\.`))
    t.notMatch(panel.body, /Finished successfully/)
  }
  const restart = await app.inject({ method: 'POST', url: '/apps/node-js-app/restart', headers: { cookie, 'hx-request': 'true', ...FORM }, payload: '' })
  await app.jobs.drain()
  t.equal(app.jobs.get(Number(/data-job-id="(\d+)"/.exec(restart.body)![1]))!.status, 'success', 'a real restart is still a success')
})
