/**
 * Demo mode runs two simulated hosts, demo-a and demo-b, each the bundled simulator (in process,
 * as the demo runs it) on its own state file and seed: different apps on each, shown together.
 */
import t from 'tap'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { login, PASSWORD } from './helpers/build.js'

t.test('the demo: two hosts with different apps, and demo-b\'s k3s cluster', async (t) => {
  const dataDir = t.testdir({})
  const config = loadConfig({ DOCKLIGHT_DEMO: '1', DOCKLIGHT_PASSWORD: PASSWORD, DOCKLIGHT_DATA_DIR: dataDir })
  const app = await buildApp(config, { logger: false, health: { sampleMs: 5 } })
  t.teardown(() => app.close())
  await app.ready()
  t.same(app.hosts.list.map((h) => h.name), ['demo-a', 'demo-b'])
  const cookie = await login(app)

  const home = await app.inject({ url: '/', headers: { cookie } })
  t.equal(home.statusCode, 200)
  t.match(home.body, /node-js-app/, 'demo-a\'s apps')
  t.match(home.body, /storefront/, 'demo-b\'s apps')
  t.match(home.body, /\/hosts\/demo-b\/apps\/storefront/, 'each linked on its own host')
  t.notMatch(home.body, /\/hosts\/demo-a\/apps\/storefront|\/hosts\/demo-b\/apps\/node-js-app/, 'and only there')
  t.ok(existsSync(join(dataDir, 'simulator-demo-a.json')) && existsSync(join(dataDir, 'simulator-demo-b.json')), 'a state file per host')

  const b = (await app.inject({ url: '/hosts/demo-b/server', headers: { cookie } })).body
  t.match(b, /<tr data-node="dokku-b">/)
  t.match(b, /<tr data-scheduler="k3s">[\s\S]*?search/)
  const a = (await app.inject({ url: '/hosts/demo-a/server', headers: { cookie } })).body
  t.match(a, /This host runs no k3s cluster/)
})
