import t, { type Test } from 'tap'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigError, loadConfig } from '../src/config.js'

/** Asserts that fn throws a ConfigError naming this variable. */
function refuses (t: Test, fn: () => unknown, variable: string, msg?: string) {
  try {
    fn()
    t.fail(msg ?? `expected ${variable} to be refused`)
  } catch (err) {
    t.ok(err instanceof ConfigError, 'a ConfigError')
    t.equal((err as ConfigError).variable, variable, msg ?? variable)
  }
}

const base = (dir: string) => ({ DOCKLIGHT_PASSWORD: 'a-long-password', DOCKLIGHT_DATA_DIR: dir })

t.test('refuses to start without a password, naming the variable', async (t) => {
  const dir = t.testdir({})
  refuses(t, () => loadConfig({ DOCKLIGHT_DATA_DIR: dir }), 'DOCKLIGHT_PASSWORD')
  t.throws(() => loadConfig({ DOCKLIGHT_DATA_DIR: dir, DOCKLIGHT_PASSWORD: '' }), /DOCKLIGHT_PASSWORD: is required/)
  t.throws(() => loadConfig({ DOCKLIGHT_DATA_DIR: dir, DOCKLIGHT_PASSWORD: 'short' }), /DOCKLIGHT_PASSWORD: must be at least 8/)
})

t.test('demo mode makes a password when none is given', async (t) => {
  const config = loadConfig({ DOCKLIGHT_DEMO: '1', DOCKLIGHT_DATA_DIR: t.testdir({}) })
  t.equal(config.demo, true)
  t.equal(config.generatedPassword, true)
  t.ok(config.password.length >= 12)
  refuses(t, () => loadConfig({ ...base(t.testdir({})), DOCKLIGHT_DEMO: 'yes' }), 'DOCKLIGHT_DEMO')
})

t.test('refuses a short DOCKLIGHT_SECRET and accepts a long one', async (t) => {
  const dir = t.testdir({})
  refuses(t, () => loadConfig({ ...base(dir), DOCKLIGHT_SECRET: 'x'.repeat(31) }), 'DOCKLIGHT_SECRET')
  t.equal(loadConfig({ ...base(dir), DOCKLIGHT_SECRET: 'y'.repeat(32) }).secret, 'y'.repeat(32))
})

t.test('generates a secret once, keeps it with mode 0600, and reuses it', async (t) => {
  const dir = t.testdir({})
  const first = loadConfig(base(dir))
  const file = join(dir, 'session-secret')
  t.ok(first.secret.length >= 32)
  t.equal(statSync(file).mode & 0o777, 0o600)
  t.equal(readFileSync(file, 'utf8').trim(), first.secret)
  t.equal(loadConfig(base(dir)).secret, first.secret, 'sessions survive a restart')
  t.not(loadConfig(base(t.testdir({}))).secret, first.secret, 'each install has its own')
})

t.test('replaces a secret file that is too short to be safe', async (t) => {
  const dir = t.testdir({ 'session-secret': 'tiny\n' })
  const config = loadConfig(base(dir))
  t.ok(config.secret.length >= 32)
  t.not(config.secret, 'tiny')
})

t.test('tightens the mode of a kept secret file', async (t) => {
  const dir = t.testdir({})
  const file = join(dir, 'session-secret')
  writeFileSync(file, 'z'.repeat(40), { mode: 0o644 })
  t.equal(loadConfig(base(dir)).secret, 'z'.repeat(40))
  t.equal(statSync(file).mode & 0o777, 0o600)
})

t.test('validates port, host, dokku binary and ssh target', async (t) => {
  const dir = t.testdir({})
  for (const PORT of ['70000', 'abc', '-1']) {
    refuses(t, () => loadConfig({ ...base(dir), PORT }), 'PORT', `PORT=${PORT}`)
  }
  t.equal(loadConfig({ ...base(dir), PORT: '8080' }).port, 8080)
  t.equal(loadConfig(base(dir)).port, 3001)
  t.equal(loadConfig(base(dir)).host, '0.0.0.0')
  refuses(t, () => loadConfig({ ...base(dir), HOST: 'a b' }), 'HOST')
  refuses(t, () => loadConfig({ ...base(dir), DOCKLIGHT_DOKKU_BIN: '-x' }), 'DOCKLIGHT_DOKKU_BIN')
  t.equal(loadConfig(base(dir)).dokkuBin, 'dokku')
  for (const bad of ['host', 'dokku@', 'dokku@-oProxyCommand=x', 'dokku@h:99999', 'dokku@h;id', 'Dokku@h']) {
    refuses(t, () => loadConfig({ ...base(dir), DOCKLIGHT_DOKKU_SSH: bad }), 'DOCKLIGHT_DOKKU_SSH', bad)
  }
  t.same(loadConfig({ ...base(dir), DOCKLIGHT_DOKKU_SSH: 'dokku@example.com:2222' }).dokkuSsh,
    { user: 'dokku', host: 'example.com', port: 2222 })
  t.same(loadConfig({ ...base(dir), DOCKLIGHT_DOKKU_SSH: 'dokku@10.0.0.5' }).dokkuSsh,
    { user: 'dokku', host: '10.0.0.5', port: 22 })
})

t.test('production flag and data dir', async (t) => {
  const dir = t.testdir({})
  t.equal(loadConfig({ ...base(dir), NODE_ENV: 'production' }).production, true)
  t.equal(loadConfig(base(dir)).production, false)
  t.equal(loadConfig(base(dir)).dataDir, dir)
  const file = join(dir, 'a-file')
  writeFileSync(file, '')
  refuses(t, () => loadConfig({ DOCKLIGHT_PASSWORD: 'a-long-password', DOCKLIGHT_DATA_DIR: join(file, 'sub') }),
    'DOCKLIGHT_DATA_DIR')
  t.ok(new ConfigError('X', 'y').message === 'X: y')
})

t.test('DOCKLIGHT_HOSTS: name=target entries; unset, one host named local', async (t) => {
  const dir = t.testdir({})
  t.same(loadConfig(base(dir)).hosts, [{ name: 'local', target: { kind: 'local', bin: 'dokku' } }])
  t.same(loadConfig({ ...base(dir), DOCKLIGHT_DOKKU_SSH: 'dokku@example.com' }).hosts,
    [{ name: 'local', target: { kind: 'ssh', user: 'dokku', host: 'example.com', port: 22 } }])
  t.same(loadConfig({ ...base(dir), DOCKLIGHT_DEMO: '1' }).hosts.map((h) => h.name), ['demo-a', 'demo-b'], 'demo mode: two simulated hosts')
  t.same(loadConfig({ ...base(dir), DOCKLIGHT_HOSTS: ' prod=dokku@10.0.0.5:2222, staging=local\nbuild=local:/opt/dokku/bin/dokku ' }).hosts, [
    { name: 'prod', target: { kind: 'ssh', user: 'dokku', host: '10.0.0.5', port: 2222 } },
    { name: 'staging', target: { kind: 'local', bin: 'dokku' } },
    { name: 'build', target: { kind: 'local', bin: '/opt/dokku/bin/dokku' } }
  ], 'spaces, commas and newlines separate entries; the first is the default')
  for (const bad of ['prod', 'Prod=local', '-x=local', 'a=local a=local', 'a=ssh://h', 'a=local:relative/dokku', 'a=dokku@-oProxyCommand=x',
    'hosts=local', `${'x'.repeat(32)}=local`, 'a=dokku@h:0', '=local']) {
    refuses(t, () => loadConfig({ ...base(dir), DOCKLIGHT_HOSTS: bad }), 'DOCKLIGHT_HOSTS', bad)
  }
})

t.test('DOCKLIGHT_WATCH_INTERVAL_S and DOCKLIGHT_PUBLIC_URL', async (t) => {
  const dir = t.testdir({})
  t.equal(loadConfig(base(dir)).watchIntervalMs, 300_000)
  t.equal(loadConfig({ ...base(dir), DOCKLIGHT_WATCH_INTERVAL_S: '60' }).watchIntervalMs, 60_000)
  for (const bad of ['4', 'x', '-5', '1.5']) refuses(t, () => loadConfig({ ...base(dir), DOCKLIGHT_WATCH_INTERVAL_S: bad }), 'DOCKLIGHT_WATCH_INTERVAL_S', bad)
  t.equal(loadConfig(base(dir)).publicUrl, null)
  t.equal(loadConfig({ ...base(dir), DOCKLIGHT_PUBLIC_URL: 'https://docklight.example.com/' }).publicUrl, 'https://docklight.example.com')
  t.equal(loadConfig({ ...base(dir), DOCKLIGHT_PUBLIC_URL: 'https://example.com/ops/docklight//' }).publicUrl, 'https://example.com/ops/docklight')
  for (const bad of ['docklight.example.com', 'ftp://x', 'https://u:p@x', 'https://x/?a=1', 'javascript:alert(1)']) {
    refuses(t, () => loadConfig({ ...base(dir), DOCKLIGHT_PUBLIC_URL: bad }), 'DOCKLIGHT_PUBLIC_URL', bad)
  }
})
