import t from 'tap'
import { settingsOf } from '../../../src/dokku/simulator/settings-state.js'
import { cronTaskId } from '../../../src/dokku/simulator/commands/cron.js'
import { legacyEntryName } from '../../../src/dokku/simulator/commands/storage.js'
import type { SimState } from '../../../src/dokku/simulator/state.js'
import { fixture } from '../parsers/fixture.js'
import { createSeedState } from '../../../src/dokku/simulator/seed.js'
import { makeSim, NOW } from './helpers.js'

/** The reference's examples, in the simulator's state. */
const ref = (name: string) => fixture(`settings/${name}`)

function referenceCron (s: SimState): void {
  const a = s.apps['node-js-app']!
  settingsOf(a).cron = [
    { command: 'npm run send-email', schedule: '@daily', output: ['sent'] },
    { command: 'python3 task.py', schedule: '*/5 * * * *', concurrency: 'forbid', fails: true, output: ["['task.py', 'schedule']"] }
  ]
  settingsOf(a).cronProps = { [`maintenance.${cronTaskId('node-js-app', 'python3 task.py', '*/5 * * * *')}`]: 'true' }
}

t.test('task ids and legacy entry names as dokku makes them', async (t) => {
  t.equal(cronTaskId('node-js-app', 'npm run send-email', '@daily'), '247690ba52tdfo1wwtdro75ksuq6sxb1gsws3ck8x8olqljlrnfcn5fe9bhxw321', 'the reference\'s worked example')
  t.equal(legacyEntryName('some-docker-volume'), 'legacy-7eb883343b')
  t.equal(legacyEntryName('/var/lib/dokku/data/storage/node-js-app'), 'legacy-e61bb56c8d')
})

t.test('ports: list, report (both layouts), the null map-json, changes and dokku\'s errors', async (t) => {
  const sim = await makeSim(t)
  // The seed's node-js-app has a certificate and http:80:5000 https:443:5000: the reference's example.
  t.same(await sim.run('ports:list', 'node-js-app'), { code: 0, stdout: ref('ports-list.txt'), stderr: '' })
  t.same(await sim.run('--quiet', 'ports:list', 'node-js-app'), { code: 0, stdout: ref('ports-list-quiet.txt'), stderr: '' })
  t.same(await sim.run('ports:report', 'node-js-app'), { code: 0, stdout: ref('ports-report.txt'), stderr: '' })
  t.same(await sim.run('ports:report', 'node-js-app', '--format', 'json'), { code: 0, stdout: ref('ports-report.json'), stderr: '' })
  t.same(await sim.run('ports:list', 'ruby-app'), { code: 1, stdout: '', stderr: ref('ports-list-none.stderr.txt') }, 'exit 1 with no map configured')
  t.same(await sim.run('ports:report', 'ruby-app', '--ports-map-json'), { code: 0, stdout: 'null\n', stderr: '' }, '`null`, not `[]`')
  t.same(await sim.run('ports:report', 'ruby-app', '--format', 'json'), { code: 0, stdout: ref('ports-report-none.json'), stderr: '' })
  t.same(await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.38.8' } }, 'ports:report', 'ruby-app', '--format', 'json'), {
    code: 0, stdout: '{"map":"","map-detected":"http:80:5000","ports-map":"","ports-map-detected":"http:80:5000"}\n', stderr: ''
  }, 'no *-json keys before 0.38.26')

  const single = await makeSim(t, { setup: (s) => { s.apps['ruby-app']!.vhosts = ['node-js-app.dokku.me'] } })
  t.same(await single.run('ports:add', 'ruby-app', 'http:80:5000'), { code: 0, stdout: ref('ports-add-nginx.txt'), stderr: '' }, 'nginx rebuilt, no restart')
  t.same(await single.run('ports:add', 'ruby-app', 'http:80:5001'), { code: 1, stdout: '', stderr: ' !     Error validating all port mappings: The same scheme:host-port is being reused: http:80\n' })
  t.same(await single.run('ports:set', 'ruby-app', 'http:81:5000', 'http:81:5001'), { code: 1, stdout: '', stderr: ' !     Error validating port mappings: The same scheme:host-port is being reused: http:81\n' })
  t.same(await single.run('ports:remove', 'ruby-app', 'http:80'), { code: 1, stdout: '', stderr: ' !     Invalid port map http:80 [len=2]\n' }, 'the docs\' example fails')
  t.same(await single.run('ports:add', 'ruby-app', 'http:abc:5000'), { code: 1, stdout: '', stderr: ' !     Invalid port map http:abc:5000 [err=strconv.Atoi: parsing "abc": invalid syntax]\n' })
  t.same(await single.run('ports:add', 'ruby-app', 'http:0:5000'), { code: 1, stdout: '', stderr: ' !     Invalid port map http:0:5000 [hostPort=0]\n' })
  t.same(await single.run('ports:add', 'ruby-app'), { code: 1, stdout: '', stderr: ' !     No port mapping specified\n' })
  t.equal((await single.run('ports:add', 'ruby-app', 'http:80:5000  https:443:5000')).code, 1, 'a double space is an empty token')
  t.equal((await single.run('ports:add', 'ruby-app', 'https:80:5000 8080')).code, 0, 'https:80 next to http:80; a bare port is dropped')
  t.same((await single.run('--quiet', 'ports:list', 'ruby-app')).stdout, '    http   80  5000\n    https  80  5000\n')
  t.equal((await single.run('ports:remove', 'ruby-app', '80')).code, 0, 'a bare port removes every map on it')
  t.equal((await single.run('ports:list', 'ruby-app')).code, 1)
  t.equal((await single.run('ports:add', 'nope', 'http:80:5000')).code, 20)
})

t.test('proxy: report, set, and disable restarting the app and wiping its port map', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('proxy:report', 'node-js-app'), { code: 0, stdout: ref('proxy-report.txt'), stderr: '' })
  t.same(await sim.run('proxy:set', 'node-js-app', 'http:80:5000'), { code: 1, stdout: '', stderr: ' !     Detected potential port mapping instead of proxy type\n !     Consider using ports:set command or specifying a valid proxy\n' })
  t.same(await sim.run('proxy:set', 'node-js-app', 'caddy'), { code: 0, stdout: '=====> Setting type to caddy\n', stderr: '' }, 'an unknown key without a value is the type')
  t.same(await sim.run('proxy:set', 'node-js-app', 'type'), { code: 0, stdout: '=====> Unsetting type\n', stderr: '' })
  t.same(await sim.run('proxy:set', 'node-js-app', 'colour', 'red'), { code: 1, stdout: '', stderr: ' !     Invalid property specified, valid properties include: disabled, proxy-port, proxy-ssl-port, type\n' })
  const disable = await sim.run('proxy:disable', 'node-js-app')
  t.equal(disable.code, 0)
  t.match(disable.stdout, /^-----> Disabling proxy for app\n-----> App virtual host support disabled\n[\s\S]*-----> Deploying web \(count=2\)/, 'then a full restart')
  t.equal((await sim.run('ports:report', 'node-js-app', '--ports-map')).stdout, '\n', 'the map with http:80 and https:443 is gone')
  t.match((await sim.run('proxy:report', 'node-js-app', '--format', 'json')).stdout, /"computed-disabled":"true".*"enabled":"false"/)
  t.same(await sim.run('proxy:disable', 'node-js-app'), { code: 0, stdout: '-----> Proxy is already disable for app\n', stderr: '' }, 'sic')
  t.match((await sim.run('proxy:enable', 'node-js-app')).stdout, /^-----> Enabling proxy for app\n/)
  t.equal((await sim.run('domains:report', 'node-js-app', '--domains-app-vhosts')).stdout, 'node-js-app.dokku.me\n', 'the default domain back')
})

t.test('checks: the reports and dokku\'s list handling, surprises included', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('checks:report', 'node-js-app', '--format', 'json'), { code: 0, stdout: ref('checks-report.json'), stderr: '' })
  t.same(await sim.run('checks:report', 'node-js-app'), { code: 0, stdout: fixture('misc/checks-report.txt'), stderr: '' })
  t.same(await sim.run('checks:skip', 'node-js-app', 'worker,web'), { code: 0, stdout: "-----> Skipping zero downtime for app's (node-js-app) proctypes (worker,web)\n", stderr: '' }, 'verbatim in the docs')
  t.same(await sim.run('checks:disable', 'node-js-app'), { code: 0, stdout: '-----> Disabling zero downtime for app (node-js-app)\n', stderr: '' })
  t.equal((await sim.run('checks:report', 'node-js-app', '--checks-skipped-list')).stdout, 'none\n', 'bare disable clears skipped')
  await sim.run('checks:enable', 'node-js-app', 'web')
  t.equal((await sim.run('checks:report', 'node-js-app', '--checks-disabled-list')).stdout, '_all_\n', 'enabling one type while _all_ is disabled does nothing')
  await sim.run('checks:disable', 'node-js-app', 'web')
  t.equal((await sim.run('checks:report', 'node-js-app', '--checks-disabled-list')).stdout, 'web\n', 'disabling one type drops _all_')
  t.same(await sim.run('checks:set', 'node-js-app', 'wait', '10'), { code: 1, stdout: '', stderr: ' !     Invalid key specified, valid keys include: wait-to-retire\n' }, 'the docs\' keys are refused')
  t.same(await sim.run('checks:set', 'node-js-app', 'wait-to-retire', '30'), { code: 0, stdout: '=====> Setting wait-to-retire to 30\n', stderr: '' })
  t.equal((await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.37.0' } }, 'checks:report', 'node-js-app')).stdout.split('\n')[1], '       Checks disabled list:          web                      ', 'bash layout before 0.38.22')
})

t.test('resource: set in any order, show, and the clear that takes reservations with it', async (t) => {
  const sim = await makeSim(t, { setup: (s) => { settingsOf(s.apps['node-js-app']!).resource = { '_default_.limit.memory': '512MB', 'web.reserve.cpu': '0.5' } } })
  t.same(await sim.run('resource:report', 'node-js-app'), { code: 0, stdout: fixture('misc/resource-report.txt'), stderr: '' })
  t.same(await sim.run('resource:report', 'node-js-app', '--format', 'json'), { code: 0, stdout: fixture('misc/resource-report.json'), stderr: '' })
  const set = await sim.run('resource:limit', '--process-type', 'worker', '--memory', '1g', '--cpu', '2', 'node-js-app')
  t.equal(set.stdout.split('\n')[0], '=====> Setting resource limits for node-js-app (worker)')
  t.same(set.stdout.split('\n').slice(1, 3).sort(), ['       cpu: 2', '       memory: 1g'], 'one line per flag (the order is random in dokku)')
  t.equal((await sim.run('resource:limit', 'node-js-app')).stdout, '=====> resource limits node-js-app information [defaults]\n       cpu: \n       memory: 512MB\n       memory-swap: \n       network: \n       network-ingress: \n       network-egress: \n       nvidia-gpu: \n')
  t.same(await sim.run('resource:limit-clear', '--process-type', 'worker', 'node-js-app'), { code: 0, stdout: '=====> clearing node-js-app limits (worker)\n', stderr: '' })
  t.same(await sim.run('resource:limit-clear', 'node-js-app'), { code: 0, stdout: '=====> clearing node-js-app limits\n', stderr: '' })
  t.same(await sim.run('resource:report', 'node-js-app', '--format', 'json'), { code: 0, stdout: '{}\n', stderr: '' }, 'the reservation went too')
})

t.test('storage: list in both formats and eras, mount, unmount, ensure-directory', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('storage:mount', 'node-js-app', 'some-docker-volume:/data:ro'), { code: 0, stdout: '', stderr: '' }, 'no output on success')
  t.same(await sim.run('storage:list', 'node-js-app'), { code: 0, stdout: ref('storage-list.txt'), stderr: '' }, 'sorted by entry name')
  t.same(await sim.run('storage:list', 'node-js-app', '--format', 'json'), { code: 0, stdout: ref('storage-list.json'), stderr: '' })
  t.same(await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.37.4' } }, 'storage:list', 'node-js-app', '--format', 'json'), { code: 0, stdout: ref('storage-list-bash.json'), stderr: '' })
  t.same(await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.37.4' } }, 'storage:list', 'node-js-app'), { code: 0, stdout: ref('storage-list-raw.txt'), stderr: '' })
  t.same(await sim.run('storage:mount', 'node-js-app', 'some-docker-volume:/data'), { code: 1, stdout: '', stderr: ' !     Mount path already exists.\n' })
  t.same(await sim.run('storage:mount', 'node-js-app', 'relative:x'), { code: 1, stdout: '', stderr: ' !     Volume name must be two characters or more. Volume name must not contain invalid characters. Storage path must be two valid paths divided by colon.\n' })
  t.same(await sim.run('storage:mount', 'node-js-app', '/a:b'), { code: 1, stdout: '', stderr: ' !     Storage path must be two valid paths divided by colon.\n' })
  t.same(await sim.run('storage:mount', 'node-js-app', '/a'), { code: 1, stdout: '', stderr: ' !     storage entry "/a" does not exist; create it first with `dokku storage:create`\n' }, 'no colon: a named entry')
  t.same(await sim.run('storage:unmount', 'node-js-app', '/nope:/x'), { code: 1, stdout: '', stderr: ' !     Mount path does not exist.\n' })
  t.same(await sim.run('storage:unmount', 'node-js-app', 'some-docker-volume:/data'), { code: 0, stdout: '', stderr: '' }, 'options do not matter to unmount')
  t.same(await sim.run('storage:ensure-directory', 'node-js-app'), {
    code: 0, stdout: ref('storage-ensure-directory.txt'), stderr: " !     Deprecated: please use 'storage:create' instead of 'storage:ensure-directory'\n"
  })
  t.match((await sim.run('storage:ensure-directory', '--chown', 'heroku', 'x')).stdout, /Setting directory ownership to 1000:1000/, 'the test in tests/unit/storage-1.bats')
  t.same(await sim.run('storage:ensure-directory', '--chown', 'nobody', 'x'), { code: 1, stdout: '', stderr: " !     Deprecated: please use 'storage:create' instead of 'storage:ensure-directory'\n !     Unsupported chown permissions\n" })
  t.equal((await sim.run('storage:ensure-directory', 'a/b')).code, 1)
})

t.test('nginx: any value stored, the app never checked, the logs', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('nginx:set', 'typo-app', 'client-max-body-size', '10m'), { code: 0, stdout: '=====> Setting client-max-body-size to 10m\n', stderr: '' }, 'no app check since 0.35.2')
  t.same(await sim.run('nginx:set', 'node-js-app', 'proxy-keepalive', 'x'), { code: 1, stdout: '', stderr: ' !     Invalid value for proxy-keepalive: must be an integer\n' })
  t.equal((await sim.run('nginx:set', 'node-js-app', 'client-max-body-size', '1m;}')).code, 0, 'dokku takes anything: Docklight must validate')
  t.equal((await sim.run('nginx:report', 'node-js-app', '--nginx-computed-proxy-read-timeout')).stdout, '60s\n')
  t.equal((await sim.run('nginx:access-logs', 'node-js-app')).stdout.split('\n').length - 1, 20, 'tail -n 20')
  await sim.run('nginx:set', 'node-js-app', 'error-log-path', 'off')
  t.same(await sim.run('nginx:error-logs', 'node-js-app'), { code: 1, stdout: '', stderr: ' !     error logs are disabled for this app\n' })
})

t.test('docker-options: report in both forms, split and sorted options, clear per phase', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('docker-options:add', 'node-js-app', 'deploy', '--ulimit nofile=12 -v /var/log/app:/app/logs'), { code: 0, stdout: '', stderr: '' })
  await sim.run('docker-options:add', 'node-js-app', 'run', '--ulimit nofile=12')
  t.same(await sim.run('docker-options:add', '--process', 'web', 'node-js-app', 'deploy', '-p 6789:5000'), { code: 0, stdout: '', stderr: '' })
  t.same(await sim.run('docker-options:report', 'node-js-app'), { code: 0, stdout: ref('docker-options-report.txt'), stderr: '' })
  t.same(await sim.run('docker-options:report', 'node-js-app', '--format', 'json'), { code: 0, stdout: ref('docker-options-report.json'), stderr: '' })
  t.same(await sim.run('docker-options:add', 'node-js-app', 'deploy,nope', '--x'), { code: 1, stdout: '', stderr: ' !     Phase(s) must be one of [build deploy run]\n' })
  t.same(await sim.run('docker-options:add', '--process', 'web', 'node-js-app', 'run', '--x'), { code: 1, stdout: '', stderr: ' !     --process is only supported for the deploy phase, got "run"\n' })
  t.same(await sim.run('docker-options:add', 'node-js-app', 'build'), { code: 1, stdout: '', stderr: ' !     Please specify docker options to add to the phase\n' })
  t.same(await sim.run('docker-options:clear', 'node-js-app', 'run'), { code: 0, stdout: '-----> Clearing docker-options for node-js-app on phase run\n', stderr: '' })
  t.same(await sim.run('docker-options:clear', 'node-js-app'), { code: 0, stdout: '-----> Clearing docker-options for node-js-app on all phases\n', stderr: '' })
  t.same(await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.37.0' } }, 'docker-options:report', 'node-js-app', '--format', 'json'), {
    code: 1, stdout: '', stderr: ' !     Invalid flag passed, valid flags: --docker-options-build --docker-options-deploy --docker-options-run\n'
  }, 'no JSON before the Go plugin')
})

t.test('builder and buildpacks', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('buildpacks:add', 'node-js-app', 'heroku/nodejs'), { code: 0, stdout: '', stderr: '' })
  await sim.run('buildpacks:add', 'node-js-app', 'https://github.com/heroku/heroku-buildpack-python.git')
  t.same(await sim.run('buildpacks:report', 'node-js-app'), { code: 0, stdout: fixture('misc/buildpacks-report.txt'), stderr: '' })
  t.same(await sim.run('buildpacks:report', 'node-js-app', '--format', 'json'), { code: 0, stdout: fixture('misc/buildpacks-report.json'), stderr: '' })
  t.same(await sim.run('buildpacks:set', 'node-js-app', 'a/b', 'c/d'), { code: 1, stdout: '', stderr: ' !     Setting multiple buildpacks requires the --replace flag\n' })
  t.equal((await sim.run('buildpacks:set', '--replace', 'node-js-app', 'heroku/python', 'heroku/nodejs')).code, 0)
  t.equal((await sim.run('buildpacks:report', 'node-js-app', '--buildpacks-list')).stdout, 'https://github.com/heroku/heroku-buildpack-python.git,https://github.com/heroku/heroku-buildpack-nodejs.git\n')
  t.same(await sim.run('buildpacks:remove', 'node-js-app', 'heroku/python'), { code: 0, stdout: '-----> Removing https://github.com/heroku/heroku-buildpack-python.git\n', stderr: '' })
  t.same(await sim.run('buildpacks:add', 'node-js-app', 'ftp://x'), { code: 1, stdout: '', stderr: ' !     Invalid buildpack specified: ftp://x\n' })
  t.same(await sim.run('builder:set', 'node-js-app', 'detected', 'x'), { code: 0, stdout: '', stderr: ' !     detected is a read-only property\n' })
  t.same(await sim.run('builder:set', 'node-js-app', 'selected', 'dockerfile'), { code: 0, stdout: '=====> Setting selected to dockerfile\n', stderr: '' })
})

t.test('cron: list (text and JSON), report, run losing the exit code, suspend and resume', async (t) => {
  const sim = await makeSim(t, { setup: referenceCron })
  t.same(await sim.run('cron:list', 'node-js-app'), { code: 0, stdout: ref('cron-list.txt'), stderr: '' })
  t.same(await sim.run('cron:report', 'node-js-app'), { code: 0, stdout: ref('cron-report.txt'), stderr: '' })
  const json = JSON.parse((await sim.run('cron:list', 'node-js-app', '--format', 'json')).stdout) as unknown[]
  t.same(JSON.stringify(json[0]) + '\n', ref('cron-list.json').replace(/^\[|\]\n$/g, '') + '\n', 'the reference\'s first task, byte for byte')
  const id1 = '247690ba52tdfo1wwtdro75ksuq6sxb1gsws3ck8x8olqljlrnfcn5fe9bhxw321'
  const id2 = cronTaskId('node-js-app', 'python3 task.py', '*/5 * * * *')
  t.same(await sim.run('cron:run', 'node-js-app', id1), { code: 0, stdout: 'sent\n', stderr: '' }, 'only the container\'s output')
  t.same(await sim.run('cron:run', 'node-js-app', id2), { code: 1, stdout: "['task.py', 'schedule']\n", stderr: '' }, 'a failure: exit 1 and no message')
  t.same(await sim.run('cron:run', 'node-js-app', 'nope'), { code: 1, stdout: '', stderr: " !     No matching Cron ID found. Please specify a Cron ID from the output of 'dokku cron:list node-js-app'\n" })
  t.match((await sim.run('cron:run', 'node-js-app', id1, '--detach')).stdout, /^node-js-app\.cron\.[0-9a-f]{6}\n$/)
  t.same(await sim.run('cron:resume', 'node-js-app', id2), { code: 0, stdout: `=====> Unsetting maintenance.${id2}\n-----> Updated schedule file\n`, stderr: '' })
  t.same(await sim.run('cron:suspend', 'node-js-app', 'nope'), { code: 1, stdout: '', stderr: ' !     Invalid task maintenance property, no matching task ID found: maintenance.nope\n' })
  t.equal((await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.36.0' } }, 'cron:suspend', 'node-js-app', id1)).code, 1, 'no suspend before 0.37.0')
  t.same(await sim.run('cron:list', 'static-site'), { code: 0, stdout: ref('cron-list-none.txt'), stderr: '' }, 'never deployed: no app.json, no tasks')
})

t.test('maintenance and http-auth: reports, messages, and not installed', async (t) => {
  const sim = await makeSim(t, {
    setup: (s) => {
      settingsOf(s.apps['node-js-app']!).maintenance = true
      settingsOf(s.apps['node-js-app']!).httpAuth = { enabled: true, users: ['alice', 'bob'], allowedIps: ['127.0.0.1', '10.0.0.0/8'] }
    }
  })
  t.same(await sim.run('maintenance:report', 'node-js-app'), { code: 0, stdout: ref('maintenance-report.txt'), stderr: '' })
  t.same(await sim.run('maintenance:report', 'node-js-app', '--format', 'json'), { code: 0, stdout: '{"enabled":"true","custom-page-sha256":""}\n', stderr: '' })
  t.same(await sim.run('maintenance:enable', 'node-js-app'), { code: 0, stdout: '-----> Maintenance mode already enabled\n', stderr: '' })
  t.same(await sim.run('maintenance:disable', 'node-js-app'), { code: 0, stdout: '-----> Disabling maintenance mode for node-js-app...\n       Done\n', stderr: '' })
  t.same(await sim.run('http-auth:report', 'node-js-app'), { code: 0, stdout: ref('http-auth-report.txt'), stderr: '' })
  t.same(await sim.run('http-auth:add-user', 'node-js-app', 'carol', 'x'), { code: 0, stdout: '-----> Adding carol to basic auth list\n', stderr: '' })
  t.same(await sim.run('http-auth:add-user', 'node-js-app', 'dave'), { code: 1, stdout: '', stderr: ' !     Missing username\n' }, 'a missing password says "Missing username" too')
  t.same(await sim.run('http-auth:remove-allowed-ip', 'node-js-app', '1.2.3.4'), { code: 1, stdout: '-----> Removing 1.2.3.4 from allowed ip list\n', stderr: 'Property not found, nothing was removed\n' })
  t.same(await sim.run('http-auth:disable', 'node-js-app'), { code: 0, stdout: '-----> Disabling HTTP auth for node-js-app...\n       Done\n', stderr: '' })
  t.same(await sim.run('http-auth:add-user', 'node-js-app', 'erin', 'x'), { code: 1, stdout: '', stderr: ' !     Authentication is disabled\n' })
  t.same(await sim.run('http-auth:enable', 'node-js-app'), { code: 0, stdout: '-----> Enabling HTTP auth for node-js-app...\n       Done\n', stderr: ' !     Skipping user initialization\n' })
  t.match((await sim.run('http-auth:report', 'node-js-app', '--http-auth-users')).stdout, /^alice bob carol\n$/, 'users kept across disable')

  const bare = await makeSim(t, { setup: (s) => { s.plugins = s.plugins.filter((p) => p.name !== 'maintenance' && p.name !== 'http-auth') } })
  t.same(await bare.run('maintenance:report', 'node-js-app'), { code: 1, stdout: '', stderr: ref('maintenance-not-installed.stderr.txt') })
  t.equal((await bare.run('http-auth:enable', 'node-js-app')).code, 1)
})

t.test('ps:set: dokku\'s checks and the messages of CommandPropertySet', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('ps:set', 'node-js-app', 'restart-policy', 'sometimes'), { code: 1, stdout: '', stderr: ' !     Invalid restart-policy specified\n' })
  t.same(await sim.run('ps:set', 'node-js-app', 'stop-timeout-seconds', '45'), { code: 0, stdout: '=====> Setting stop-timeout-seconds to 45\n', stderr: '' })
  t.equal((await sim.run('ps:report', 'node-js-app', '--ps-stop-timeout-seconds')).stdout, '45\n')
  t.same(await sim.run('ps:set', 'node-js-app', 'restart-policy'), { code: 0, stdout: '=====> Unsetting restart-policy\n', stderr: '' })
  t.same(await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.38.8' } }, 'ps:set', 'node-js-app', 'restart-policy'), { code: 1, stdout: '', stderr: ' !     Invalid restart-policy specified\n' }, 'not unsettable before 0.38.9')
  t.same(await sim.run('ps:set', 'nope', 'procfile-path', 'x'), { code: 20, stdout: '', stderr: ' !     App nope does not exist\n' })
})

t.test('the reports and commands the settings page reaches less often, byte for byte', async (t) => {
  const sim = await makeSim(t)
  const v = (version: string, ...argv: string[]) => sim.runWith({ env: { DOKKU_SIM_VERSION: version } }, ...argv)

  // builder and builder-dockerfile: the reference's examples.
  await sim.run('builder:set', 'node-js-app', 'selected', 'dockerfile')
  t.same(await sim.run('builder-dockerfile:set', 'node-js-app', 'dockerfile-path', 'docker/web.Dockerfile'), { code: 0, stdout: '=====> Setting dockerfile-path to docker/web.Dockerfile\n', stderr: '' })
  t.same(await sim.run('builder-dockerfile:report', 'node-js-app'), { code: 0, stdout: ref('dockerfile-report.txt'), stderr: '' })
  t.same(await sim.run('builder-dockerfile:report', 'node-js-app', '--format', 'json'), { code: 0, stdout: ref('dockerfile-report.json'), stderr: '' })
  t.match((await sim.run('builder:report', 'node-js-app')).stdout, /Builder computed selected: +dockerfile\n/)
  t.match(JSON.parse((await sim.run('builder:report', 'node-js-app', '--format', 'json')).stdout), { selected: 'dockerfile', 'computed-selected': 'dockerfile' })
  t.same(await sim.run('builder-dockerfile:set', 'node-js-app', 'nope', 'x'), { code: 1, stdout: '', stderr: ' !     Invalid key specified, valid keys include: dockerfile-path\n' })

  // buildpacks: index, list, remove by index, clear.
  await sim.run('buildpacks:add', 'node-js-app', 'heroku/ruby')
  t.same(await sim.run('buildpacks:add', '--index', '1', 'node-js-app', 'heroku/nodejs'), { code: 0, stdout: '', stderr: '' })
  t.same(await sim.run('buildpacks:list', 'node-js-app'), {
    code: 0, stdout: '-----> node-js-app buildpack urls\n       https://github.com/heroku/heroku-buildpack-nodejs.git\n       https://github.com/heroku/heroku-buildpack-ruby.git\n', stderr: ''
  })
  t.same(await sim.run('buildpacks:set', '--index', '2', 'node-js-app', 'heroku/python'), { code: 0, stdout: '', stderr: '' })
  t.same(await sim.run('buildpacks:remove', '--index', '1', 'node-js-app'), { code: 0, stdout: '-----> Removing https://github.com/heroku/heroku-buildpack-nodejs.git\n', stderr: '' })
  t.equal((await sim.run('buildpacks:remove', '--index', '9', 'node-js-app')).stderr, ' !     Index not found\n')
  t.same(await sim.run('buildpacks:clear', 'node-js-app'), { code: 0, stdout: '', stderr: '' })
  t.same(await sim.run('buildpacks:list', 'node-js-app'), { code: 0, stdout: '-----> node-js-app buildpack urls\n', stderr: '' }, 'the header alone')

  // proxy: the four-key report before 0.38.8, the old set syntax, enable twice, build-config.
  t.equal((await v('0.38.5', 'proxy:report', 'node-js-app', '--proxy-global-type')).stdout, 'nginx\n', 'the global type defaulted to nginx')
  t.same(await v('0.37.0', 'proxy:set', 'node-js-app', 'caddy'), { code: 0, stdout: '=====> Setting type to caddy\n', stderr: '' }, 'proxy:set <app> <type> before 0.38')
  t.same(await v('0.35.0', 'proxy:report', 'node-js-app'), { code: 0, stdout: ref('proxy-report-0.35.txt'), stderr: '' }, 'computed hid the app\'s type')
  t.equal((await v('0.38.6', 'proxy:report', 'node-js-app', '--proxy-computed-type')).stdout, 'caddy\n', 'from 0.38.6 the app\'s type wins')
  t.same(await sim.run('proxy:enable', 'node-js-app'), { code: 0, stdout: '-----> Proxy is already enabled for app\n', stderr: '' })
  await sim.run('proxy:set', 'node-js-app', 'type', 'nginx')
  const built = await sim.run('proxy:build-config', 'node-js-app')
  t.equal(built.code, 0)
  t.match(built.stdout, /nginx/)
  t.equal((await sim.run('proxy:build-config', 'nope')).code, 20)

  // ports: clear.
  t.match(await sim.run('ports:clear', 'node-js-app'), { code: 0, stdout: /Reloading nginx\n$/, stderr: '' }, 'nginx rebuilt')
  t.equal((await sim.run('ports:list', 'node-js-app')).code, 1, 'nothing configured after a clear')

  // docker-options: single flags, the bash-era text, clear per process.
  await sim.run('docker-options:add', '--process', 'web', 'node-js-app', 'deploy', '--shm-size 256m')
  t.equal((await sim.run('docker-options:report', 'node-js-app', '--docker-options-deploy.web')).stdout, '--shm-size 256m\n')
  t.equal((await sim.run('docker-options:report', 'node-js-app', '--nope')).code, 1)
  t.match((await v('0.37.0', 'docker-options:report', 'node-js-app')).stdout, /^=====> node-js-app docker options information\n/)
  t.equal((await v('0.37.0', 'docker-options:report', 'node-js-app', '--docker-options-build')).stdout, '', 'an empty single flag prints nothing')
  t.equal((await v('0.37.0', 'docker-options:report', 'node-js-app', '--nope')).code, 1)
  t.same(await sim.run('docker-options:clear', '--process', 'web', 'node-js-app', 'deploy'), { code: 0, stdout: '-----> Clearing docker-options for node-js-app on phase deploy for process web\n', stderr: '' })

  // storage: an entry name that does not exist; no ensure-directory before 0.25.5.
  t.same(await sim.run('storage:mount', 'node-js-app', 'uploads'), { code: 1, stdout: '', stderr: ' !     storage entry "uploads" does not exist; create it first with `dokku storage:create`\n' })
  t.same(await sim.run('storage:unmount', 'node-js-app', 'uploads'), { code: 1, stdout: '', stderr: ' !     storage entry "uploads" is not mounted on node-js-app\n' })
  t.equal((await v('0.25.0', 'storage:ensure-directory', 'node-js-app')).code, 1)

  // cron:set: app and global keys, and the global-only ones.
  t.same(await sim.run('cron:set', 'node-js-app', 'maintenance', 'true'), { code: 0, stdout: '=====> Setting maintenance to true\n-----> Removed\n', stderr: '' }, 'no runnable task left')
  t.same(await sim.run('cron:set', 'node-js-app', 'mailto', 'ops@example.com'), { code: 1, stdout: '', stderr: ' !     Property cannot be specified on a per-app basis\n' })
  t.same(await sim.run('cron:set', '--global', 'mailto', 'ops@example.com'), { code: 0, stdout: '=====> Setting mailto to ops@example.com\n-----> Removed\n', stderr: '' })

  // maintenance and http-auth aliases warn and still work.
  const on = await sim.run('maintenance:on', 'node-js-app')
  t.match(on, { code: 0, stdout: /Enabling maintenance mode for node-js-app/, stderr: /Deprecated: Please use maintenance:enable/ })
  t.match(await sim.run('maintenance:off', 'node-js-app'), { code: 0, stdout: /Disabling maintenance mode/ })
  t.match(await sim.run('http-auth:on', 'node-js-app', 'alice', 'long password'), { code: 0, stdout: /Enabling HTTP auth for node-js-app/ })
  t.match(await sim.run('http-auth:off', 'node-js-app'), { code: 0, stdout: /Disabling HTTP auth for node-js-app/ })
  t.same(await sim.run('maintenance:report', '--global', '--format', 'json'), { code: 0, stdout: '{}\n', stderr: '' })
  t.same(await sim.run('http-auth:disable', 'node-js-app'), { code: 0, stdout: '-----> Authentication already disabled\n', stderr: '' })
  t.match(await sim.run('http-auth:enable', 'node-js-app'), { code: 0, stdout: /Enabling HTTP auth/ })
  t.same(await sim.run('http-auth:enable', 'node-js-app'), {
    code: 0, stdout: '-----> Authentication already enabled, use http-auth:add-user or http-auth:remove-user to modify users\n', stderr: ''
  })
  await sim.run('http-auth:disable', 'node-js-app')
  t.same(await sim.run('http-auth:add-allowed-ip', 'node-js-app', '10.0.0.1'), { code: 0, stdout: '-----> Adding 10.0.0.1 to allowed ip list\n', stderr: '' })
  t.same(await sim.run('http-auth:add-allowed-ip', 'node-js-app', '10.0.0.1'), { code: 0, stdout: '-----> Adding 10.0.0.1 to allowed ip list\n', stderr: '' }, 'a duplicate: said, then nothing')
  t.match((await sim.run('http-auth:report', 'node-js-app')).stdout, /Http auth enabled: +true/, 'the IP command turned auth back on')
  t.same(await sim.run('http-auth:remove-allowed-ip', 'node-js-app', '10.0.0.1'), { code: 0, stdout: '-----> Removing 10.0.0.1 from allowed ip list\n', stderr: '' })
})

t.test('seed b: the API\'s hourly task, which fails', async (t) => {
  const s = createSeedState({ now: NOW, seed: 'b' })
  t.match(s.apps.api?.settings?.cron, [{ command: './bin/reindex --all', schedule: '@hourly', fails: true }])
})
