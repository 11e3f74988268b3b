import t from 'tap'
import * as apps from '../../../src/dokku/commands/apps.js'
import * as ps from '../../../src/dokku/commands/ps.js'
import { reportFormat, supports, versionCommand } from '../../../src/dokku/commands/version.js'
import { InvalidArgumentError } from '../../../src/dokku/errors.js'
import { UNKNOWN_VERSION } from '../../../src/dokku/parsers/version.js'
import { fixture } from '../parsers/fixture.js'
import { HOSTILE, V } from './versions.js'

const out = (stdout: string) => ({ stdout, stderr: '', exitCode: 0 })

t.test('version', async (t) => {
  const spec = versionCommand()
  t.same(spec.args, ['version'])
  t.same(spec.parse(out(fixture('version/release.txt'))).parts, [0, 38, 27])
})

t.test('the version matrix', async (t) => {
  t.ok(supports(V.current, 'pluginListJson'))
  t.notOk(supports(V.v0_38_21, 'pluginListJson'))
  t.ok(supports(V.v0_38_21, 'appsListJson'))
  t.notOk(supports(V.v0_38_0, 'appsListJson'))
  t.equal(reportFormat(V.v0_38_0, 'bashReportJson'), 'json')
  t.equal(reportFormat(V.v0_30, 'bashReportJson'), 'text')
  t.equal(reportFormat(V.v0_30, 'goReportJson'), 'json')
  t.equal(reportFormat(V.v0_20, 'goReportJson'), 'text')
  t.equal(reportFormat(V.master, 'bashReportJson'), 'json')
  t.equal(reportFormat(UNKNOWN_VERSION, 'goReportJson'), 'text')
})

t.test('apps:list: JSON from 0.38.21, --quiet text (global flag first) before', async (t) => {
  const json = apps.listApps(V.current)
  t.same(json.args, ['apps:list', '--format', 'json'])
  t.same(json.parse(out(fixture('apps/list.json'))), ['node-js-app', 'python-app'])
  const text = apps.listApps(V.v0_38_0)
  t.same(text.args, ['--quiet', 'apps:list'])
  t.same(text.parse(out(fixture('apps/list-quiet.txt'))), ['node-js-app', 'python-app'])
})

t.test('apps:report', async (t) => {
  const json = apps.appReport('node-js-app', V.current)
  t.same(json.args, ['apps:report', 'node-js-app', '--format', 'json'])
  t.equal(json.app, 'node-js-app')
  t.equal(json.parse(out(fixture('apps/report.json'))).dir, '/home/dokku/node-js-app')
  const text = apps.appReport('legacy_app', V.v0_20)
  t.same(text.args, ['apps:report', 'legacy_app'], 'legacy "_" names are accepted for existing apps')
  t.equal(text.parse(out(fixture('apps/report-docs-old.txt'))).dir, '/home/dokku/node-js-app')
})

t.test('apps:create takes only names dokku can create', async (t) => {
  t.same(apps.createApp('1994testapp').args, ['apps:create', '1994testapp'])
  t.same(apps.createApp('my.app-2').args, ['apps:create', 'my.app-2'])
  // Every name dokku's own tests reject.
  for (const bad of ['testapp:latest', 'TestApp', 'test/app', 'test_app', 'test;id', 'test$cmd', 'test|cmd', 'test&cmd', ...HOSTILE]) {
    t.throws(() => apps.createApp(bad), InvalidArgumentError, JSON.stringify(bad))
  }
})

t.test('apps:destroy: --force before the subcommand, only with the typed name', async (t) => {
  const spec = apps.destroyApp('node-js-app', 'node-js-app')
  t.same(spec.args, ['--force', 'apps:destroy', 'node-js-app'])
  t.equal(spec.kind, 'job')
  t.throws(() => apps.destroyApp('node-js-app', ''), { name: 'InvalidArgumentError', field: 'confirm' })
  t.throws(() => apps.destroyApp('node-js-app', 'node-js-ap'), InvalidArgumentError)
  t.throws(() => apps.destroyApp('-n', '-n'), InvalidArgumentError)
})

t.test('ps:report for one app, and for all apps (text, which names the apps)', async (t) => {
  t.same(ps.psReport('a', V.current).args, ['ps:report', 'a', '--format', 'json'])
  t.same(ps.psReport('a', V.v0_20).args, ['ps:report', 'a'])
  t.equal(ps.psReport('node-js-app', V.v0_20).parse(out(fixture('ps/report-bash-0.20.txt'))).state, 'running')
  const all = ps.psReportAll()
  t.same(all.args, ['ps:report'])
  t.same((await all.parse(out(fixture('ps/report-all.txt')))).map((r) => r.app), ['node-js-app', 'python-app'])
})

t.test('ps:scale read: JSON from 0.38.21, --quiet text before', async (t) => {
  const json = ps.getScale('a', V.current)
  t.same(json.args, ['ps:scale', '--format', 'json', 'a'])
  t.same(json.parse(out(fixture('ps/scale.json'))), [{ type: 'web', quantity: 1 }, { type: 'worker', quantity: 4 }])
  const text = ps.getScale('a', V.v0_38_0)
  t.same(text.args, ['--quiet', 'ps:scale', 'a'])
  t.same(text.parse(out(fixture('ps/scale-quiet.txt'))).length, 3)
})

t.test('ps:scale set', async (t) => {
  t.same(ps.setScale('a', { web: 2, worker: '1' }).args, ['ps:scale', 'a', 'web=2', 'worker=1'])
  t.same(ps.setScale('a', [{ type: 'web', quantity: 0 }], { skipDeploy: true }).args, ['ps:scale', '--skip-deploy', 'a', 'web=0'])
  t.equal(ps.setScale('a', { web: 2 }).kind, 'job')
  t.throws(() => ps.setScale('a', {}), { name: 'InvalidArgumentError', field: 'formation' })
  for (const count of [-1, 101, 1.5, '1e3', '', ' ', 'x', NaN, '2;id']) {
    t.throws(() => ps.setScale('a', { web: count as number }), { name: 'InvalidArgumentError', field: 'count.web' }, String(count))
  }
  for (const type of ['-web', 'web;id', 'web=1', 'web.1', '', 'a b']) {
    t.throws(() => ps.setScale('a', { [type]: 1 }), InvalidArgumentError, type)
  }
})

t.test('restart, rebuild, stop, start', async (t) => {
  t.same(ps.restart('a').args, ['ps:restart', 'a'])
  t.same(ps.restart('a', { process: 'web' }).args, ['ps:restart', 'a', 'web'])
  t.equal(ps.restart('a', { process: 'web' }).label, 'Restart a (web)')
  t.same(ps.rebuild('a').args, ['ps:rebuild', 'a'])
  t.same(ps.stop('a').args, ['ps:stop', 'a'])
  t.same(ps.start('a').args, ['ps:start', 'a'])
  for (const spec of [ps.restart('a'), ps.rebuild('a'), ps.stop('a'), ps.start('a')]) {
    t.equal(spec.kind, 'job')
    t.equal(spec.app, 'a')
    t.ok((spec.timeoutMs ?? 0) >= 10 * 60_000, 'deploys get a long timeout')
  }
  t.throws(() => ps.restart('a', { process: '--all' }), InvalidArgumentError)
})

t.test('hostile app names are refused by every builder', async (t) => {
  const builders: Array<(app: string) => unknown> = [
    (a) => apps.appReport(a, V.current), (a) => apps.destroyApp(a, a), (a) => ps.psReport(a, V.current),
    (a) => ps.getScale(a, V.current), (a) => ps.setScale(a, { web: 1 }), ps.restart, ps.rebuild, ps.stop, ps.start
  ]
  for (const build of builders) {
    for (const bad of [...HOSTILE, 'UPPER', '.hidden']) t.throws(() => build(bad), InvalidArgumentError, JSON.stringify(bad))
  }
})
