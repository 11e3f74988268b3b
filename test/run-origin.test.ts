/**
 * Every history row says where its run came from: the request's origin reaches the runner
 * through async context (page, API, webhook), a job's own follow-up runs are the job's, and
 * background work names itself (the watchdog).
 */
import t from 'tap'
import { build, login } from './helpers/build.js'
import { withOrigin } from '../src/run-context.js'

t.test('origins: page, webhook, api, job and watchdog', async (t) => {
  const { app: server } = await build(t)
  const cookie = await login(server)
  const last = () => server.history.list({ limit: 1, kind: 'all' })[0]!

  await server.inject({ url: '/apps/node-js-app', headers: { cookie } })
  t.equal(server.history.list({ limit: 5, kind: 'reads' }).every((r) => r.origin === 'page'), true, 'a page view')

  await withOrigin('watchdog', () => server.hosts.default.dokku.listApps())
  t.match(last(), { origin: 'watchdog', kind: 'read' })

  const job = server.hosts.default.startJob({
    app: 'node-js-app',
    label: 'Restart and look',
    run: async (ctx) => {
      await server.hosts.default.dokku.restart('node-js-app', ctx)
      await server.hosts.default.dokku.appReport('python-app')
    }
  })
  await server.jobs.drain()
  t.match(server.history.getRow(job.id), { kind: 'job', origin: 'page' }, 'the job itself: whoever started it (no request here: the default)')
  t.match(last(), { command: 'dokku apps:report python-app --format json', origin: 'job' }, "a job's follow-up read is the job's")

  await withOrigin('webhook', async () => {
    const hooked = server.hosts.default.startJob({ app: 'python-app', label: 'Deploy from a webhook', run: (ctx) => server.hosts.default.dokku.restart('python-app', ctx) })
    await server.jobs.drain()
    t.match(server.history.getRow(hooked.id), { kind: 'job', origin: 'webhook' })
  })
})

// Stand-ins for routes that later work adds under /hooks and /api/v1: each runs one dokku read.
t.test('the request hook carries the origin into handlers', async (t) => {
  const { buildApp } = await import('../src/app.js')
  const { loadConfig } = await import('../src/config.js')
  const { InProcessSimulatorTransport } = await import('../src/dokku/simulator/index.js')
  const dir = t.testdir({})
  const config = loadConfig({ DOCKLIGHT_PASSWORD: 'correct horse battery staple', DOCKLIGHT_DATA_DIR: dir })
  const app = await buildApp(config, { logger: false, transport: new InProcessSimulatorTransport({ DOKKU_SIM_STATE: `${dir}/sim.json`, DOKKU_SIM_STEP_MS: '0' }) })
  t.teardown(() => app.close())
  const probes = [['/hooks', 'webhook'], ['/api/v1', 'api']] as const
  for (const [prefix] of probes) {
    app.get(`${prefix}/probe`, { config: { public: true } }, async () => {
      await new Promise((resolve) => setImmediate(resolve))
      await app.hosts.default.dokku.listApps()
      return { ok: true }
    })
  }
  for (const [prefix, origin] of probes) {
    t.equal((await app.inject({ url: `${prefix}/probe` })).statusCode, 200)
    t.equal(app.history.list({ limit: 1 })[0]!.origin, origin, `${prefix}: ${origin}`)
  }
})
