/**
 * Route tests run the simulator in process (test/helpers/build.ts). Here the same pages come
 * from the spawned simulator, one child per dokku call as in production, and must be the same;
 * and a cancelled rebuild is stopped by dokku signalling a real process group.
 */
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { existsSync } from 'node:fs'
import { simulatorCli } from '../../src/dokku/transport.js'
import { build, login } from '../helpers/build.js'
import { commandsRun, jobId } from '../helpers/history.js'

const skip = existsSync(simulatorCli()) ? false : 'dist/dokku/simulator/cli.js not built'

/** One page of each area. */
const PAGES = [
  '/',
  '/apps/node-js-app',
  '/apps/node-js-app/config',
  '/apps/node-js-app/domains',
  '/apps/node-js-app/logs',
  '/letsencrypt',
  '/databases',
  '/databases/postgres/lollipop',
  '/plugins'
]

/** What may differ between two apps: Docklight's own row ids, times and durations. */
const normalise = (body: string) => body
  .replace(/\/(history|jobs)\/\d+/g, '/$1/N')
  .replace(/data-job-id="\d+"/g, 'data-job-id="N"')
  .replace(/(<a href="\/history\/N">)[^<]*</g, '$1WHEN<')
  .replace(/<td>[\d.]+ m?s<\/td>/g, '<td>TOOK</td>')

async function pages (app: FastifyInstance): Promise<Record<string, { status: number, body: string }>> {
  const cookie = await login(app)
  const out: Record<string, { status: number, body: string }> = {}
  for (const url of PAGES) {
    const res = await app.inject({ url, headers: { cookie } })
    out[url] = { status: res.statusCode, body: normalise(res.body) }
  }
  return out
}

t.test('every area\'s page is the same from the spawned simulator as from the in-process one', { skip }, async (t) => {
  // One clock for both simulators, so that dates and log lines agree.
  const simulator = { DOKKU_SIM_NOW: String(Math.floor(Date.now() / 1000)) }
  // No host figures (they change from one reading to the next): the gauges say "unknown".
  const health = { procRoot: '/nonexistent', diskPath: '/nonexistent' }
  const spawned = await build(t, { spawn: true, simulator, health })
  const inProcess = await build(t, { simulator, health })
  const fromSpawned = await pages(spawned.app)
  const fromInProcess = await pages(inProcess.app)
  for (const url of PAGES) {
    t.equal(fromSpawned[url]!.status, 200, url)
    t.equal(fromInProcess[url]!.body, fromSpawned[url]!.body, `${url}: same page`)
  }
  t.ok(commandsRun(spawned.app, /^dokku /).length >= PAGES.length, 'the spawned simulator answered')
})

t.test('cancelling a rebuild: builds:cancel stops the real deploy process', { skip }, async (t) => {
  const { app } = await build(t, { spawn: true, simulator: { DOKKU_SIM_STEP_MS: '300' } })
  const cookie = await login(app)
  const form = { cookie, 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' }
  const res = await app.inject({ method: 'POST', url: '/apps/node-js-app/rebuild', headers: form, payload: '' })
  t.equal(res.statusCode, 202)
  const id = jobId(res)
  for (let i = 0; i < 1000 && !app.jobs.get(id)!.output.includes('Cleaning up'); i++) await sleep(10)
  const cancel = await app.inject({ method: 'POST', url: `/jobs/${id}/cancel`, headers: form, payload: '' })
  t.match(JSON.parse(String(cancel.headers['hx-trigger'])).toast.message, /dokku stopped Rebuild node-js-app on the server \(builds:cancel: Killing app deploy\)/)
  await app.jobs.drain()
  t.equal(app.jobs.get(id)!.status, 'cancelled')
  t.notMatch(app.jobs.get(id)!.output, /Application deployed/, 'the deploy did not run to its end')
})
