import t from 'tap'
import type { SimState } from '../../../src/dokku/simulator/state.js'
import { cid, fixture, makeSim, matchesTemplate, onlyApps } from './helpers.js'

/** node-js-app as in the ps.md example: web.1 running, worker.1 exited. */
function referencePs (s: SimState): void {
  const a = s.apps['node-js-app']!
  a.formation = { web: 1, worker: 1 }
  a.containers = [
    { proc: 'web', index: 1, cid: cid('3fa8b2c1d9e0'), status: 'running', startedAt: s.createdAt - 3600 },
    { proc: 'worker', index: 1, cid: cid('71c0d9a2b4f'), status: 'exited', startedAt: s.createdAt - 3600, finishedAt: s.createdAt - 60, exitCode: 1 }
  ]
}

t.test('ps:report matches the reference', async (t) => {
  const sim = await makeSim(t, { setup: referencePs })
  const out = await sim.run('ps:report', 'node-js-app')
  t.equal(out.code, 0)
  t.equal(out.stderr, '')
  // The reference example says `Running: true` next to an exited worker; dokku's own rule
  // (true/false/mixed from the container states) gives `mixed`, which is what we print.
  t.equal(out.stdout, fixture('ps-report.txt').replace('Running:                          true', 'Running:                          mixed'))
  const json = await sim.run('ps:report', 'node-js-app', '--format', 'json')
  t.equal(json.stdout, fixture('ps-report.json').replace('"running":"true"', '"running":"mixed"'))
  t.same(await sim.run('ps:report', '--global'), { code: 0, stdout: fixture('ps-report-global.txt'), stderr: '' })
  t.same(await sim.run('ps:report', 'node-js-app', '--status-web.1'), { code: 0, stdout: 'running (CID: 3fa8b2c1d9e)\n', stderr: '' })
  t.same(await sim.run('ps:report', 'node-js-app', '--deployed'), { code: 0, stdout: 'true\n', stderr: '' })
  t.same(await sim.run('ps:report', 'node-js-app', '--ps-start-cmd'), { code: 0, stdout: '\n', stderr: '' })
  const bad = await sim.run('ps:report', 'node-js-app', '--quiet')
  t.equal(bad.code, 1)
  t.equal(bad.stderr, ' !     Invalid flag passed, valid flags: --deployed, --processes, --ps-can-scale, --ps-computed-dockerfile-start-cmd, --ps-computed-procfile-path, --ps-computed-restart-policy, --ps-computed-skip-deploy, --ps-computed-start-cmd, --ps-computed-stop-timeout-seconds, --ps-dockerfile-start-cmd, --ps-global-procfile-path, --ps-global-restart-policy, --ps-global-skip-deploy, --ps-global-stop-timeout-seconds, --ps-procfile-path, --ps-restart-policy, --ps-skip-deploy, --ps-start-cmd, --ps-stop-timeout-seconds, --restore, --running\n')
  const badStatus = await sim.run('ps:report', 'node-js-app', '--status-web.9')
  t.match(badStatus.stderr, /--running, --status-web\.1, --status-worker\.1\n$/)
})

t.test('ps:report for undeployed, stopped, mixed and crashed apps', async (t) => {
  const sim = await makeSim(t)
  const undeployed = (await sim.run('ps:report', 'static-site')).stdout
  t.match(undeployed, /Deployed: {25}false\n/)
  t.match(undeployed, /Processes: {24}0\n/)
  t.match(undeployed, /Running: {26}false\n/)
  t.notMatch(undeployed, /Status/)
  t.equal((await sim.run('ps:report', 'python-app', '--running')).stdout, 'false\n')
  t.equal((await sim.run('ps:report', 'python-app', '--restore')).stdout, 'false\n')
  t.equal((await sim.run('ps:report', 'ruby-app', '--running')).stdout, 'mixed\n')
  t.equal((await sim.run('ps:report', 'go-worker', '--running')).stdout, 'false\n')
  t.equal((await sim.run('ps:report', 'go-worker', '--restore')).stdout, 'true\n')
  t.equal((await sim.run('ps:report', 'go-worker', '--ps-computed-restart-policy')).stdout, 'on-failure:5\n')
  t.equal((await sim.run('ps:report', 'node-js-app', '--running')).stdout, 'true\n')
  const all = await sim.run('ps:report')
  t.equal(all.stdout.match(/^=====> .* ps information$/gm)!.length, 5)
  const nd = await sim.run('ps:report', '--format', 'json')
  t.equal(nd.stdout.trim().split('\n').length, 5)
  for (const line of nd.stdout.trim().split('\n')) t.doesNotThrow(() => JSON.parse(line))
})

t.test('ps:report in older layouts', async (t) => {
  const sim = await makeSim(t, {
    setup: (s) => {
      const a = s.apps['node-js-app']!
      a.formation = { web: 1 }
      a.containers = [{ proc: 'web', index: 1, cid: cid('3fa8b2c1d9e0'), status: 'running', startedAt: s.createdAt }]
    }
  })
  const v30 = await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.30.0' } }, 'ps:report', 'node-js-app')
  t.equal(v30.stdout, fixture('ps-report-0.30.txt'))
  const v20 = await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.20.0' } }, 'ps:report', 'node-js-app')
  t.equal(v20.stdout, fixture('ps-report-bash-0.20.txt'))
  const v20flag = await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.20.0' } }, 'ps:report', 'node-js-app', '--nope')
  t.equal(v20flag.stderr, ' !     Invalid flag passed, valid flags: --processes --deployed --running --restore --restart-policy --ps-can-scale --status-web.1\n')
  const v23 = await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.23.1' } }, 'ps:report', 'node-js-app', '--format', 'json')
  t.equal(v23.stdout, '{"deployed":"true","processes":"1","ps-can-scale":"true","ps-global-procfile-path":"Procfile","ps-procfile-path":"","ps-restart-policy":"on-failure:10","restore":"true","running":"true","status-web.1":"running (CID: 3fa8b2c1d9e)"}\n')
  const v22 = await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.22.0' } }, 'ps:report', 'node-js-app', '--format', 'json')
  t.match(v22.stderr, /Invalid flag passed/)
  const v24 = await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.24.0', DOKKU_SIM_NOW: '1' } }, 'ps:report', 'node-js-app')
  t.match(v24.stdout, /\n {7}Ps global procfile path: {7}Procfile\n/)
  const v37 = await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.37.0' } }, 'ps:report', 'node-js-app', '--stop-timeout-seconds')
  t.equal(v37.stdout, '\n')
  const v38 = await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.38.8' } }, 'ps:report', 'node-js-app', '--format', 'json')
  t.match(v38.stdout, /"restart-policy":"on-failure:10"/)
  t.notMatch(v38.stdout, /computed-restart-policy/)
  const g = await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.38.7' } }, 'ps:report', '--global')
  t.equal(g.stdout, '=====> --global ps information\n       Ps computed procfile path:        Procfile\n       Ps computed stop timeout seconds: 30\n       Ps global procfile path:          \n       Ps global stop timeout seconds:   \n')
  const xml = await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.38.7' } }, 'ps:report', 'node-js-app', '--format', 'xml')
  t.match(xml.stdout, /ps information/, 'before 0.38.8 an unknown format prints stdout')
})

t.test('ps:scale reads the formation', async (t) => {
  const sim = await makeSim(t, {
    setup: (s) => {
      s.apps.python = { ...structuredClone(s.apps['static-site']!), formation: { web: 1 } }
      s.apps['node-js-app']!.formation = { beat: 0, web: 4, worker: 1 }
      s.apps['ruby-app']!.formation = { web: 1, worker: 4 }
    }
  })
  t.same(await sim.run('ps:scale', 'python'), { code: 0, stdout: fixture('ps-scale-docs.txt'), stderr: '' })
  t.same(await sim.run('--quiet', 'ps:scale', 'node-js-app'), { code: 0, stdout: fixture('ps-scale-quiet.txt'), stderr: '' })
  t.same(await sim.run('ps:scale', 'ruby-app', '--format', 'json'), { code: 0, stdout: fixture('ps-scale.json'), stderr: '' })
  t.same(await sim.run('ps:scale', 'static-site', '--format', 'json'), { code: 0, stdout: '[]\n', stderr: '' })
  t.same(await sim.run('ps:scale', 'nope'), { code: 20, stdout: '', stderr: ' !     App nope does not exist\n' })
  t.same(await sim.run('ps:scale'), { code: 1, stdout: '', stderr: ' !     Please specify an app to run the command on\n' })
  t.same(await sim.run('ps:scale', 'ruby-app', '--format', 'xml'), { code: 1, stdout: '', stderr: ' !     Format must be "stdout" or "json": "xml"\n' })
  t.same(await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.38.20' } }, 'ps:scale', 'ruby-app', '--format', 'json'), {
    code: 2,
    stdout: '',
    stderr: 'Usage of ps:scale:\n      --skip-deploy   --skip-deploy: skip deploy of the app\nunknown flag: --format\n'
  })
  t.same(await sim.run('ps:scale', '--nope', 'ruby-app'), {
    code: 2,
    stdout: '',
    stderr: 'Usage of ps:scale:\n      --format string   format: [ stdout | json ] (default "stdout")\n      --skip-deploy     --skip-deploy: skip deploy of the app\nunknown flag: --nope\n'
  })
})

t.test('ps:scale sets the formation', async (t) => {
  const sim = await makeSim(t, {
    setup: (s) => {
      const a = s.apps['node-js-app']!
      a.formation = { web: 1, worker: 0 }
      a.containers = a.containers.filter((c) => c.proc === 'web' && c.index === 1)
    }
  })
  const out = await sim.run('ps:scale', 'node-js-app', 'web=2', 'worker=1')
  t.equal(out.code, 0)
  t.ok(matchesTemplate(out.stdout, fixture('ps-scale-deploy.txt')), 'matches the reference example', { found: out.stdout })
  t.match(out.stdout, /-----> Deploying worker \(count=1\)\n/)
  t.match(out.stdout, /-----> Running post-deploy\n/)
  t.equal(out.stderr, '')
  let s = await sim.state()
  t.same(s.apps['node-js-app']!.formation, { web: 2, worker: 1 })
  t.equal(s.apps['node-js-app']!.containers.length, 3)
  t.equal((await sim.run('ps:report', 'node-js-app', '--processes')).stdout, '3\n')

  t.same(await sim.run('ps:scale', 'node-js-app', 'web'), { code: 1, stdout: '', stderr: ' !     Missing count for process type web\n' })
  t.same(await sim.run('ps:scale', 'node-js-app', 'web='), { code: 1, stdout: '', stderr: ' !     Missing count for process type web\n' })
  t.same(await sim.run('ps:scale', 'node-js-app', 'web=two'), { code: 1, stdout: '', stderr: ' !     Invalid count for process type web\n' })
  t.same(await sim.run('ps:scale', 'node-js-app', 'web=-1'), { code: 1, stdout: '', stderr: ' !     Invalid count for process type web\n' })
  t.same(await sim.run('ps:scale', 'node-js-app', 'clock=1'), { code: 1, stdout: '', stderr: ' !     clock is not a valid process name to scale up\n' })

  const skip = await sim.run('ps:scale', '--skip-deploy', 'node-js-app', 'worker=0')
  t.same(skip, { code: 0, stdout: '-----> Scaling node-js-app processes: worker=0\n', stderr: '' })
  s = await sim.state()
  t.equal(s.apps['node-js-app']!.formation.worker, 0)
  t.equal(s.apps['node-js-app']!.containers.length, 3, 'skip-deploy leaves containers')

  const down = await sim.run('ps:scale', 'node-js-app', 'web=1')
  t.match(down.stdout, /-----> Deploying web \(count=1\)/)
  t.equal((await sim.state()).apps['node-js-app']!.containers.filter((c) => c.proc === 'web').length, 1)

  const undeployed = await sim.run('ps:scale', 'static-site', 'web=3')
  t.same(undeployed, { code: 0, stdout: '-----> Scaling static-site processes: web=3\n', stderr: '' })
  t.same((await sim.state()).apps['static-site']!.formation, { web: 3 })

  s = await sim.state()
  s.apps['ruby-app']!.formationFromAppJson = true
  const { writeStateFile } = await import('../../../src/dokku/simulator/state.js')
  await writeStateFile(sim.statePath, s)
  t.same(await sim.run('ps:scale', 'ruby-app', 'web=1'), { code: 1, stdout: '', stderr: ' !     App ruby-app contains an app.json file with a formations key and cannot be manually scaled\n' })
  t.equal((await sim.run('ps:report', 'ruby-app', '--ps-can-scale')).stdout, 'false\n')
})

t.test('ps:restart', async (t) => {
  const sim = await makeSim(t)
  const before = (await sim.state()).apps['ruby-app']!.containers.map((c) => c.cid)
  const out = await sim.run('ps:restart', 'ruby-app')
  t.equal(out.code, 0)
  t.equal(out.stderr, '')
  t.match(out.stdout, /^-----> Deploying web \(count=2\)\n {7}Attempting pre-flight checks \(web\.1\)\n/)
  t.match(out.stdout, /-----> Running post-deploy\n/)
  t.match(out.stdout, /-----> Configuring ruby-app\.dokku\.me\.\.\.\(using built-in template\)\n-----> Creating http nginx\.conf\n {7}Reloading nginx\n/)
  const after = (await sim.state()).apps['ruby-app']!
  t.equal(after.containers.every((c) => c.status === 'running'), true)
  t.notSame(after.containers.map((c) => c.cid), before, 'new containers')
  t.equal((await sim.run('ps:report', 'ruby-app', '--running')).stdout, 'true\n')

  t.same(await sim.run('ps:restart', 'static-site'), { code: 0, stdout: ' !     App static-site has not been deployed\n', stderr: '' }, 'merged since 0.38.0')
  t.same(await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.37.0' } }, 'ps:restart', 'static-site'), { code: 0, stdout: '', stderr: ' !     App static-site has not been deployed\n' })
  t.same(await sim.run('ps:restart', 'nope'), { code: 20, stdout: ' !     App nope does not exist\n', stderr: '' })
  t.same(await sim.run('ps:restart'), { code: 1, stdout: ' !     Please specify an app to run the command on\n', stderr: '' })
  t.same(await sim.run('ps:restart', '--all', 'node-js-app'), { code: 1, stdout: ' !     Unable to restart all apps when specifying a process name\n', stderr: '' })

  const web = await sim.run('ps:restart', 'node-js-app', 'web')
  t.equal(web.code, 0)
  t.notMatch(web.stdout, /Deploying worker/)
  t.match(web.stdout, /Deploying web \(count=2\)/)
  t.equal((await sim.run('ps:restart', 'node-js-app', 'clock')).code, 1)

  const all = await sim.run('ps:restart', '--all')
  t.equal(all.code, 0)
  for (const app of ['go-worker', 'node-js-app', 'python-app', 'ruby-app', 'static-site']) {
    t.match(all.stdout, new RegExp(`-----> Running ps:restart against app ${app}\n`))
  }
})

t.test('ps:stop and ps:start', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('ps:stop', 'node-js-app'), { code: 0, stdout: '-----> Stopping node-js-app\n', stderr: '' })
  t.same(await sim.run('--quiet', 'ps:stop', 'node-js-app'), { code: 0, stdout: '', stderr: '' })
  t.equal((await sim.run('ps:report', 'node-js-app', '--running')).stdout, 'false\n')
  t.equal((await sim.run('ps:report', 'node-js-app', '--restore')).stdout, 'false\n')
  t.same(await sim.run('ps:stop', 'static-site'), { code: 0, stdout: '', stderr: ' !     App static-site has not been deployed\n' })

  const start = await sim.run('ps:start', 'node-js-app')
  t.equal(start.code, 0)
  t.equal(start.stderr, ' !     App has been detected as not running, releasing\n')
  t.match(start.stdout, /^-----> Releasing node-js-app\.\.\.\n/)
  t.match(start.stdout, /=====> Application deployed:\n {7}https:\/\/node-js-app\.dokku\.me\n {7}https:\/\/www\.example\.com\n\n$/)
  t.equal((await sim.run('ps:report', 'node-js-app', '--running')).stdout, 'true\n')
  t.equal((await sim.run('ps:report', 'node-js-app', '--restore')).stdout, 'true\n')
  t.same(await sim.run('ps:start', 'node-js-app'), { code: 0, stdout: '', stderr: ' !     App node-js-app already running\n' })
  t.same(await sim.run('ps:start', 'static-site'), { code: 0, stdout: '', stderr: ' !     App static-site has not been deployed\n' })
  const mixed = await sim.run('ps:start', 'ruby-app')
  t.equal(mixed.stderr, ' !     App has been detected as running in mixed mode, releasing\n')
  t.same(await sim.run('ps:start'), { code: 1, stdout: '', stderr: ' !     Please specify an app to run the command on\n' })
  t.same(await sim.run('ps:stop'), { code: 1, stdout: '', stderr: ' !     Please specify an app to run the command on\n' })

  const stopAll = await sim.run('ps:stop', '--all')
  t.equal(stopAll.code, 0)
  t.match(stopAll.stdout, /-----> Running ps:stop against app go-worker\n-----> Stopping go-worker\n/)
  const startAll = await sim.run('ps:start', '--all')
  t.equal(startAll.code, 0)
  t.equal((await sim.run('ps:report', 'go-worker', '--running')).stdout, 'true\n')

  const empty = await makeSim(t, { setup: (s) => onlyApps(s, []) })
  t.same(await empty.run('ps:stop', '--all'), { code: 1, stdout: '', stderr: " !     You haven't deployed any applications yet\n" })
})

t.test('ps:rebuild', async (t) => {
  const sim = await makeSim(t)
  const out = await sim.run('ps:rebuild', 'node-js-app')
  t.equal(out.code, 0)
  t.equal(out.stderr, '')
  t.match(out.stdout, /^-----> Cleaning up\.\.\.\n-----> Building node-js-app from herokuish\n/)
  t.match(out.stdout, /-----> Releasing node-js-app\.\.\.\n/)
  t.match(out.stdout, /-----> Deploying node-js-app via the docker-local scheduler\.\.\.\n/)
  t.match(out.stdout, /=====> Application deployed:\n {7}https:\/\/node-js-app\.dokku\.me\n {7}https:\/\/www\.example\.com\n\n$/)
  const go = await sim.run('ps:rebuild', 'go-worker')
  t.match(go.stdout, /-----> Building go-worker from Dockerfile\n#0 building with "default" instance/)
  t.notMatch(go.stdout, /Application deployed/, 'no web process, no URLs')
  t.equal((await sim.run('ps:report', 'go-worker', '--running')).stdout, 'true\n')
  for (const app of ['python-app', 'ruby-app']) t.equal((await sim.run('ps:rebuild', app)).code, 0)
  t.same(await sim.run('ps:rebuild', 'static-site'), { code: 0, stdout: '', stderr: '' }, 'no repo: silent no-op')
  t.same(await sim.run('ps:rebuild'), { code: 1, stdout: ' !     Please specify an app to run the command on\n', stderr: '' })
  const all = await sim.run('ps:rebuild', '--all')
  t.equal(all.code, 0)
  t.match(all.stdout, /-----> Running ps:rebuild against app static-site\n$/)
  const bad = await sim.run('ps:rebuild', '--parallel', 'x', 'node-js-app')
  t.equal(bad.code, 2)
  t.equal(bad.stderr, '')
  t.equal(bad.stdout, 'Usage of ps:rebuild:\n      --all            --all: rebuild all apps\n      --parallel int   --parallel: number of apps to rebuild in parallel, -1 to match cpu count\ninvalid argument "x" for "--parallel" flag: strconv.ParseInt: parsing "x": invalid syntax\n')
})

t.test('--all counts failures', async (t) => {
  const sim = await makeSim(t, { setup: (s) => { s.apps['ruby-app']!.lock = { kind: 'manual', pid: 1, token: 'manual', at: 0 } } })
  const out = await sim.run('ps:rebuild', '--all')
  t.equal(out.code, 1, 'ps:rebuild heeds the lock, so one app fails')
  t.match(out.stdout, / !     ps:rebuild command returned 1 errors\n$/)
  t.equal((await sim.run('ps:restart', '--all')).code, 0, 'ps:restart takes no lock')
})
