import t from 'tap'
import { DokkuClient } from '../../../src/dokku/client.js'
import { k3sClusterList, schedulerReportAll } from '../../../src/dokku/commands/scheduler.js'
import { DokkuError } from '../../../src/dokku/errors.js'
import { parseVersion } from '../../../src/dokku/parsers/version.js'
import { fixture } from '../parsers/fixture.js'
import { FakeRunner } from './fake-runner.js'
import { V } from './versions.js'

const ok = (stdout: string) => ({ stdout, stderr: '', exitCode: 0 })
const failed = (stderr: string) => ({ stdout: '', stderr, exitCode: 1 })

t.test('scheduler:report: one text call for every app; no plugin before 0.26 is an answer', async (t) => {
  const spec = schedulerReportAll()
  t.same(spec.args, ['scheduler:report'], 'no app, no --format json (it would not name the apps)')
  t.equal(spec.kind, 'read')
  const parsed = spec.parse(ok(fixture('scheduler/report-all.txt')))
  t.ok(parsed.installed && parsed.apps.length === 2)
  t.same(spec.parse({ stdout: '', stderr: fixture('scheduler/report-none.stderr.txt'), exitCode: 0 }), { installed: true, apps: [] })
  const missing = failed(' !     `scheduler:report` is not a dokku command.\n !     See `dokku help` for a list of available commands.\n')
  t.ok(spec.acceptFailure?.(missing))
  t.same(spec.parse(missing), { installed: false })
})

t.test('cluster:list: the name by version, JSON, and what a refusal means', async (t) => {
  t.same(k3sClusterList(V.current)?.args, ['scheduler-k3s:cluster:list', '--format', 'json'])
  t.same(k3sClusterList(parseVersion('dokku version 0.36.4\n'))?.args, ['scheduler-k3s:cluster-list', '--format', 'json'])
  t.same(k3sClusterList(parseVersion('dokku version 0.33.0\n'))?.args, ['scheduler-k3s:cluster-list', '--format', 'json'])
  t.equal(k3sClusterList(V.v0_30), null, 'no cluster commands before 0.33')
  t.same(k3sClusterList(V.master)?.args, ['scheduler-k3s:cluster:list', '--format', 'json'])

  const spec = k3sClusterList(V.current)!
  t.match(spec.parse(ok(fixture('scheduler/cluster-list.json'))), { state: 'nodes', nodes: [{ name: 'dokku-main', ready: true }] })
  for (const [file, state] of [['cluster-no-k3s', 'none'], ['cluster-not-installed-0.33', 'none'], ['cluster-unavailable', 'unavailable']] as const) {
    const out = failed(fixture(`scheduler/${file}.stderr.txt`))
    t.ok(spec.acceptFailure?.(out), `${file} is an answer`)
    t.match(spec.parse(out), { state }, file)
  }
  t.notOk(spec.acceptFailure?.(failed(' !     Invalid format: json\n')), 'another failure stays a failure')
  t.notOk(spec.acceptFailure?.({ stdout: '', stderr: 'ssh: connect to host x port 22: Connection refused\n', exitCode: 255 }), 'so does ssh failing')
})

t.test('the client: every app\'s scheduler, and the cluster (or why there is none)', async (t) => {
  const runner = new FakeRunner({
    'scheduler:report': { stdout: fixture('scheduler/report-all.txt') },
    'scheduler-k3s:cluster:list --format json': { stdout: fixture('scheduler/cluster-list-workers.json') }
  })
  const client = new DokkuClient(runner)
  const report = await client.schedulerReportAll()
  t.ok(report.installed)
  if (report.installed) t.same(report.apps.map((a) => a.scheduler), ['docker-local', 'k3s'])
  const cluster = await client.k3sCluster()
  t.equal(cluster.state, 'nodes')
  t.equal(cluster.state === 'nodes' ? cluster.nodes.length : 0, 2)

  const none = new DokkuClient(new FakeRunner({ 'scheduler-k3s:cluster:list --format json': { stderr: fixture('scheduler/cluster-no-k3s.stderr.txt'), exitCode: 1, status: 'failed' } }))
  t.match(await none.k3sCluster(), { state: 'none', message: /^Unable to create kubernetes client: stat / })
  const oldRunner = new FakeRunner({}, '0.32.0')
  t.same(await new DokkuClient(oldRunner).k3sCluster(), { state: 'none', message: null }, 'too old for a cluster')
  t.same(oldRunner.commands, [], 'and nothing ran')
  const broken = new DokkuClient(new FakeRunner({ 'scheduler-k3s:cluster:list --format json': { stderr: ' !     Invalid format: json\n', exitCode: 1, status: 'failed' } }))
  await t.rejects(broken.k3sCluster(), DokkuError)
})
