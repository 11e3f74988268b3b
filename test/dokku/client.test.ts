import t from 'tap'
import { DokkuClient, isDokkuError, type RunnerLike } from '../../src/dokku/client.js'
import { DokkuError, InvalidArgumentError } from '../../src/dokku/errors.js'
import type { Runner } from '../../src/dokku/runner.js'
import { failed, FakeRunner } from './commands/fake-runner.js'
import { HOSTILE } from './commands/versions.js'
import { fixture } from './parsers/fixture.js'

const NOT_INSTALLED = (cmd: string) => failed(1, ` !     \`${cmd}\` is not a dokku command.\n !     See \`dokku help\` for a list of available commands.\n`)

async function rejection (p: Promise<unknown>): Promise<unknown> {
  try { await p } catch (e) { return e }
  throw new Error('expected a rejection')
}

t.test('the real Runner satisfies RunnerLike', async (t) => {
  const check = (r: Runner): RunnerLike => r
  t.type(check, 'function')
})

t.test('the version is read once, lazily, and shared by concurrent calls', async (t) => {
  const runner = new FakeRunner({ 'apps:list --format json': { stdout: fixture('apps/list.json') } })
  const client = new DokkuClient(runner)
  t.equal(runner.calls.length, 0, 'nothing runs at construction')
  const [a, b] = await Promise.all([client.listApps(), client.listApps()])
  t.same(a, ['node-js-app', 'python-app'])
  t.same(b, a)
  await client.listApps()
  t.equal(runner.calls.filter((c) => c.req.args[0] === 'version').length, 1)
  t.same((await client.version()).parts, [0, 38, 27])
})

t.test('old dokku: text formats, global flags first', async (t) => {
  const runner = new FakeRunner({
    '--quiet apps:list': { stdout: fixture('apps/list-quiet.txt') },
    'ps:report node-js-app': { stdout: fixture('ps/report-bash-0.20.txt') },
    'domains:report node-js-app': { stdout: fixture('domains/report-bash.txt') },
    'certs:report node-js-app': { stdout: fixture('certs/report-bash.txt') },
    'apps:report node-js-app': { stdout: fixture('apps/report-docs-old.txt') },
    '--quiet ps:scale node-js-app': { stdout: fixture('ps/scale-quiet.txt') },
    'plugin:list': { stdout: fixture('plugins/list-docs-plugn.txt') }
  }, '0.20.0')
  const client = new DokkuClient(runner, { now: () => new Date(Date.UTC(2026, 2, 1)) })
  t.same(await client.listApps(), ['node-js-app', 'python-app'])
  t.equal((await client.psReport('node-js-app')).processes[0]?.cid, '3fa8b2c1d9e0')
  t.same((await client.domainsReport('node-js-app')).appVhosts, ['node-js-app.dokku.me', 'www.example.com'])
  t.equal((await client.certsReport('node-js-app')).daysLeft, 30)
  t.equal((await client.appReport('node-js-app')).dir, '/home/dokku/node-js-app')
  t.equal((await client.getScale('node-js-app')).length, 3)
  t.equal((await client.listPlugins()).length, 5)
})

t.test('current dokku: JSON formats', async (t) => {
  const runner = new FakeRunner({
    'ps:report node-js-app --format json': { stdout: fixture('ps/report.json') },
    'domains:report node-js-app --format json': { stdout: fixture('domains/report.json') },
    'certs:report node-js-app --format json': { stdout: fixture('certs/report.json') },
    'apps:report node-js-app --format json': { stdout: fixture('apps/report.json') },
    'ps:scale --format json node-js-app': { stdout: fixture('ps/scale.json') },
    'plugin:list --format json': { stdout: fixture('plugins/list.json') }
  })
  const client = new DokkuClient(runner)
  t.equal((await client.psReport('node-js-app')).state, 'running')
  t.same((await client.domainsReport('node-js-app')).globalVhosts, ['dokku.me'])
  t.equal((await client.certsReport('node-js-app')).verified, true)
  t.equal((await client.appReport('node-js-app')).deploySource, 'git')
  t.same(await client.getScale('node-js-app'), [{ type: 'web', quantity: 1 }, { type: 'worker', quantity: 4 }])
  t.same((await client.listPlugins()).map((p) => p.name), ['apps', 'postgres'])
})

t.test('a version dokku cannot tell: text formats; a missing binary is not cached', async (t) => {
  let present = false
  const runner = new FakeRunner({ '--quiet apps:list': { stdout: 'a\n' } })
  runner.on('version', () => present
    ? failed(1, fixture('version/missing.stderr.txt'))
    : { status: 'error', exitCode: null, error: 'program not found: dokku' })
  const client = new DokkuClient(runner)
  const e = await rejection(client.listApps())
  t.ok(isDokkuError(e, 'unavailable'))
  present = true
  t.same(await client.listApps(), ['a'], 'asked again, then fell back to text')
  t.equal((await client.version()).parts, null)
})

t.test('ps:report for all apps in one call; none deployed is a warning, not an error', async (t) => {
  const runner = new FakeRunner({ 'ps:report': { stdout: fixture('ps/report-all.txt') } })
  const client = new DokkuClient(runner)
  t.same((await client.psReportAll()).map((r) => `${r.app}:${r.state}`), ['node-js-app:running', 'python-app:undeployed'])
  runner.on('ps:report', { stderr: fixture('apps/list-none.stderr.txt') })
  t.same(await client.psReportAll(), [])
  t.same(runner.commands, ['ps:report', 'ps:report'], 'no version needed')
})

t.test('exit 0 with a warning is a success with warnings', async (t) => {
  const runner = new FakeRunner({
    'ps:restart node-js-app': { stderr: fixture('ps/not-deployed.stderr.txt') },
    'apps:list --format json': { stdout: '[]\n' }
  })
  const client = new DokkuClient(runner)
  const outcome = await client.restart('node-js-app')
  t.same(outcome, { historyId: 100, output: '', warnings: ['App node-js-app has not been deployed'], nothingToDo: 'App node-js-app has not been deployed' })
  t.same(await client.listApps(), [])
})

t.test('failures: exit 1, 20, pre-0.24 exit 1, not installed, missing binary, timeout, ssh 255', async (t) => {
  const runner = new FakeRunner({
    'apps:create node-js-app': failed(1, ' !     Name is already taken\n'),
    'apps:report ghost --format json': failed(20, ' !     App ghost does not exist\n'),
    'ps:report ghost --format json': failed(1, ' !     App ghost does not exist\n'),
    'ps:rebuild node-js-app': failed(1, '', fixture('ps/rebuild-locked.txt')),
    'postgres:create db': NOT_INSTALLED('postgres:create db'),
    'ps:stop node-js-app': { status: 'error', exitCode: null, error: 'program not found: dokku' },
    'ps:start node-js-app': { status: 'timeout', exitCode: null, error: 'timed out after 1800 s' },
    'config:export --format json node-js-app': failed(255, 'ssh: connect to host h port 22: Connection refused\n')
  })
  const client = new DokkuClient(runner)
  const expect = async (p: Promise<unknown>, kind: DokkuError['kind'], message: string | RegExp, exitCode: number | null) => {
    const e = await rejection(p)
    t.ok(e instanceof DokkuError, `${kind} is a DokkuError`)
    const d = e as DokkuError
    t.equal(d.kind, kind)
    t.match(d.message, message)
    t.equal(d.exitCode, exitCode)
    t.type(d.historyId, 'number')
    t.match(d.command, /^dokku /)
  }
  await expect(client.createApp('node-js-app'), 'conflict', 'Name is already taken', 1)
  await expect(client.appReport('ghost'), 'app-missing', 'App ghost does not exist', 20)
  await expect(client.psReport('ghost'), 'app-missing', 'App ghost does not exist', 1)
  await expect(client.rebuild('node-js-app'), 'locked', /deploy lock in place/, 1)
  await expect(client.createService('postgres', 'db'), 'not-installed', /is not a dokku command/, 1)
  await expect(client.stop('node-js-app'), 'unavailable', 'program not found: dokku', null)
  await expect(client.start('node-js-app'), 'timeout', 'timed out after 1800 s', null)
  await expect(client.configExport('node-js-app'), 'unavailable', /Connection refused/, 255)
})

t.test('output dokku should not print is a parse error with the history id', async (t) => {
  const runner = new FakeRunner({ 'apps:list --format json': { stdout: '=====> My Apps\na\n' } })
  const e = await rejection(new DokkuClient(runner).listApps())
  t.ok(isDokkuError(e, 'parse'))
  t.equal((e as DokkuError).historyId, 101)
  t.notOk(isDokkuError(new Error('x')))
  t.ok(isDokkuError(e))
})

t.test('errors other than dokku failures pass through', async (t) => {
  const runner = new FakeRunner({ 'apps:list --format json': () => { throw new Error('disk full') } })
  await t.rejects(new DokkuClient(runner).listApps(), { message: 'disk full' })
})

t.test('hostile input is refused before anything runs, by every method', async (t) => {
  const runner = new FakeRunner()
  const client = new DokkuClient(runner)
  const methods: Array<(v: string) => Promise<unknown>> = [
    (v) => client.appReport(v), (v) => client.createApp(v), (v) => client.destroyApp(v, v),
    (v) => client.psReport(v), (v) => client.getScale(v), (v) => client.setScale(v, { web: 1 }),
    (v) => client.setScale('a', { [v]: 1 }), (v) => client.setScale('a', { web: v }),
    (v) => client.restart(v), (v) => client.restart('a', { process: v }), (v) => client.rebuild(v), (v) => client.stop(v), (v) => client.start(v),
    (v) => client.configExport(v), (v) => client.configGet(v, 'K'), (v) => client.configGet('a', v),
    (v) => client.configSet(v, { K: 'v' }), (v) => client.configSet('a', { [v]: 'v' }), (v) => client.configUnset('a', [v]),
    (v) => client.domainsReport(v), (v) => client.addDomains('a', [v]), (v) => client.removeDomains(v, ['x.io']),
    (v) => client.certsReport(v),
    (v) => client.letsencryptReport(v), (v) => client.letsencryptEnable(v), (v) => client.letsencryptDisable(v),
    (v) => client.letsencryptAutoRenew(v), (v) => client.letsencryptSetEmail(v, 'a@example.com'), (v) => client.letsencryptSetEmail('a', v),
    (v) => client.listServices(v as 'postgres'), (v) => client.serviceInfo('postgres', v), (v) => client.createService('redis', v),
    (v) => client.linkService('postgres', v, 'a'), (v) => client.linkService('postgres', 's', v), (v) => client.linkService('postgres', 's', 'a', { alias: v }),
    (v) => client.unlinkService('postgres', 's', v), (v) => client.destroyService('postgres', v, v),
    (v) => client.logs(v), (v) => client.logs('a', { process: v })
  ]
  for (const method of methods) {
    for (const bad of HOSTILE) {
      const e = await rejection(method(bad))
      t.ok(e instanceof InvalidArgumentError, `${method.toString().slice(6, 60)} ${JSON.stringify(bad).slice(0, 20)}`)
    }
  }
  t.throws(() => client.tailLogs('-n'), InvalidArgumentError, 'tailLogs throws at once')
  t.same(runner.calls, [], 'the runner was never called')
})

t.test('destroy runs with --force only after the typed name', async (t) => {
  const runner = new FakeRunner({
    '--force apps:destroy node-js-app': { stdout: fixture('apps/destroy.txt') },
    '--force postgres:destroy lollipop': { stdout: fixture('databases/destroy.txt') }
  })
  const client = new DokkuClient(runner)
  await t.rejects(client.destroyApp('node-js-app', 'python-app'), InvalidArgumentError)
  await client.destroyApp('node-js-app', 'node-js-app')
  await client.destroyService('postgres', 'lollipop', 'lollipop')
  t.same(runner.commands, ['--force apps:destroy node-js-app', '--force postgres:destroy lollipop'])
})

t.test('jobs pass label, kind, signal, historyId, timeout and live output through', async (t) => {
  const runner = new FakeRunner({
    'ps:restart node-js-app web': { stdout: '-----> Deploying web (count=1)\n', chunks: [['stdout', '-----> Deploying web (count=1)\n']] }
  })
  const client = new DokkuClient(runner)
  const seen: string[] = []
  const controller = new AbortController()
  const outcome = await client.restart('node-js-app', {
    process: 'web', label: 'Restart from UI', historyId: 42, timeoutMs: 5000, signal: controller.signal, onOutput: (_s, text) => seen.push(text)
  })
  const req = runner.calls[0]?.req
  t.equal(req?.label, 'Restart from UI')
  t.equal(req?.lane, 'job')
  t.equal(req?.app, 'node-js-app')
  t.equal(req?.historyId, 42)
  t.equal(req?.timeoutMs, 5000)
  t.equal(req?.signal, controller.signal)
  t.same(seen, ['-----> Deploying web (count=1)\n'])
  t.equal(outcome.output, '-----> Deploying web (count=1)\n')
  await t.rejects(client.rebuild('node-js-app'), /no reply for "dokku ps:rebuild node-js-app"/, 'the fake fails loudly on commands it does not know')
})

t.test('default labels and timeouts for the other jobs', async (t) => {
  const runner = new FakeRunner({
    'ps:scale node-js-app web=2 worker=0': {},
    'ps:scale --skip-deploy node-js-app web=1': {},
    'ps:rebuild node-js-app': {},
    'ps:stop node-js-app': { stdout: '-----> Stopping node-js-app\n' },
    'ps:start node-js-app': { stderr: ' !     App node-js-app already running\n' }
  })
  const client = new DokkuClient(runner)
  await client.setScale('node-js-app', { web: 2, worker: 0 })
  await client.setScale('node-js-app', [{ type: 'web', quantity: 1 }], { skipDeploy: true })
  await client.rebuild('node-js-app')
  await client.stop('node-js-app')
  t.same((await client.start('node-js-app')).warnings, ['App node-js-app already running'])
  t.same(runner.calls.map((c) => c.req.label), ['Scale node-js-app: web=2 worker=0', 'Scale node-js-app: web=1', 'Rebuild node-js-app', 'Stop node-js-app', 'Start node-js-app'])
  t.ok(runner.calls.every((c) => (c.req.timeoutMs ?? 0) >= 30 * 60_000))
})

t.test('config: export, get, set (redacted everywhere), unset', async (t) => {
  const secret = 'p@ss w0rd\n$(id)'
  const encoded = Buffer.from(secret).toString('base64')
  const runner = new FakeRunner({
    'config:export --format json node-js-app': { stdout: '{"DATABASE_URL":"postgres://u:dbpass@h/db","KEY":"p@ss w0rd\\n$(id)"}\n' },
    'config:get node-js-app KEY': { stdout: `${secret}\n` },
    'config:get node-js-app NOPE': failed(1, ''),
    'config:get node-js-app BAD': failed(1, ' !     Unexpected argument(s): [x]\n'),
    [`--quiet config:set --encoded node-js-app KEY=${encoded}`]: {
      stdout: `-----> Restarting app node-js-app\nAPP SAYS p@ss w0rd\n`,
      stderr: ' !     Failure while restarting app: p@ss w0rd\n',
      chunks: [['stdout', '-----> Restarting app node-js-app\nAPP SAYS p@ss'], ['stdout', ' w0rd\n']]
    },
    [`--quiet config:set --encoded --no-restart node-js-app KEY=${encoded}`]: failed(1, ' !     illegal base64 data at input byte 4 for key \'KEY\'\n'),
    'config:unset --no-restart node-js-app KEY OTHER': { stdout: '-----> Unsetting KEY\n-----> Skipping OTHER, it is not set in the environment\n' }
  })
  const client = new DokkuClient(runner)
  t.same(await client.configExport('node-js-app'), { DATABASE_URL: 'postgres://u:dbpass@h/db', KEY: secret }, 'callers get exact values')
  t.equal(runner.calls[0]?.stored.stdout, '{"DATABASE_URL":"<redacted>","KEY":"<redacted>"}\n', 'history does not')
  t.equal(await client.configGet('node-js-app', 'KEY'), secret)
  t.equal(runner.calls[1]?.stored.stdout, '<redacted>\n<redacted>\n')
  t.equal(await client.configGet('node-js-app', 'NOPE'), null)
  t.ok(isDokkuError(await rejection(client.configGet('node-js-app', 'BAD')), 'failed'))

  const live: string[] = []
  const outcome = await client.configSet('node-js-app', { KEY: secret }, { onOutput: (_s, text) => live.push(text) })
  const call = runner.calls[4]
  t.same(call?.req.display, ['--quiet', 'config:set', '--encoded', 'node-js-app', 'KEY=<redacted>'])
  t.equal(call?.req.lane, 'job')
  t.equal(call?.req.label, 'Set KEY on node-js-app')
  t.same(live, ['-----> Restarting app node-js-app\n', 'APP SAYS <redacted>\n'], 'live output is redacted too')
  t.notMatch(JSON.stringify(call?.stored), /w0rd/)
  t.notMatch(JSON.stringify(outcome), /w0rd/)
  t.same(outcome.warnings, ['Failure while restarting app: <redacted>'])

  const e = await rejection(client.configSet('node-js-app', { KEY: secret }, { noRestart: true }))
  t.ok(isDokkuError(e, 'failed'))
  t.equal(runner.calls[5]?.req.kind, 'action')
  t.notMatch(JSON.stringify(runner.calls[5]?.req.display), new RegExp(encoded.slice(0, 8)))

  await client.configUnset('node-js-app', ['KEY', 'OTHER'], { noRestart: true })
  t.same(runner.commands.at(-1), 'config:unset --no-restart node-js-app KEY OTHER')
})

t.test('domains add/remove', async (t) => {
  const runner = new FakeRunner({
    'domains:add node-js-app www.example.com example.com': { stdout: fixture('domains/add.txt') + fixture('domains/add-nginx.txt') },
    'domains:add node-js-app foo.io': failed(1, ' !     foo.io is invalid. exiting...\n'),
    'domains:remove node-js-app www.example.com': { stdout: '-----> Removed www.example.com from node-js-app\n' }
  })
  const client = new DokkuClient(runner)
  t.match((await client.addDomains('node-js-app', ['WWW.example.com', 'example.com'])).output, /Added www\.example\.com/)
  t.ok(isDokkuError(await rejection(client.addDomains('node-js-app', ['foo.io'])), 'failed'))
  await client.removeDomains('node-js-app', ['www.example.com'])
  t.same(runner.calls.map((c) => c.req.label), ['Add www.example.com example.com to node-js-app', 'Add foo.io to node-js-app', 'Remove www.example.com from node-js-app'])
})

t.test('letsencrypt: list (with the :ls fallback), report, not installed, enable, renew, email', async (t) => {
  const runner = new FakeRunner({
    'letsencrypt:list': { stdout: fixture('letsencrypt/list.txt') },
    'letsencrypt:report node-js-app': { stdout: fixture('letsencrypt/report.txt') },
    'letsencrypt:enable node-js-app': failed(1, fixture('letsencrypt/enable-no-email.stderr.txt'), '=====> Enabling letsencrypt for node-js-app\n'),
    'letsencrypt:enable node-js-app --force': { stdout: fixture('letsencrypt/enable.txt') },
    'letsencrypt:auto-renew': { stdout: fixture('letsencrypt/auto-renew.txt') },
    'letsencrypt:set node-js-app email admin@example.com': { stdout: '=====> Setting email to admin@example.com\n' },
    'letsencrypt:set --global email': { stdout: '=====> Unsetting email\n' },
    'letsencrypt:disable node-js-app': {}
  })
  const client = new DokkuClient(runner)
  const listed = await client.letsencryptList()
  t.same(listed.installed && listed.items.map((i) => i.app), ['node-js-app', 'python-app'])
  const report = await client.letsencryptReport('node-js-app')
  t.equal(report.installed && report.report.email, 'admin@example.com')
  const e = await rejection(client.letsencryptEnable('node-js-app'))
  t.equal((e as DokkuError).message.split('\n')[0], 'ERROR: Cannot request a certificate without an e-mail address!')
  await client.letsencryptEnable('node-js-app', { force: true })
  t.match((await client.letsencryptAutoRenew()).output, /Finished auto-renewal/)
  await client.letsencryptSetEmail('node-js-app', 'admin@example.com')
  await client.letsencryptSetEmail(null, null)
  await client.letsencryptDisable('node-js-app')

  const old = new FakeRunner({ 'letsencrypt:list': NOT_INSTALLED('letsencrypt:list'), 'letsencrypt:ls': { stdout: fixture('letsencrypt/list-empty.txt') } })
  t.same(await new DokkuClient(old).letsencryptList(), { installed: true, items: [] })
  const none = new FakeRunner({
    'letsencrypt:list': NOT_INSTALLED('letsencrypt:list'),
    'letsencrypt:ls': NOT_INSTALLED('letsencrypt:ls'),
    'letsencrypt:report a': NOT_INSTALLED('letsencrypt:report a')
  })
  t.same(await new DokkuClient(none).letsencryptList(), { installed: false })
  t.same(await new DokkuClient(none).letsencryptReport('a'), { installed: false })
})

t.test('databases: list, list all, info, create, link, unlink; DSN passwords kept out of history', async (t) => {
  const runner = new FakeRunner({
    'plugin:list --format json': { stdout: JSON.stringify([
      { name: 'postgres', version: '1.48.0', enabled: true, core: false, description: '' },
      { name: 'redis', version: '1.43.0', enabled: true, core: false, description: '' },
      { name: 'mongo', version: '1.40.6', enabled: false, core: false, description: '' }
    ]) },
    '--quiet postgres:list': { stdout: 'lollipop\nother_db\n' },
    '--quiet redis:list': { stderr: ' !     There are no Redis services\n' },
    '--quiet mysql:list': NOT_INSTALLED('mysql:list'),
    '--quiet mariadb:list': NOT_INSTALLED('mariadb:list'),
    // Disabled: dokku no longer has its commands.
    '--quiet mongo:list': NOT_INSTALLED('mongo:list'),
    'postgres:info lollipop': { stdout: fixture('databases/info.txt') },
    'mysql:info x': NOT_INSTALLED('mysql:info x'),
    'postgres:info nope': failed(1, fixture('databases/missing.stderr.txt')),
    'postgres:create lollipop': { stdout: fixture('databases/create.txt').replace('…(the full :info block)…\n', fixture('databases/info.txt').split('\n').slice(1).join('\n')), chunks: [['stdout', 'Dsn: postgres://postgres:a1b2c3d4e5f6@h:5432/db\n']] },
    'postgres:link lollipop playground': { stdout: fixture('databases/link.txt') },
    'postgres:link lollipop playground --alias BLUE_DATABASE --no-restart': { stdout: '       Skipping restart of linked app\n' },
    'postgres:unlink lollipop playground': { stdout: '-----> Unsetting DATABASE_URL\n' },
    'postgres:link lollipop ghost': failed(20, ' !     App ghost does not exist\n')
  })
  const client = new DokkuClient(runner)
  t.same(await client.listServices('mysql'), { installed: false })
  const all = await client.listAllServices()
  t.same(all.map((d) => [d.plugin, d.installed, d.services.map((s) => s.name)]), [
    ['postgres', true, ['lollipop', 'other_db']], ['redis', true, []], ['mysql', false, []], ['mariadb', false, []], ['mongo', false, []]
  ])
  t.notOk(runner.commands.includes('plugin:list --format json'), 'one round of list calls: each plugin says itself whether it is there')

  const info = await client.serviceInfo('postgres', 'lollipop')
  t.equal(info.installed && info.info.dsn, 'postgres://postgres:a1b2c3d4e5f6@dokku-postgres-lollipop:5432/lollipop', 'the caller gets the DSN')
  t.notMatch(runner.calls.at(-1)?.stored.stdout ?? '', /a1b2c3d4e5f6/, 'history does not')
  t.same(await client.serviceInfo('mysql', 'x'), { installed: false })
  t.ok(isDokkuError(await rejection(client.serviceInfo('postgres', 'nope')), 'service-missing'))

  const live: string[] = []
  const created = await client.createService('postgres', 'lollipop', { onOutput: (_s, text) => live.push(text) })
  t.equal(created.info?.status, 'running')
  t.notMatch(created.output + live.join(''), /a1b2c3d4e5f6/)
  t.notMatch(JSON.stringify(runner.calls.at(-1)?.stored), /a1b2c3d4e5f6/)

  const linked = await client.linkService('postgres', 'lollipop', 'playground')
  t.match(linked.output, /DATABASE_URL: {2}postgres:\/\/postgres:<redacted>@dokku-postgres-lollipop/)
  t.notMatch(JSON.stringify(runner.calls.at(-1)?.stored), /a1b2c3d4e5f6/)
  await client.linkService('postgres', 'lollipop', 'playground', { alias: 'BLUE_DATABASE', noRestart: true })
  await client.unlinkService('postgres', 'lollipop', 'playground')
  t.ok(isDokkuError(await rejection(client.linkService('postgres', 'lollipop', 'ghost')), 'app-missing'))
})

t.test('logs: recent lines', async (t) => {
  const runner = new FakeRunner({
    'logs node-js-app --num 50 --ps web': { stdout: fixture('logs/multi.txt') },
    'logs ghost --num 100': failed(20, ' !     App ghost does not exist\n'),
    'logs new-app --num 100': failed(1, fixture('ps/not-deployed.stderr.txt').replace('node-js-app', 'new-app'))
  })
  const client = new DokkuClient(runner)
  const lines = await client.logs('node-js-app', { lines: 50, process: 'web' })
  t.same(lines.map((l) => l.process), ['web.1', 'worker.1', 'web.2'])
  t.equal(runner.calls[0]?.stored.stdout, '', 'log lines are not stored in history')
  t.ok(isDokkuError(await rejection(client.logs('ghost')), 'app-missing'))
  t.ok(isDokkuError(await rejection(client.logs('new-app')), 'not-deployed'))
})

t.test('logs: a tail streams parsed lines and ends when stopped', async (t) => {
  let release: () => void = () => undefined
  const runner = new FakeRunner({
    'logs node-js-app --tail --num 10': (req) => new Promise((resolve) => {
      req.onOutput?.('stdout', '\x1b[36m2024-01-01T00:00:00.123456789Z app[web.1]:\x1b[0m GET / 2')
      req.onOutput?.('stdout', '00\n\x1b[33m2024-01-01T00:00:00.456789012Z app[worker.1]:\x1b[0m job')
      req.onOutput?.('stderr', 'docker: warn\n')
      const end = () => resolve({ status: 'cancelled', exitCode: null, error: 'cancelled' })
      if (req.signal?.aborted) end()
      req.signal?.addEventListener('abort', end)
      release = () => resolve({})
    })
  })
  const client = new DokkuClient(runner)
  const lines: string[] = []
  const raw: string[] = []
  const tail = client.tailLogs('node-js-app', { lines: 10, onLine: (l) => lines.push(`${l.process ?? '-'}|${l.message}`), onOutput: (_s, text) => raw.push(text) })
  await new Promise((resolve) => setImmediate(resolve))
  t.same(lines, ['web.1|GET / 200', '-|docker: warn'])
  tail.stop()
  const end = await tail.done
  t.same(end, { historyId: 100, reason: 'stopped' })
  t.same(lines, ['web.1|GET / 200', '-|docker: warn', 'worker.1|job'], 'the last partial line is flushed')
  t.equal(raw.length, 3)
  const req = runner.calls[0]?.req
  t.equal(req?.stream, true)
  t.equal(req?.app, 'node-js-app')
  t.same(runner.commands, ['logs node-js-app --tail --num 10'], 'a tail does not need the version')

  const controller = new AbortController()
  const second = client.tailLogs('node-js-app', { lines: 10, signal: controller.signal })
  controller.abort()
  t.equal((await second.done).reason, 'stopped', 'the caller\'s signal stops it too')

  const aborted = AbortSignal.abort()
  t.equal((await client.tailLogs('node-js-app', { lines: 10, signal: aborted }).done).reason, 'stopped')

  const third = client.tailLogs('node-js-app', { lines: 10 })
  await new Promise((resolve) => setImmediate(resolve))
  release()
  t.equal((await third.done).reason, 'ended')
})

t.test('logs: a tail that dokku refuses rejects done; a tail that hits its timeout ends', async (t) => {
  const runner = new FakeRunner({
    'logs ghost --tail --num 100': failed(20, ' !     App ghost does not exist\n'),
    'logs slow --tail --num 100': { status: 'timeout', exitCode: null, error: 'timed out after 43200 s' }
  })
  const client = new DokkuClient(runner)
  t.ok(isDokkuError(await rejection(client.tailLogs('ghost').done), 'app-missing'))
  t.same(await client.tailLogs('slow').done, { historyId: 101, reason: 'timeout' })
})

t.test('single-flight: identical reads in flight share one run; others do not', async (t) => {
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  const runner = new FakeRunner({
    'ps:report node-js-app --format json': async () => { await gate; return { stdout: fixture('ps/report.json') } },
    'ps:report python-app --format json': { stdout: fixture('ps/report.json').replaceAll('node-js-app', 'python-app') }
  })
  const client = new DokkuClient(runner)
  await client.version()
  const same = [client.psReport('node-js-app'), client.psReport('node-js-app'), client.psReport('node-js-app')]
  const other = client.psReport('python-app')
  await new Promise((resolve) => setImmediate(resolve))
  release()
  const reports = await Promise.all(same)
  await other
  t.ok(reports.every((r) => r === reports[0]), 'one answer for all three')
  t.equal(runner.commands.filter((c) => c === 'ps:report node-js-app --format json').length, 1, 'one run')
  t.equal(runner.commands.filter((c) => c === 'ps:report python-app --format json').length, 1)
  await client.psReport('node-js-app')
  t.equal(runner.commands.filter((c) => c === 'ps:report node-js-app --format json').length, 2, 'a later read runs again')
})

t.test('logs: a tail through a terminal (ssh -tt): CRLF line ends, stderr merged into stdout', async (t) => {
  const runner = new FakeRunner({
    'logs node-js-app --tail --num 1': {
      status: 'cancelled', exitCode: null, error: 'cancelled',
      chunks: [
        ['stdout', '\x1b[36m2024-01-01T00:00:00.123456789Z app[web.1]:\x1b[0m GET / 200\r'],
        ['stdout', '\n\x1b[33m2024-01-01T00:00:01.123456789Z app[worker.1]:\x1b[0m job done\r\nraw line\r\n']
      ]
    },
    'logs ghost --tail --num 100': failed(20, '', ' !     App ghost does not exist\r\n'),
    'logs static-site --tail --num 100': failed(1, '', ' !     App static-site has not been deployed\r\n')
  })
  const client = new DokkuClient(runner)
  const lines: Array<[string | null, string]> = []
  const end = await client.tailLogs('node-js-app', { lines: 1, onLine: (l) => lines.push([l.process, l.message]) }).done
  t.same(lines, [['web.1', 'GET / 200'], ['worker.1', 'job done'], [null, 'raw line']], 'a CR split from its LF is not part of the message')
  t.equal(end.reason, 'stopped')
  t.match(await rejection(client.tailLogs('ghost').done), { kind: 'app-missing', message: 'App ghost does not exist', exitCode: 20 })
  t.match(await rejection(client.tailLogs('static-site').done), { kind: 'not-deployed', message: 'App static-site has not been deployed' })
})
