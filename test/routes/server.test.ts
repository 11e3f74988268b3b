/**
 * The server page of a host (dokku's version, its schedulers and k3s cluster) and the scheduler
 * on an app's overview, against the simulator: host a (no cluster), host b (an app on k3s, a
 * three-node cluster), a cluster whose API is down, a section dokku refuses, and two hosts.
 */
import t from 'tap'
import { join } from 'node:path'
import { InProcessSimulatorTransport } from '../../src/dokku/simulator/in-process.js'
import { FailingTransport } from '../helpers/failing-transport.js'
import { build, login } from '../helpers/build.js'
import { editSimState } from '../helpers/simulator-state.js'

const hx = (cookie: string) => ({ cookie, 'hx-request': 'true' })

t.test('host a: the dokku version, every app on docker-local, and no k3s cluster', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ url: '/server', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.match(res.body, /<title>Server · Docklight<\/title>/)
  t.match(res.body, /<dt>Version<\/dt><dd>0\.38\.27/)
  t.match(res.body, /<tr data-scheduler="docker-local">[\s\S]*?go-worker[\s\S]*?node-js-app[\s\S]*?static-site/, 'all five apps on docker-local')
  t.notMatch(res.body, /data-scheduler="k3s"/)
  t.match(res.body, /id="k3s-none">This host runs no k3s cluster \(dokku: Unable to create kubernetes client: stat \/etc\/rancher\/k3s\/k3s\.yaml: no such file or directory\)/)
  t.match(res.body, /<a href="\/server">Server<\/a>/, 'the header links to it')
  const commands = app.history.list({ limit: 50, kind: 'all' }).map((r) => r.command)
  t.ok(commands.includes('dokku scheduler:report'), 'one scheduler:report for every app')
  t.ok(commands.includes('dokku scheduler-k3s:cluster:list --format json'))

  const frag = await app.inject({ url: '/server', headers: hx(cookie) })
  t.equal(frag.statusCode, 200)
  t.notMatch(frag.body, /<html/, 'htmx gets the fragment')
  t.match(frag.body, /id="server-scheduler"/)
})

t.test('host b: an app on k3s shows its scheduler, and the server page lists the cluster\'s nodes', async (t) => {
  const { app } = await build(t, { simulator: { DOKKU_SIM_SEED: 'b' } })
  const cookie = await login(app)
  const page = (await app.inject({ url: '/server', headers: { cookie } })).body
  t.match(page, /<tr data-scheduler="docker-local">[\s\S]*?api[\s\S]*?storefront/)
  t.match(page, /<tr data-scheduler="k3s">[\s\S]*?<a href="\/apps\/search">search<\/a>/)
  t.match(page, /3 nodes, <strong>1 not ready<\/strong>/)
  t.match(page, /<tr data-node="dokku-b">[\s\S]*?ready[\s\S]*?control-plane, etcd, master[\s\S]*?v1\.33\.4\+k3s1/)
  t.match(page, /<tr data-node="worker-2">[\s\S]*?not ready[\s\S]*?root@10\.0\.0\.22/)

  const search = await app.inject({ url: '/apps/search', headers: { cookie } })
  t.equal(search.statusCode, 200)
  t.match(search.body, /<dt>Scheduler<\/dt><dd class="app-scheduler"><span class="badge scheduler-k3s">k3s<\/span> <a class="small" href="\/server#server-scheduler">cluster nodes<\/a>/)
  const api = await app.inject({ url: '/apps/api', headers: { cookie } })
  t.match(api.body, /<dd class="app-scheduler"><span class="badge scheduler-docker-local">docker-local<\/span><\/dd>/)
  const reads = app.history.list({ limit: 100, kind: 'all' }).filter((r) => r.command === 'dokku scheduler:report')
  t.equal(reads.length, 1, 'the server page and both overviews shared one cached scheduler:report')
})

t.test('a cluster whose API does not answer is a warning with dokku\'s words; the rest of the page stands', async (t) => {
  const { app, dataDir } = await build(t, { simulator: { DOKKU_SIM_SEED: 'b' } })
  const cookie = await login(app)
  await app.hosts.default.dokku.listApps()
  await editSimState(dataDir, (s) => { s.k3s!.apiDown = true })
  const page = (await app.inject({ url: '/server', headers: { cookie } })).body
  t.match(page, /id="k3s-unavailable">The cluster does not answer: kubernetes api not available, cannot list cluster nodes: Get &quot;https:\/\/127\.0\.0\.1:6443\/version&quot;/)
  t.match(page, /data-scheduler="k3s"/, 'the apps\' schedulers are still shown')
  t.match(page, /<dt>Version<\/dt>/)
})

t.test('a section dokku refuses shows dokku\'s message, and the other sections still render', async (t) => {
  const dir = t.testdir({})
  const transport = new FailingTransport(dir, (args) => args[0] === 'scheduler:report' ? { stderr: ' !     scheduler plugin is broken\n', code: 1 } : null)
  const { app } = await build(t, { transport })
  const cookie = await login(app)
  const res = await app.inject({ url: '/server', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.match(res.body, /Could not read the schedulers: scheduler plugin is broken/)
  t.match(res.body, /<dt>Version<\/dt><dd>0\.38\.27/)
  t.ok(app.history.list({ limit: 50, kind: 'all' }).some((r) => r.command === 'dokku scheduler:report' && r.status === 'failed'), 'and history has the failed read')

  // The overview goes on without the scheduler.
  const overview = await app.inject({ url: '/apps/node-js-app', headers: { cookie } })
  t.equal(overview.statusCode, 200)
  t.notMatch(overview.body, /app-scheduler/)
})

t.test('each host has its own server page, and its links stay on that host', async (t) => {
  const dir = t.testdir({})
  const { app } = await build(t, {
    env: { DOCKLIGHT_HOSTS: 'alpha=local beta=dokku@beta.example.com' },
    transports: {
      alpha: new InProcessSimulatorTransport({ DOKKU_SIM_STATE: join(dir, 'alpha.json'), DOKKU_SIM_STEP_MS: '0' }),
      beta: new InProcessSimulatorTransport({ DOKKU_SIM_STATE: join(dir, 'beta.json'), DOKKU_SIM_STEP_MS: '0', DOKKU_SIM_SEED: 'b' })
    }
  })
  const cookie = await login(app)
  const beta = (await app.inject({ url: '/hosts/beta/server', headers: { cookie } })).body
  t.match(beta, /<tr data-node="worker-1">/)
  t.match(beta, /<a href="\/hosts\/beta\/apps\/search">search<\/a>/, 'app links stay on beta')
  t.match(beta, /<a href="\/hosts\/beta\/server">Server<\/a>/, 'so does the header\'s')
  t.match(beta, /<h1>Server <span class="muted">beta<\/span><\/h1>/)
  const alpha = (await app.inject({ url: '/server', headers: { cookie } })).body
  t.match(alpha, /This host runs no k3s cluster/)
  t.notMatch(alpha, /data-node=/)
  t.match((await app.inject({ url: '/hosts/nowhere/server', headers: { cookie } })).statusCode, 404)
})
