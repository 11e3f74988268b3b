import t from 'tap'
import { fixture, makeSim, onlyApps } from './helpers.js'

t.test('version', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('version'), { code: 0, stdout: fixture('version.txt'), stderr: '' })
  t.equal((await sim.run('--version')).stdout, fixture('version.txt'))
  t.equal((await sim.run('-v')).stdout, fixture('version.txt'))
  t.equal((await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.30.0' } }, 'version')).stdout, 'dokku version 0.30.0\n')
})

t.test('apps:list matches the reference examples', async (t) => {
  const sim = await makeSim(t, { setup: (s) => onlyApps(s, ['node-js-app', 'python-app']) })
  t.same(await sim.run('apps:list'), { code: 0, stdout: fixture('apps-list.txt'), stderr: '' })
  t.same(await sim.run('--quiet', 'apps:list'), { code: 0, stdout: fixture('apps-list-quiet.txt'), stderr: '' })
  t.same(await sim.run('apps:list', '--format', 'json'), { code: 0, stdout: fixture('apps-list.json'), stderr: '' })
  t.same(await sim.run('apps:list', '--format=json'), { code: 0, stdout: fixture('apps-list.json'), stderr: '' })
  t.equal((await sim.run('apps')).stdout, fixture('apps-list.txt'))
  const bad = await sim.run('apps:list', '--format', 'xml')
  t.equal(bad.code, 1)
})

t.test('apps:list with no apps', async (t) => {
  const sim = await makeSim(t, { setup: (s) => onlyApps(s, []) })
  t.same(await sim.run('apps:list'), { code: 0, stdout: '=====> My Apps\n', stderr: " !     You haven't deployed any applications yet\n" })
  t.same(await sim.run('apps:list', '--format', 'json'), { code: 0, stdout: '[]\n', stderr: '' })
})

t.test('apps:list rejects flags after the command like pflag', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('apps:list', '--quiet'), {
    code: 2,
    stdout: '',
    stderr: 'Usage of apps:list:\n      --format string   format: [ stdout | json ] (default "stdout")\nunknown flag: --quiet\n'
  })
  t.same(await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.38.20' } }, 'apps:list', '--format', 'json'), {
    code: 2, stdout: '', stderr: 'Usage of apps:list:\nunknown flag: --format\n'
  })
  const help = await sim.run('apps:list', '--help')
  t.equal(help.code, 0)
  t.match(help.stderr, /^Usage of apps:list:\n/)
})

t.test('apps:create', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('apps:create', 'node-js-app-2'), { code: 0, stdout: '-----> Creating node-js-app-2...\n', stderr: '' })
  t.same(await sim.run('--quiet', 'apps:create', '1994testapp'), { code: 0, stdout: '', stderr: '' })
  const errors = fixture('apps-create-errors.stderr.txt').split('\n')
  t.same(await sim.run('apps:create'), { code: 1, stdout: '', stderr: errors[0] + '\n' })
  for (const bad of ['testapp:latest', 'TestApp', 'test/app', 'test_app', 'test;id', 'test$cmd', 'test|cmd', 'test&cmd']) {
    t.same(await sim.run('apps:create', bad), { code: 1, stdout: '', stderr: errors[1] + '\n' }, bad)
  }
  t.same(await sim.run('apps:create', 'node-js-app'), { code: 1, stdout: '', stderr: errors[2] + '\n' })
  const s = await sim.state()
  t.ok(s.apps['node-js-app-2'])
  t.same(s.apps['node-js-app-2']!.vhosts, ['node-js-app-2.dokku.me'])
  t.equal(s.apps['node-js-app-2']!.deployed, false)
  // the reference example, on a host without that app
  const fresh = await makeSim(t, { setup: (st) => onlyApps(st, []) })
  t.same(await fresh.run('apps:create', 'node-js-app'), { code: 0, stdout: fixture('apps-create.txt'), stderr: '' })
})

t.test('apps:destroy', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('--force', 'apps:destroy', 'node-js-app'), { code: 0, stdout: fixture('apps-destroy.txt'), stderr: '' })
  t.notOk((await sim.state()).apps['node-js-app'])
  t.same((await sim.state()).services.postgres!.lollipop!.links, [], 'links are dropped')
  t.equal((await sim.run('apps:destroy', 'python-app', '--force')).code, 0)
  t.same(await sim.run('--force', 'apps:destroy', 'nope'), { code: 20, stdout: '', stderr: ' !     App nope does not exist\n' })
  t.same(await sim.run('--force', 'apps:destroy'), { code: 1, stdout: '', stderr: ' !     Please specify an app to run the command on\n' })

  const warn = ' !     WARNING: Potentially Destructive Action\n !     This command will destroy app ruby-app.\n !     To proceed, type "ruby-app"\n'
  t.same(await sim.run('apps:destroy', 'ruby-app'), { code: 1, stdout: '> ', stderr: warn + ' !     EOF\n' })
  t.same(await sim.runWith({ stdin: [''] }, 'apps:destroy', 'ruby-app'), { code: 1, stdout: '> ', stderr: warn + ' !     unexpected newline\n' })
  t.same(await sim.runWith({ stdin: ['a b'] }, 'apps:destroy', 'ruby-app'), { code: 1, stdout: '> ', stderr: warn + ' !     expected newline\n' })
  t.same(await sim.runWith({ stdin: ['wrong'] }, 'apps:destroy', 'ruby-app'), { code: 1, stdout: '> ', stderr: warn + 'Confirmation did not match test. Aborted.\n' })
  t.ok((await sim.state()).apps['ruby-app'], 'still there')
  const ok = await sim.runWith({ stdin: ['ruby-app'] }, 'apps:destroy', 'ruby-app')
  t.equal(ok.code, 0)
  t.equal(ok.stdout, '> -----> Destroying ruby-app (including all add-ons)\n-----> Cleaning up...\n-----> Retiring old containers and images\n')
  t.notOk((await sim.state()).apps['ruby-app'])
})

t.test('apps:exists', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('apps:exists', 'node-js-app'), { code: 0, stdout: '', stderr: '' })
  t.same(await sim.run('apps:exists', 'nope'), { code: 20, stdout: '', stderr: ' !     App nope does not exist\n' })
  t.same(await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.23.0' } }, 'apps:exists', 'nope'), { code: 1, stdout: '', stderr: ' !     App nope does not exist\n' })
})

t.test('apps:report matches the reference', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('apps:report', 'node-js-app'), { code: 0, stdout: fixture('apps-report.txt'), stderr: '' })
  t.same(await sim.run('apps:report', 'node-js-app', '--format', 'json'), { code: 0, stdout: fixture('apps-report.json'), stderr: '' })
  t.same(await sim.run('apps:report', 'node-js-app', '--app-locked'), { code: 0, stdout: 'false\n', stderr: '' })
  t.same(await sim.run('apps:report', 'node-js-app', '--app-global-disable-autocreation'), { code: 0, stdout: '\n', stderr: '' })
  t.same(await sim.run('apps:report', '--global', '--app-global-disable-autocreation'), { code: 0, stdout: '\n', stderr: '' })
  t.same(await sim.run('apps:report', '--global'), { code: 0, stdout: '=====> --global app information\n       App global disable autocreation: \n', stderr: '' })
  t.same(await sim.run('apps:report', 'node-js-app', '--app-nope'), {
    code: 1,
    stdout: '',
    stderr: ' !     Invalid flag passed, valid flags: --app-created-at, --app-deploy-source, --app-deploy-source-metadata, --app-dir, --app-global-disable-autocreation, --app-locked\n'
  })
  t.same(await sim.run('apps:report', 'nope'), { code: 20, stdout: '', stderr: ' !     App nope does not exist\n' })
  t.same(await sim.run('apps:report', 'node-js-app', '--app-dir', '--app-locked'), { code: 0, stdout: '', stderr: '' }, 'two info flags: silence')
  t.same(await sim.run('apps:report', 'node-js-app', '--format', 'json', '--app-dir'), {
    code: 1, stdout: '', stderr: ' !     --format flag cannot be specified when specifying an info flag\n'
  })
  t.same(await sim.run('apps:report', 'node-js-app', '--format', 'xml'), { code: 1, stdout: '', stderr: ' !     Format must be "stdout" or "json": "xml"\n' })
  const panic = await sim.run('apps:report', 'node-js-app', '--format')
  t.equal(panic.code, 2)
  t.match(panic.stderr, /^panic: runtime error: index out of range/)
  const all = await sim.run('apps:report', '--format', 'json')
  t.equal(all.stdout.trim().split('\n').length, 5, 'one JSON object per app')
  t.notMatch(all.stdout, /"name"/)
  // older layouts
  const old = await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.38.7' } }, 'apps:report', 'node-js-app', '--format', 'json')
  t.equal(old.stdout, '{"app-created-at":"1735689600","app-deploy-source":"git","app-deploy-source-metadata":"cd7b8afccb202f222e7dc7b427553e71ba5ddafd","app-dir":"/home/dokku/node-js-app","app-locked":"false"}\n')
  const older = await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.24.0' } }, 'apps:report', 'node-js-app')
  t.equal(older.stdout, '=====> node-js-app app information\n       App deploy source:             git\n       App deploy source metadata:    cd7b8afccb202f222e7dc7b427553e71ba5ddafd\n       App dir:                       /home/dokku/node-js-app\n       App locked:                    false\n')
  const noJson = await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.23.0' } }, 'apps:report', 'node-js-app', '--format', 'json')
  t.equal(noJson.code, 1)
  t.match(noJson.stderr, /Invalid flag passed/)
  const empty = await makeSim(t, { setup: (s) => onlyApps(s, []) })
  t.same(await empty.run('apps:report'), { code: 0, stdout: '', stderr: " !     You haven't deployed any applications yet\n" })
})

t.test('deploy locks', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('apps:locked', 'node-js-app'), { code: 1, stdout: '', stderr: ' !     Deploy lock does not exist\n' })
  t.same(await sim.run('apps:unlock', 'node-js-app'), { code: 1, stdout: '', stderr: ' !     Unable to remove deploy lock\n' })
  t.same(await sim.run('apps:lock', 'node-js-app'), { code: 0, stdout: '-----> Deploy lock created\n', stderr: '' })
  t.same(await sim.run('apps:locked', 'node-js-app'), { code: 0, stdout: 'Deploy lock exists\n', stderr: '' })
  t.equal((await sim.run('apps:report', 'node-js-app', '--app-locked')).stdout, 'true\n')
  const locked = ' !     node-js-app currently has a deploy lock in place. Exiting...\n !     Run \'apps:unlock\' to release the existing deploy lock\n'
  t.same(await sim.run('ps:rebuild', 'node-js-app'), { code: 1, stdout: locked, stderr: '' }, 'merged into stdout since 0.38.0')
  t.equal((await sim.run('ps:restart', 'node-js-app')).code, 0, 'ps:restart neither takes nor heeds the lock (deploys.md §2.1, §5.3)')
  t.same(await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.37.0' } }, 'ps:rebuild', 'node-js-app'), { code: 1, stdout: '', stderr: locked })
  t.same(await sim.run('apps:unlock', 'node-js-app'), {
    code: 0,
    stdout: '-----> Deploy lock removed\n',
    stderr: ' !     A deploy may be in progress.\n !     Removing the app lock will not stop in progress deploys.\n'
  })
  t.equal((await sim.run('ps:restart', 'node-js-app')).code, 0)
})

t.test('a deploy holds the lock while it streams', async (t) => {
  const sim = await makeSim(t)
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  let entered!: () => void
  const inside = new Promise<void>((resolve) => { entered = resolve })
  let waited = false
  const slow = sim.runWith({
    env: { DOKKU_SIM_STEP_MS: '1' },
    sleep: async () => {
      if (!waited) { waited = true; entered(); await gate }
    }
  }, 'ps:rebuild', 'node-js-app')
  await inside
  t.equal((await sim.run('apps:report', 'node-js-app', '--app-locked')).stdout, 'true\n')
  const second = await sim.run('ps:rebuild', 'node-js-app')
  t.equal(second.code, 1)
  t.match(second.stdout, /currently has a deploy lock in place/)
  const destroy = await sim.run('--force', 'apps:destroy', 'node-js-app')
  t.equal(destroy.code, 1)
  release()
  const first = await slow
  t.equal(first.code, 0)
  t.equal((await sim.run('apps:report', 'node-js-app', '--app-locked')).stdout, 'false\n')
  // a lock left by a dead process is stale
  const s = await sim.state()
  s.apps['node-js-app']!.lock = { kind: 'deploy', pid: 2 ** 22 + 12345, token: 'x', at: s.createdAt }
  const { writeStateFile } = await import('../../../src/dokku/simulator/state.js')
  await writeStateFile(sim.statePath, s)
  t.equal((await sim.run('apps:report', 'node-js-app', '--app-locked')).stdout, 'false\n')
  t.equal((await sim.run('ps:restart', 'node-js-app')).code, 0)
})

t.test('version prints what the VERSION file holds', async (t) => {
  const sim = await makeSim(t)
  for (const v of ['v0.38.27-33-g33896f5d7', '1723456789:0.38.27', '~master (2026-08-21T20:18+00:00)']) {
    t.same(await sim.runWith({ env: { DOKKU_SIM_VERSION: v } }, 'version'), { code: 0, stdout: `dokku version ${v}\n`, stderr: '' })
  }
})
