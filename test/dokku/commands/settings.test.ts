import t from 'tap'
import { DokkuClient } from '../../../src/dokku/client.js'
import { builderSetSelected, dockerfileReport, dockerfileSetPath } from '../../../src/dokku/commands/builder.js'
import { buildpacksAdd, buildpacksReplace } from '../../../src/dokku/commands/buildpacks.js'
import { checksChange, checksReport, checksSetWaitToRetire } from '../../../src/dokku/commands/checks.js'
import { cronList, cronRun, cronSuspend } from '../../../src/dokku/commands/cron.js'
import { dockerOptionsAdd, dockerOptionsClear, dockerOptionsRemove, dockerOptionsReport } from '../../../src/dokku/commands/docker-options.js'
import { httpAuthAddUser, httpAuthAllowedIp, httpAuthEnable, httpAuthReport } from '../../../src/dokku/commands/http-auth.js'
import { maintenanceReport, maintenanceToggle } from '../../../src/dokku/commands/maintenance.js'
import { nginxReport, nginxSet } from '../../../src/dokku/commands/nginx.js'
import { portsChange, portsReport } from '../../../src/dokku/commands/ports.js'
import { proxyReport, proxySetType, proxyToggle } from '../../../src/dokku/commands/proxy.js'
import { psSet } from '../../../src/dokku/commands/ps-set.js'
import { resourceClear, resourceReport, resourceSet } from '../../../src/dokku/commands/resource.js'
import { storageEnsureDirectory, storageList, storageMount, storageUnmount } from '../../../src/dokku/commands/storage.js'
import { DokkuError, InvalidArgumentError } from '../../../src/dokku/errors.js'
import { parseVersion } from '../../../src/dokku/parsers/version.js'
import { fixture } from '../parsers/fixture.js'
import { FakeRunner, failed } from './fake-runner.js'
import { HOSTILE, V } from './versions.js'

const v = (s: string) => parseVersion(`dokku version ${s}\n`)
const APP = 'node-js-app'

/** Every hostile value is refused with InvalidArgumentError by `build`. */
function refusesHostile (t: Tap.Test, what: string, build: (value: string) => unknown, extra: string[] = [], skip: string[] = []): void {
  for (const value of [...HOSTILE.filter((h) => !skip.includes(h)), ...extra]) {
    t.throws(() => build(value), InvalidArgumentError, `${what}: refuses ${JSON.stringify(value.slice(0, 30))}`)
  }
}

t.test('ports: the report by version, every change\'s argv, dokku\'s grammar and stricter', async (t) => {
  t.same(portsReport(APP, V.current).args, ['ports:report', APP, '--format', 'json'])
  t.same(portsReport(APP, v('0.30.0')).args, ['ports:report', APP], 'no ports plugin JSON before 0.31')
  t.equal(portsReport(APP, V.current).kind, 'read')
  t.same(portsChange(APP, 'add', ['http:80:5000', 'https:443:5000']).args, ['ports:add', APP, 'http:80:5000', 'https:443:5000'], 'one argv word per mapping')
  t.same(portsChange(APP, 'set', ['tcp:2222:22']).args, ['ports:set', APP, 'tcp:2222:22'])
  t.same(portsChange(APP, 'remove', ['80', 'http:8080:5000', '80']).args, ['ports:remove', APP, '80', 'http:8080:5000'], 'a bare port removes every map on it')
  t.same(portsChange(APP, 'clear').args, ['ports:clear', APP])
  t.equal(portsChange(APP, 'add', ['http:80:5000']).kind, undefined, 'an action: nginx reloads, nothing restarts')
  t.throws(() => portsChange(APP, 'set', ['http:80:5000', 'http:80:5001']), { field: 'map', message: /same scheme:host-port is given twice: http:80/ })
  t.doesNotThrow(() => portsChange(APP, 'set', ['http:80:5000', 'https:80:5000']), 'http:80 and https:80 may coexist')
  t.throws(() => portsChange(APP, 'remove', ['http:80']), { message: /scheme:host-port:container-port/ }, 'never the two-part form dokku refuses')
  for (const bad of ['http:0:5000', 'http:65536:5000', 'http:80:0', 'ftp:21:21', 'http:080:5000', 'http:80:5000:1', ' http:80:5000']) {
    t.throws(() => portsChange(APP, 'add', [bad]), InvalidArgumentError, bad)
  }
  t.throws(() => portsChange(APP, 'add', []), { message: /at least one/ })
  t.throws(() => portsChange(APP, 'clear', ['http:80:5000']))
  refusesHostile(t, 'ports:add', (x) => portsChange(APP, 'add', [x]))
  refusesHostile(t, 'ports:remove', (x) => portsChange(APP, 'remove', [x]))
  refusesHostile(t, 'the app', (x) => portsChange(x, 'add', ['http:80:5000']))
})

t.test('proxy: the type by version, enable and disable as jobs', async (t) => {
  t.same(proxyReport(APP, V.current).args, ['proxy:report', APP, '--format', 'json'])
  t.same(proxyReport(APP, V.v0_20).args, ['proxy:report', APP])
  t.same(proxySetType(APP, 'caddy', V.current).args, ['proxy:set', APP, 'type', 'caddy'])
  t.same(proxySetType(APP, null, V.current).args, ['proxy:set', APP, 'type'], 'no value unsets it')
  t.same(proxySetType(APP, 'caddy', V.v0_30).args, ['proxy:set', APP, 'caddy'], 'before 0.38.0 the type was the second word')
  t.same(proxySetType(APP, null, V.v0_30).args, ['proxy:set', APP, 'nginx'])
  t.throws(() => proxySetType(APP, 'http:80:5000', V.current), { message: /The proxy must be one of nginx, openresty, caddy, haproxy, traefik/ })
  t.match(proxyToggle(APP, false), { args: ['proxy:disable', APP], kind: 'job' })
  t.match(proxyToggle(APP, true), { args: ['proxy:enable', APP], kind: 'job' })
  refusesHostile(t, 'proxy:set', (x) => proxySetType(APP, x, V.current))
})

t.test('checks: bash-era JSON gate, process lists, wait-to-retire', async (t) => {
  t.same(checksReport(APP, V.current).args, ['checks:report', APP, '--format', 'json'])
  t.same(checksReport(APP, V.v0_30).args, ['checks:report', APP], 'no JSON before 0.38.0')
  t.same(checksChange(APP, 'disable', ['web', 'worker', 'web']).args, ['checks:disable', APP, 'web,worker'], 'one comma list, no spaces, de-duplicated')
  t.same(checksChange(APP, 'enable', null).args, ['checks:enable', APP])
  t.same(checksChange(APP, 'skip', ['worker']).args, ['checks:skip', APP, 'worker'])
  t.same(checksSetWaitToRetire(APP, 30).args, ['checks:set', APP, 'wait-to-retire', '30'])
  t.same(checksSetWaitToRetire(APP, null).args, ['checks:set', APP, 'wait-to-retire'])
  t.throws(() => checksSetWaitToRetire(APP, '0'), { message: /from 1 to 86400/ })
  refusesHostile(t, 'checks process types', (x) => checksChange(APP, 'disable', [x]), ['web,'])
})

t.test('resources: flags before the app, the scheduler\'s units, and the clear that wipes everything', async (t) => {
  t.same(resourceReport(APP, V.current).args, ['resource:report', APP, '--format', 'json'])
  t.same(resourceSet(APP, 'limit', '_default_', { memory: '512m', cpu: '0.5' }, V.current).args,
    ['resource:limit', '--process-type', '_default_', '--cpu', '0.5', '--memory', '512m', APP], 'keys in dokku\'s order')
  t.same(resourceSet(APP, 'reserve', 'web', { memory: 'clear' }, V.current).args, ['resource:reserve', '--process-type', 'web', '--memory', 'clear', APP])
  t.same(resourceSet(APP, 'limit', 'web', { memory: '512Mi', cpu: '500m' }, V.current, 'k3s').args, ['resource:limit', '--process-type', 'web', '--cpu', '500m', '--memory', '512Mi', APP])
  t.throws(() => resourceSet(APP, 'limit', 'web', { memory: '512Mi' }, V.current), { message: /512m or 1g/ }, 'docker-local would append m: 512Mim')
  t.throws(() => resourceSet(APP, 'limit', 'web', { memory: '512m' }, V.current, 'k3s'), { message: /512Mi or 1Gi/ })
  t.throws(() => resourceSet(APP, 'limit', 'build', { memory: '1g' }, V.v0_30), { message: /0\.38\.0/ }, 'build limits are 0.38.0+')
  t.throws(() => resourceSet(APP, 'limit', 'web', {}, V.current), { message: /at least one value/ })
  t.same(resourceClear(APP, 'limit', null, V.current).args, ['resource:limit-clear', APP])
  t.match(resourceClear(APP, 'limit', null, V.current).label, /every resource limit and reservation/, 'the label says what dokku does without a process type')
  t.same(resourceClear(APP, 'reserve', '_default_', V.current).args, ['resource:reserve-clear', '--process-type', '_default_', APP])
  refusesHostile(t, 'a memory value', (x) => resourceSet(APP, 'limit', 'web', { memory: x }, V.current), ['1e9', '512 m', '-1'])
  refusesHostile(t, 'a cpu value', (x) => resourceSet(APP, 'limit', 'web', { cpu: x }, V.current))
  refusesHostile(t, 'the process type', (x) => resourceSet(APP, 'limit', x, { cpu: '1' }, V.current))
})

t.test('storage: the colon form checked part by part; ensure-directory with --chown', async (t) => {
  t.same(storageList(APP, V.current).args, ['storage:list', APP, '--format', 'json'])
  t.same(storageList(APP, v('0.29.2')).args, ['storage:list', APP])
  t.same(storageMount(APP, '/var/lib/dokku/data/storage/a:/app/storage').args, ['storage:mount', APP, '/var/lib/dokku/data/storage/a:/app/storage'])
  t.same(storageMount(APP, 'vol1:/data:ro,Z').args, ['storage:mount', APP, 'vol1:/data:ro,Z'])
  t.same(storageMount(APP, '/srv/data/:/app/data/').args, ['storage:mount', APP, '/srv/data:/app/data'], 'trailing slashes dropped')
  t.same(storageUnmount(APP, '/a:/b').args, ['storage:unmount', APP, '/a:/b'])
  t.same(storageUnmount(APP, { entry: 'uploads', containerPath: '/app/uploads' }).args, ['storage:unmount', APP, 'uploads', '--container-dir', '/app/uploads'])
  t.same(storageEnsureDirectory(APP, 'node-js-app', 'heroku').args, ['storage:ensure-directory', '--chown', 'heroku', 'node-js-app'])
  t.same(storageEnsureDirectory(APP, 'd', '01000').args, ['storage:ensure-directory', '--chown', '1000', 'd'])
  for (const bad of ['relative/path:/x', '/a/../etc:/x', '/a:relative', '/a:/b/../c', '/a:/', 'v:/x', '/a:/b:rw,exec', '/a', '/a b:/c']) {
    t.throws(() => storageMount(APP, bad), InvalidArgumentError, bad)
  }
  t.throws(() => storageEnsureDirectory(APP, 'a/b', null), { message: /letters, digits/ })
  t.throws(() => storageEnsureDirectory(APP, 'a', 'nobody'), { message: /herokuish, heroku, paketo, root, false or a uid/ })
  refusesHostile(t, 'a mount', (x) => storageMount(APP, `/a:${x}`))
  refusesHostile(t, 'a host path', (x) => storageMount(APP, `${x}:/b`))
})

t.test('nginx: Docklight validates what dokku does not', async (t) => {
  t.same(nginxReport(APP, V.current).args, ['nginx:report', APP, '--format', 'json'])
  t.same(nginxReport(APP, V.v0_30).args, ['nginx:report', APP])
  t.same(nginxSet(APP, 'client-max-body-size', '10m').args, ['nginx:set', APP, 'client-max-body-size', '10m'])
  t.same(nginxSet(APP, 'proxy-read-timeout', null).args, ['nginx:set', APP, 'proxy-read-timeout'])
  t.same(nginxSet(APP, 'access-log-path', 'off').args, ['nginx:set', APP, 'access-log-path', 'off'])
  t.throws(() => nginxSet(APP, 'nginx-conf-sigil-path', 'x'), { message: /The nginx setting must be one of/ }, 'only the keys the section edits')
  for (const [key, bad] of [['client-max-body-size', '10m;'], ['client-max-body-size', '10 m'], ['proxy-read-timeout', '60s; add_header x y'], ['hsts', 'yes'], ['hsts-max-age', '1d'], ['error-log-path', 'logs/x.log'], ['error-log-path', '/var/log/../x']] as const) {
    t.throws(() => nginxSet(APP, key, bad), InvalidArgumentError, `${key} ${bad}`)
  }
  refusesHostile(t, 'an nginx size', (x) => nginxSet(APP, 'client-max-body-size', x), ['1m\n}', '{'])
  refusesHostile(t, 'a log path', (x) => nginxSet(APP, 'access-log-path', x))
})

t.test('ps:set: dokku\'s restart-policy rule, version gates', async (t) => {
  t.same(psSet(APP, 'restart-policy', 'on-failure:5', V.current).args, ['ps:set', APP, 'restart-policy', 'on-failure:5'])
  t.same(psSet(APP, 'restart-policy', null, V.current).args, ['ps:set', APP, 'restart-policy'])
  t.throws(() => psSet(APP, 'restart-policy', null, v('0.38.8')), { message: /cannot unset the restart policy/ }, 'a docker option before 0.38.9')
  t.throws(() => psSet(APP, 'stop-timeout-seconds', '30', v('0.35.0')), { message: /0\.36\.0/ })
  t.same(psSet(APP, 'stop-timeout-seconds', '045', V.current).args, ['ps:set', APP, 'stop-timeout-seconds', '45'])
  t.throws(() => psSet(APP, 'restart-policy', 'sometimes', V.current), { message: /no, always, unless-stopped, on-failure/ })
  t.throws(() => psSet(APP, 'procfile-path', '/etc/passwd', V.current), { message: /relative/ })
  t.throws(() => psSet(APP, 'procfile-path', '../Procfile', V.current), { message: /\.\./ })
  refusesHostile(t, 'a Procfile path', (x) => psSet(APP, 'procfile-path', x, V.current))
})

t.test('builder, Dockerfile path and buildpacks', async (t) => {
  t.same(builderSetSelected(APP, 'dockerfile').args, ['builder:set', APP, 'selected', 'dockerfile'])
  t.same(builderSetSelected(APP, null).args, ['builder:set', APP, 'selected'])
  t.same(dockerfileReport(APP, V.current).args, ['builder-dockerfile:report', APP, '--format', 'json'])
  t.same(dockerfileSetPath(APP, 'docker/web.Dockerfile').args, ['builder-dockerfile:set', APP, 'dockerfile-path', 'docker/web.Dockerfile'])
  t.same(buildpacksAdd(APP, 'heroku/ruby', 2).args, ['buildpacks:add', '--index', '2', APP, 'heroku/ruby'])
  t.same(buildpacksReplace(APP, ['heroku/nodejs', 'heroku/python'], V.current).args, ['buildpacks:set', '--replace', APP, 'heroku/nodejs', 'heroku/python'])
  t.throws(() => buildpacksReplace(APP, ['heroku/nodejs'], V.v0_38_21), { message: /0\.38\.22/ })
  for (const bad of ['ftp://x/y/z', 'https://github.com/../x', 'https://host', 'just-a-name']) t.throws(() => buildpacksAdd(APP, bad), InvalidArgumentError, bad)
  refusesHostile(t, 'a buildpack', (x) => buildpacksAdd(APP, x))
})

t.test('docker-options: refused below 0.38.25, one argv word per option, --process before the app', async (t) => {
  t.same(dockerOptionsReport(APP, V.current).args, ['docker-options:report', APP, '--format', 'json'])
  t.same(dockerOptionsReport(APP, v('0.37.5')).args, ['docker-options:report', APP])
  for (const old of ['0.38.24', '0.37.0', '0.30.0']) {
    t.throws(() => dockerOptionsAdd(APP, ['deploy'], '--ulimit nofile=1024', v(old)), { field: 'option', message: /0\.38\.25 or newer.*eval/ }, old)
    t.throws(() => dockerOptionsRemove(APP, ['deploy'], '--ulimit nofile=1024', v(old)), InvalidArgumentError)
    t.throws(() => dockerOptionsClear(APP, null, v(old)), InvalidArgumentError)
  }
  t.same(dockerOptionsAdd(APP, ['run', 'deploy', 'deploy'], '--ulimit nofile=1024', v('0.38.25')).args, ['docker-options:add', APP, 'deploy,run', '--ulimit nofile=1024'])
  t.same(dockerOptionsAdd(APP, ['deploy'], '--shm-size=256m', V.current, 'web').args, ['docker-options:add', '--process', 'web', APP, 'deploy', '--shm-size=256m'])
  t.throws(() => dockerOptionsAdd(APP, ['run'], '--shm-size=256m', V.current, 'web'), { message: /deploy phase only/ })
  t.same(dockerOptionsRemove(APP, ['deploy'], '-v /var/log/app:/app/logs', V.current).args, ['docker-options:remove', APP, 'deploy', '-v /var/log/app:/app/logs'])
  t.same(dockerOptionsClear(APP, ['build'], V.current).args, ['docker-options:clear', APP, 'build'])
  for (const bad of ['--privileged;id', '--label a=$(id)', '--label "a b"', '-v /:/host', '--process web', '--help', '--env A=`id`', '--mount type=bind\nsrc=/', '--label a b']) {
    t.throws(() => dockerOptionsAdd(APP, ['deploy'], bad, V.current), InvalidArgumentError, bad)
  }
  // A docker option is a flag by nature: `--force` is well formed (docker ignores what it does not know).
  refusesHostile(t, 'a docker option', (x) => dockerOptionsAdd(APP, ['deploy'], x, V.current), [], ['--force'])
  refusesHostile(t, 'a phase', (x) => dockerOptionsAdd(APP, [x], '--shm-size=1m', V.current))
})

t.test('cron: list by version, run as a job, suspend from 0.37.0', async (t) => {
  t.same(cronList(APP, V.current).args, ['cron:list', APP, '--format', 'json'])
  t.same(cronList(APP, V.v0_30).args, ['cron:list', APP])
  t.match(cronRun(APP, 'abc123', V.current), { args: ['cron:run', APP, 'abc123'], kind: 'job' })
  t.throws(() => cronRun(APP, 'abc', V.v0_30), { message: /0\.31\.0/ })
  t.same(cronSuspend(APP, 'abc', true, V.current).args, ['cron:suspend', APP, 'abc'])
  t.same(cronSuspend(APP, 'abc', false, V.current).args, ['cron:resume', APP, 'abc'])
  t.throws(() => cronSuspend(APP, 'abc', true, v('0.36.9')), { message: /0\.37\.0/ })
  refusesHostile(t, 'a cron id', (x) => cronRun(APP, x, V.current), ['ABC', 'a+b/c='])
})

t.test('the plugins: not installed is an answer; passwords never in history', async (t) => {
  const missing = { stdout: '', stderr: fixture('settings/maintenance-not-installed.stderr.txt'), exitCode: 1 }
  const report = maintenanceReport(APP)
  t.same(report.args, ['maintenance:report', APP], 'text: the plugin\'s JSON needs its own 0.9.0')
  t.ok(report.acceptFailure?.(missing))
  t.same(report.parse(missing), { installed: false })
  t.match(report.parse({ stdout: fixture('settings/maintenance-report.txt'), stderr: '', exitCode: 0 }), { installed: true, report: { enabled: true } })
  t.same(httpAuthReport(APP).args, ['http-auth:report', APP])
  t.same(maintenanceToggle(APP, true).args, ['maintenance:enable', APP])

  const enable = httpAuthEnable(APP, 'alice', 'correct horse battery')
  t.same(enable.args, ['http-auth:enable', APP, 'alice', 'correct horse battery'], 'the password as one argv word, the way the plugin takes it')
  t.same(enable.display, ['http-auth:enable', APP, 'alice', '<redacted>'])
  t.equal(enable.redactOutput?.('echo correct horse battery'), 'echo <redacted>')
  t.same(httpAuthEnable(APP).args, ['http-auth:enable', APP])
  t.same(httpAuthAddUser(APP, 'bob', 'long enough').display, ['http-auth:add-user', APP, 'bob', '<redacted>'])
  t.throws(() => httpAuthAddUser(APP, 'bob', 'short'), { message: /at least 8/ })
  t.throws(() => httpAuthAddUser(APP, 'bob', '-rf everything'), { message: /must not start with "-"/ }, 'mkpasswd would read an option')
  t.throws(() => httpAuthAddUser(APP, 'bo.b', 'long enough'), { message: /letters, digits/ }, 'no dot: the plugin puts the name in a sed regex')
  t.same(httpAuthAllowedIp(APP, '10.0.0.0/8', true).args, ['http-auth:add-allowed-ip', APP, '10.0.0.0/8'])
  t.same(httpAuthAllowedIp(APP, '2001:db8::1', false).args, ['http-auth:remove-allowed-ip', APP, '2001:db8::1'])
  for (const bad of ['10.0.0.0/33', '256.1.1.1', '1.2.3', '::1::', '1.2.3.4; deny all', 'localhost']) t.throws(() => httpAuthAllowedIp(APP, bad, true), InvalidArgumentError, bad)
  refusesHostile(t, 'an IP', (x) => httpAuthAllowedIp(APP, x, true))
})

t.test('the client: nothing runs on refusal; dokku\'s own errors come back as they are', async (t) => {
  const runner = new FakeRunner({
    'ports:report node-js-app --format json': { stdout: fixture('settings/ports-report-none.json') },
    'ports:add node-js-app http:80:5000': failed(1, ' !     Error validating all port mappings: The same scheme:host-port is being reused: http:80\n'),
    'maintenance:report node-js-app': failed(1, fixture('settings/maintenance-not-installed.stderr.txt')),
    'http-auth:remove-allowed-ip node-js-app 1.2.3.4': failed(1, 'Property not found, nothing was removed\n', ' -----> Removing 1.2.3.4 from allowed ip list\n'),
    'cron:run node-js-app abc': failed(1, '', 'Removing expired sessions\n')
  })
  const client = new DokkuClient(runner)
  t.same((await client.portsReport(APP)).configured, [])
  await t.rejects(client.portsChange(APP, 'add', ['http:80:5000']), { message: 'Error validating all port mappings: The same scheme:host-port is being reused: http:80' })
  t.same(await client.maintenanceReport(APP), { installed: false })
  await t.rejects(client.httpAuthAllowedIp(APP, '1.2.3.4', false), { message: /Property not found, nothing was removed/ })
  const run = await client.cronRun(APP, 'abc').catch((e: unknown) => e)
  t.type(run, DokkuError)
  t.match(run, { exitCode: 1, message: /Removing expired sessions/ }, 'exit 1 and no dokku message (the task\'s output is all there is): its own code is lost')
  const before = runner.commands.length
  await t.rejects(client.portsChange(APP, 'add', ['http:80;id:5000']), InvalidArgumentError)
  await t.rejects(client.nginxSet(APP, 'client-max-body-size', '1m;'), InvalidArgumentError)
  await t.rejects(client.dockerOptionsAdd(APP, ['deploy'], '--label $(id)', null), InvalidArgumentError)
  await t.rejects(client.httpAuthAddUser(APP, 'x;y', 'long enough'), InvalidArgumentError)
  t.equal(runner.commands.length, before, 'nothing ran for refused input')

  const old = new FakeRunner({}, '0.38.24')
  await t.rejects(new DokkuClient(old).dockerOptionsAdd(APP, ['deploy'], '--ulimit nofile=1024', null), { message: /0\.38\.25/ })
  t.same(old.commands, [], 'docker-options refused before 0.38.25, nothing run')

  const auth = new FakeRunner({ 'http-auth:add-user node-js-app bob correct horse battery': { stdout: '-----> Adding bob to basic auth list\n' } })
  await new DokkuClient(auth).httpAuthAddUser(APP, 'bob', 'correct horse battery')
  t.notMatch(JSON.stringify(auth.calls.map((c) => [c.req.display, c.stored])), /correct horse/, 'history gets <redacted>')
})

namespace Tap { export type Test = import('tap').Test }
