import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { createSeedState } from '../../../src/dokku/simulator/seed.js'
import { readStateFile, StateError, StateStore, withFileLock, writeStateFile } from '../../../src/dokku/simulator/state.js'
import { makeSim, NOW } from './helpers.js'

t.test('the seeded demo data', async (t) => {
  const s = createSeedState({ now: NOW })
  t.same(Object.keys(s.apps).sort(), ['go-worker', 'node-js-app', 'python-app', 'ruby-app', 'static-site'])
  const running = (app: string) => s.apps[app]!.containers.map((c) => `${c.proc}.${c.index}:${c.status}`)
  t.same(running('node-js-app'), ['web.1:running', 'web.2:running', 'worker.1:running'])
  t.same(running('python-app'), ['web.1:exited'])
  t.equal(s.apps['python-app']!.restore, false, 'stopped with ps:stop')
  t.same(running('ruby-app'), ['web.1:running', 'web.2:exited', 'worker.1:running'])
  t.same(running('go-worker'), ['worker.1:exited'])
  t.equal(s.apps['go-worker']!.restore, true, 'crashed, not stopped')
  t.equal(s.apps['static-site']!.deployed, false)
  const days = (app: string) => (s.apps[app]!.cert!.expiresAt - NOW) / 86400
  t.ok(days('python-app') < 14 && days('python-app') > 0, 'a certificate expiring within 14 days')
  t.ok(days('node-js-app') > 75 && days('node-js-app') < 85, 'a certificate valid ~80 days')
  t.equal(s.apps['ruby-app']!.cert, null)
  t.match(s.apps['node-js-app']!.env.DATABASE_URL, /^postgres:\/\/postgres:[0-9a-f]{32}@dokku-postgres-lollipop:5432\/lollipop$/)
  t.same(Object.keys(s.services).sort(), ['mysql', 'postgres', 'redis'])
  t.same(s.global.vhosts, ['dokku.me'])
  t.same(createSeedState({ now: NOW }), s, 'deterministic')
})

t.test('generated apps for benchmarks', async (t) => {
  const s = createSeedState({ now: NOW, extraApps: 100 })
  t.equal(Object.keys(s.apps).length, 105)
  t.ok(s.apps['app-001'] && s.apps['app-100'])
  const states = new Set(Object.values(s.apps).map((a) => !a.deployed ? 'undeployed' : a.containers.every((c) => c.status === 'running') ? 'running' : a.containers.some((c) => c.status === 'running') ? 'mixed' : 'down'))
  t.same([...states].sort(), ['down', 'mixed', 'running', 'undeployed'])
  t.ok(Object.values(s.apps).some((a) => a.cert !== null && a.cert.expiresAt < NOW), 'some certificates already expired')

  const sim = await makeSim(t, { lazy: true, env: { DOKKU_SIM_APPS: '10' } })
  const list = await sim.run('apps:list', '--format', 'json')
  t.equal((JSON.parse(list.stdout) as string[]).length, 15)
  const again = await sim.runWith({ env: { DOKKU_SIM_APPS: '100' } }, 'apps:list', '--format', 'json')
  t.equal((JSON.parse(again.stdout) as string[]).length, 15, 'only applied when the state is created')
  const report = await sim.run('ps:report', '--format', 'json')
  t.equal(report.stdout.trim().split('\n').length, 15)
})

t.test('state persists across invocations', async (t) => {
  const sim = await makeSim(t, { lazy: true })
  t.notOk(existsSync(sim.statePath))
  t.equal((await sim.run('apps:create', 'my-app')).code, 0)
  t.ok(existsSync(sim.statePath), 'created on first use')
  t.equal((await sim.run('config:set', '--no-restart', 'my-app', 'A=1')).code, 0)
  t.equal((await sim.run('domains:add', 'my-app', 'my.example.com')).code, 0)
  t.equal((await sim.run('ps:scale', 'my-app', 'web=2')).code, 0)
  t.equal((await sim.run('config:get', 'my-app', 'A')).stdout, '1\n')
  t.equal((await sim.run('domains:report', 'my-app', '--domains-app-vhosts')).stdout, 'my-app.dokku.me my.example.com\n')
  const onDisk = JSON.parse(readFileSync(sim.statePath, 'utf8')) as { apps: Record<string, { formation: Record<string, number> }> }
  t.same(onDisk.apps['my-app']!.formation, { web: 2 })
  t.same((await sim.run('--force', 'apps:destroy', 'my-app')).code, 0)
  t.equal((await sim.run('apps:exists', 'my-app')).code, 20)
})

t.test('concurrent mutating calls lose no update', async (t) => {
  const sim = await makeSim(t)
  const n = 40
  const results = await Promise.all(Array.from({ length: n }, (_, i) => sim.run('config:set', '--no-restart', 'static-site', `KEY_${i}=value ${i}`)))
  t.ok(results.every((r) => r.code === 0))
  const env = (await sim.state()).apps['static-site']!.env
  t.equal(Object.keys(env).length, n)
  for (let i = 0; i < n; i++) t.equal(env[`KEY_${i}`], `value ${i}`)
  const created = await Promise.all(Array.from({ length: 15 }, (_, i) => sim.run('apps:create', `par-${i}`)))
  t.ok(created.every((r) => r.code === 0))
  const dupes = await Promise.all(Array.from({ length: 5 }, () => sim.run('apps:create', 'same-name')))
  t.equal(dupes.filter((r) => r.code === 0).length, 1, 'exactly one create wins')
  t.equal(Object.keys((await sim.state()).apps).length, 5 + 15 + 1)
  const leftovers = readFileSync(sim.statePath, 'utf8')
  t.doesNotThrow(() => JSON.parse(leftovers))
  t.notOk(existsSync(sim.statePath + '.lock'), 'lock released')
})

t.test('lock files', async (t) => {
  const dir = t.testdir()
  const lock = join(dir, 'nested', 'x.lock')
  t.equal(await withFileLock(lock, async () => 42), 42, 'creates missing directories')
  writeFileSync(lock, '999999 0\n')
  const old = new Date(Date.now() - 60_000)
  utimesSync(lock, old, old)
  t.equal(await withFileLock(lock, async () => 'stale lock taken over', { staleMs: 5000 }), 'stale lock taken over')
  t.notOk(existsSync(lock))
  writeFileSync(lock, `${process.pid} ${Date.now()}\n`)
  await t.rejects(withFileLock(lock, async () => 1, { timeoutMs: 50, staleMs: 60_000 }), StateError)
  t.ok(existsSync(lock), 'a live lock is left alone')
  await t.rejects(withFileLock(lock + '/sub', async () => 1), /ENOTDIR|EEXIST|ENOENT/)
  // the lock is released when the body throws
  const other = join(dir, 'y.lock')
  await t.rejects(withFileLock(other, async () => { throw new Error('boom') }), /boom/)
  t.notOk(existsSync(other))
})

t.test('bad state files', async (t) => {
  const dir = t.testdir()
  const path = join(dir, 'state.json')
  writeFileSync(path, '{not json')
  await t.rejects(readStateFile(path), /not valid JSON/)
  const sim = await makeSim(t)
  writeFileSync(sim.statePath, '{"schema": 99, "apps": {}}')
  t.same(await sim.run('apps:list'), { code: 1, stdout: '', stderr: ` !     simulator state ${sim.statePath} has an unknown layout (expected schema 1)\n` })
  writeFileSync(sim.statePath, '[]')
  t.equal((await sim.run('apps:list')).code, 1)
  await t.rejects(readStateFile(dir), /EISDIR/)
  const s = createSeedState({ now: NOW })
  await writeStateFile(path, s)
  t.same(await readStateFile(path), s)
  await t.rejects(writeStateFile(join(path, 'below-a-file.json'), s), /ENOTDIR|EEXIST/)
  t.equal(await readStateFile(join(dir, 'missing.json')), null)
  const store = new StateStore(join(dir, 'fresh.json'), () => createSeedState({ now: NOW }))
  t.equal(await store.update((st) => Object.keys(st.apps).length), 5, 'update seeds a missing file')
  const broken = await makeSim(t, { lazy: true, env: { DOKKU_SIM_STATE: join(path, 'x.json') } })
  const r = await broken.run('apps:list')
  t.equal(r.code, 1)
  t.match(r.stderr, /^ !     simulator error: /)
})
