import t from 'tap'
import * as db from '../../../src/dokku/commands/databases.js'
import * as logs from '../../../src/dokku/commands/logs.js'
import { pluginList } from '../../../src/dokku/commands/plugins.js'
import { InvalidArgumentError } from '../../../src/dokku/errors.js'
import type { DbPlugin } from '../../../src/dokku/validate.js'
import { fixture } from '../parsers/fixture.js'
import { HOSTILE, V } from './versions.js'

const ok = (stdout: string) => ({ stdout, stderr: '', exitCode: 0 })

t.test('plugin:list: JSON from 0.38.22, text before', async (t) => {
  const json = pluginList(V.current)
  t.same(json.args, ['plugin:list', '--format', 'json'])
  t.equal(json.parse(ok(fixture('plugins/list.json'))).length, 2)
  const text = pluginList(V.v0_38_21)
  t.same(text.args, ['plugin:list'])
  t.equal(text.parse(ok(fixture('plugins/list.txt'))).length, 6)
})

t.test('<db>:list for every allowed plugin; not installed is an answer', async (t) => {
  for (const p of ['postgres', 'redis', 'mysql', 'mariadb', 'mongo'] as const) {
    t.same(db.listServices(p).args, ['--quiet', `${p}:list`])
  }
  const spec = db.listServices('postgres')
  t.same(spec.parse(ok('lollipop\nother_db\n')), { installed: true, services: [
    { name: 'lollipop', version: null, status: null, exposedPorts: null, links: null },
    { name: 'other_db', version: null, status: null, exposedPorts: null, links: null }
  ] })
  const none = { stdout: '', stderr: fixture('databases/list-none.stderr.txt'), exitCode: 0 }
  t.same(spec.parse(none), { installed: true, services: [] })
  const missing = { stdout: '', stderr: fixture('errors/postgres-not-installed.stderr.txt'), exitCode: 1 }
  t.ok(spec.acceptFailure?.(missing))
  t.same(spec.parse(missing), { installed: false })
  for (const bad of ['postgresql', 'elasticsearch', 'POSTGRES', '--force', 'postgres;id', '']) {
    t.throws(() => db.listServices(bad as DbPlugin), { name: 'InvalidArgumentError', field: 'plugin' }, bad)
  }
})

t.test('<db>:info', async (t) => {
  const spec = db.serviceInfo('postgres', 'lollipop')
  t.same(spec.args, ['postgres:info', 'lollipop'])
  const parsed = spec.parse(ok(fixture('databases/info.txt')))
  t.equal(parsed.installed && parsed.info.status, 'running')
})

t.test('<db>:create', async (t) => {
  const spec = db.createService('redis', 'cache_1')
  t.same(spec.args, ['redis:create', 'cache_1'])
  t.equal(spec.kind, 'job')
  t.equal(spec.parse(ok(fixture('databases/create.txt')))?.service, 'cache_1')
  t.equal(spec.parse(ok('=====> Redis container created: cache_1\n')), null)
})

t.test('<db>:link / :unlink', async (t) => {
  t.same(db.linkService('postgres', 'lollipop', 'playground').args, ['postgres:link', 'lollipop', 'playground'])
  t.same(db.linkService('postgres', 'lollipop', 'playground', { alias: 'BLUE_DATABASE', noRestart: true }).args,
    ['postgres:link', 'lollipop', 'playground', '--alias', 'BLUE_DATABASE', '--no-restart'])
  t.equal(db.linkService('postgres', 'lollipop', 'playground', { noRestart: true }).kind, 'action')
  t.equal(db.linkService('postgres', 'lollipop', 'playground').kind, 'job')
  t.throws(() => db.linkService('postgres', 'lollipop', 'playground', { alias: '-q' }), { name: 'InvalidArgumentError', field: 'alias' })
  t.same(db.unlinkService('mongo', 'm', 'a').args, ['mongo:unlink', 'm', 'a'])
  t.same(db.unlinkService('mongo', 'm', 'a', { noRestart: true }).args, ['mongo:unlink', 'm', 'a', '--no-restart'])
})

t.test('<db>:destroy: --force before the subcommand, only with the typed name', async (t) => {
  t.same(db.destroyService('mysql', 'shop', 'shop').args, ['--force', 'mysql:destroy', 'shop'])
  t.throws(() => db.destroyService('mysql', 'shop', 'SHOP'), { name: 'InvalidArgumentError', field: 'confirm' })
})

t.test('hostile service and app names are refused', async (t) => {
  for (const bad of [...HOSTILE, 'a.b', 'a/b']) {
    t.throws(() => db.serviceInfo('postgres', bad), { name: 'InvalidArgumentError', field: 'service' }, JSON.stringify(bad))
    t.throws(() => db.createService('postgres', bad), InvalidArgumentError)
    t.throws(() => db.destroyService('postgres', bad, bad), InvalidArgumentError)
    t.throws(() => db.linkService('postgres', bad, 'app'), InvalidArgumentError)
  }
  for (const bad of HOSTILE) {
    t.throws(() => db.linkService('postgres', 'svc', bad), { name: 'InvalidArgumentError', field: 'app' }, JSON.stringify(bad))
    t.throws(() => db.unlinkService('postgres', 'svc', bad), InvalidArgumentError)
  }
})

t.test('logs: recent lines and tails', async (t) => {
  const spec = logs.logs('a')
  t.same(spec.args, ['logs', 'a', '--num', '100'])
  t.same(logs.logs('a', { lines: 5, process: 'web', quiet: true }).args, ['logs', 'a', '--num', '5', '--ps', 'web', '--quiet'])
  t.equal(spec.parse(ok(fixture('logs/ansi.txt')))[0]?.message, 'GET / 200')
  t.equal(spec.redactOutput?.(fixture('logs/plain.txt') + ' !     App a has not been deployed\n'), ' !     App a has not been deployed', 'history keeps no log line')
  const tail = logs.tailLogs('a', { lines: 20 })
  t.same(tail.args, ['logs', 'a', '--tail', '--num', '20'])
  t.equal(tail.stream, true)
  t.ok((tail.timeoutMs ?? 0) >= 60 * 60_000)
  for (const lines of [0, -1, 10_001, 1.5, '10; rm']) {
    t.throws(() => logs.logs('a', { lines: lines as number }), { name: 'InvalidArgumentError', field: 'lines' }, String(lines))
  }
  t.throws(() => logs.logs('a', { process: 'web.1' }), { name: 'InvalidArgumentError', field: 'process' }, 'dokku would match nothing')
  for (const bad of HOSTILE) t.throws(() => logs.tailLogs(bad), InvalidArgumentError)
})
