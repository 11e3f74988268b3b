/**
 * The simulator's scheduler commands against the reference (app-settings.md §11, the fixtures
 * in test/fixtures/dokku/scheduler), and demo host b's seed.
 */
import t from 'tap'
import { createSeedState } from '../../../src/dokku/simulator/seed.js'
import type { SimState } from '../../../src/dokku/simulator/state.js'
import { fixture as dokkuFixture } from '../parsers/fixture.js'
import { makeSim, NOW } from './helpers.js'

/** Two apps as in the fixtures: `api` on the default scheduler, `search` set to k3s. */
function twoApps (s: SimState): void {
  const b = createSeedState({ now: NOW, seed: 'b' })
  s.apps = { api: b.apps.api!, search: b.apps.search! }
}

/** The reference's two nodes (§11.3): the server dokku runs on and a plain worker. */
function referenceCluster (s: SimState): void {
  s.k3s = {
    nodes: [
      { name: 'worker-1', roles: [], ready: true, remoteHost: 'root@10.0.0.12', version: 'v1.33.4+k3s1' },
      { name: 'dokku-main', roles: ['control-plane', 'etcd', 'master'], ready: true, remoteHost: '', version: 'v1.33.4+k3s1' }
    ]
  }
}

t.test('scheduler:report, for every app at once and for one, as dokku prints it', async (t) => {
  const sim = await makeSim(t, { setup: twoApps })
  t.same(await sim.run('scheduler:report'), { code: 0, stdout: dokkuFixture('scheduler/report-all.txt'), stderr: '' })
  t.same(await sim.run('scheduler:report', 'search'), { code: 0, stdout: dokkuFixture('scheduler/report.txt'), stderr: '' })
  t.same(await sim.run('scheduler:report', 'search', '--scheduler-computed-selected'), { code: 0, stdout: 'k3s\n', stderr: '' })
  t.same(await sim.run('scheduler:report', 'api', '--scheduler-selected'), { code: 0, stdout: '\n', stderr: '' }, 'an empty value is an empty line')
  const json = JSON.parse((await sim.run('scheduler:report', 'search', '--format', 'json')).stdout) as Record<string, string>
  t.match(json, { 'computed-selected': 'k3s', 'scheduler-computed-selected': 'k3s', selected: 'k3s', 'global-selected': '' }, 'stripped keys and the legacy ones (0.38.8+)')
  t.match(await sim.run('scheduler:report', 'ghost'), { code: 20, stderr: ' !     App ghost does not exist\n' })
  const global = await sim.run('scheduler:report', '--global')
  t.match(global.stdout, /^=====> --global scheduler information\n {7}Scheduler computed selected: {3}docker-local\n/)
  t.notMatch(global.stdout, /Scheduler selected:/, 'no app-only keys')
})

t.test('scheduler:report follows the version: the 0.26 layout, and no command before it', async (t) => {
  const old = await makeSim(t, { setup: twoApps, env: { DOKKU_SIM_VERSION: '0.30.0' } })
  t.same(await old.run('scheduler:report'), { code: 0, stdout: dokkuFixture('scheduler/report-0.26.txt'), stderr: '' })
  const older = await makeSim(t, { setup: twoApps, env: { DOKKU_SIM_VERSION: '0.25.0' } })
  t.match(await older.run('scheduler:report'), { code: 1, stderr: /`scheduler:report` is not a dokku command/ })
})

t.test('scheduler:report with no apps warns on stderr and exits 0', async (t) => {
  const sim = await makeSim(t, { setup: (s) => { s.apps = {} } })
  t.same(await sim.run('scheduler:report'), { code: 0, stdout: '', stderr: dokkuFixture('scheduler/report-none.stderr.txt') })
})

t.test('scheduler-k3s:cluster:list: the nodes as text and JSON, and the refusals', async (t) => {
  const sim = await makeSim(t, { setup: referenceCluster })
  t.same(await sim.run('scheduler-k3s:cluster:list'), { code: 0, stdout: dokkuFixture('scheduler/cluster-list.txt'), stderr: '' }, 'the reference\'s table, sorted by name')
  const one = await makeSim(t, { setup: (s) => { referenceCluster(s); s.k3s!.nodes = s.k3s!.nodes.filter((n) => n.name === 'dokku-main') } })
  t.same(await one.run('scheduler-k3s:cluster:list', '--format', 'json'), { code: 0, stdout: dokkuFixture('scheduler/cluster-list.json'), stderr: '' }, 'the reference\'s JSON')
  t.match(await sim.run('scheduler-k3s:cluster:list', '--format', 'xml'), { code: 1, stderr: ' !     Invalid format: xml\n' })

  const none = await makeSim(t)
  t.same(await none.run('scheduler-k3s:cluster:list', '--format', 'json'), { code: 1, stdout: '', stderr: dokkuFixture('scheduler/cluster-no-k3s.stderr.txt') }, 'no kubeconfig: no client')
  const down = await makeSim(t, { setup: (s) => { referenceCluster(s); s.k3s!.apiDown = true } })
  t.same(await down.run('scheduler-k3s:cluster:list', '--format', 'json'), { code: 1, stdout: '', stderr: dokkuFixture('scheduler/cluster-unavailable.stderr.txt') })
})

t.test('scheduler-k3s:cluster:list was cluster-list before 0.37.0, with no alias either way', async (t) => {
  const v036 = await makeSim(t, { setup: referenceCluster, env: { DOKKU_SIM_VERSION: '0.36.0' } })
  t.equal((await v036.run('scheduler-k3s:cluster-list')).stdout, dokkuFixture('scheduler/cluster-list.txt'))
  t.match(await v036.run('scheduler-k3s:cluster:list'), { code: 1, stderr: /is not a dokku command/ })
  const current = await makeSim(t, { setup: referenceCluster })
  t.match(await current.run('scheduler-k3s:cluster-list'), { code: 1, stderr: /is not a dokku command/ })
  const v033 = await makeSim(t, { env: { DOKKU_SIM_VERSION: '0.33.0' } })
  t.same(await v033.run('scheduler-k3s:cluster-list'), { code: 1, stdout: '', stderr: dokkuFixture('scheduler/cluster-not-installed-0.33.stderr.txt') })
  const v032 = await makeSim(t, { setup: referenceCluster, env: { DOKKU_SIM_VERSION: '0.32.0' } })
  t.match(await v032.run('scheduler-k3s:cluster-list'), { code: 1, stderr: /is not a dokku command/ })
})

t.test('ps:report of an app on k3s counts its pods and has no container rows', async (t) => {
  const sim = await makeSim(t, { setup: twoApps })
  const out = (await sim.run('ps:report', 'search')).stdout
  t.match(out, /Processes: {24}3\n/)
  t.match(out, /Running: {26}true\n/)
  t.notMatch(out, /Status/, 'status rows are docker-local\'s')
  t.match((await sim.run('ps:report', 'api')).stdout, /Status web 1: +running \(CID: /, 'a docker-local app keeps them')
})

t.test('seed a is unchanged by the option; seed b is another host', async (t) => {
  t.same(createSeedState({ now: NOW, seed: 'a' }), createSeedState({ now: NOW }))
  const a = createSeedState({ now: NOW })
  t.notOk(a.k3s, 'host a has no cluster')
  t.notOk(Object.values(a.apps).some((app) => app.scheduler), 'and no scheduler settings')
  const b = createSeedState({ now: NOW, seed: 'b' })
  t.same(createSeedState({ now: NOW, seed: 'b' }), b, 'deterministic')
  t.same(Object.keys(b.apps).sort(), ['api', 'queue-worker', 'reports', 'search', 'storefront'])
  t.same(Object.keys(a.apps).filter((n) => n in b.apps), [], 'no app name in common')
  t.same(b.plugins.filter((p) => !p.core).map((p) => p.name), ['letsencrypt', 'postgres', 'redis'])
  t.same(Object.keys(b.services).sort(), ['postgres', 'redis'])
  t.equal(b.k3s?.nodes.length, 3)
  t.equal(Object.keys(createSeedState({ now: NOW, seed: 'b', extraApps: 3 }).apps).length, 8, 'generated apps too')

  // DOKKU_SIM_SEED picks the seed of a new state file.
  const sim = await makeSim(t, { lazy: true, env: { DOKKU_SIM_SEED: 'b' } })
  t.equal((await sim.run('--quiet', 'apps:list')).stdout, 'api\nqueue-worker\nreports\nsearch\nstorefront\n')
  t.match((await sim.run('scheduler:report', 'search', '--scheduler-computed-selected')).stdout, 'k3s')
  t.match((await sim.run('ps:report', 'queue-worker', '--running')).stdout, 'mixed', 'one worker was killed')
  t.match((await sim.run('ps:report', 'reports', '--restore')).stdout, 'false', 'reports was stopped on purpose')
  t.match((await sim.run('postgres:list')).stdout, /api-db/)
  t.match(await sim.run('mysql:list'), { code: 1, stderr: /is not a dokku command/ }, 'no mysql on b')
})
