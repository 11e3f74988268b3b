/**
 * The server page's admin parts (issue 11): SSH keys (the exact root command as the dokku
 * user, a key file as root, a private key refused and never stored or echoed, a failed add
 * re-listed), global domains, cleanup with its preview, the renewal job, and the advisory
 * banner on every page at 0.35, 0.38.6, 0.38.24 and 0.38.27.
 */
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PRIVATE_KEY_REFUSED } from '../../src/dokku/ssh-key.js'
import { InProcessSimulatorTransport } from '../../src/dokku/simulator/in-process.js'
import { build, login } from '../helpers/build.js'
import { editSimState, readSimState } from '../helpers/simulator-state.js'
import { ED25519, openSshPrivateKey, pemPrivateKey, RSA } from '../helpers/ssh-keys.js'

const hx = (cookie: string) => ({ cookie, 'hx-request': 'true' })
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const formHeaders = (cookie: string) => ({ ...hx(cookie), 'content-type': 'application/x-www-form-urlencoded' })
const tempKeyDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('docklight-key-'))
/** What Docklight keeps on disk: the database (and its WAL). */
const stored = (dataDir: string) => readdirSync(dataDir).filter((n) => n.startsWith('docklight.db')).map((n) => readFileSync(join(dataDir, n)).toString('latin1')).join('')

t.test('as the dokku user: the keys listed, and adding one shows the exact root command with dokku\'s refusal', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const page = await app.inject({ url: '/server', headers: { cookie } })
  t.equal(page.statusCode, 200)
  t.match(page.body, /<tr data-key="admin">\s*<td>admin<\/td>\s*<td><code>SHA256:\S{43}<\/code>/)
  t.match(page.body, /<tr data-key="ci-bot">/)
  t.match(page.body, /dokku does not run as root for Docklight \(dokku: <q class="dokku-refusal">This command must be run as root<\/q>\)/)

  const res = await app.inject({ method: 'POST', url: '/server/ssh-keys', headers: formHeaders(cookie), payload: form({ name: 'alice', key: ED25519.line }) })
  t.equal(res.statusCode, 200)
  t.match(res.body, /<div class="root-command" data-root-command="add">/)
  t.match(res.body, /dokku says: <q class="dokku-refusal">This command must be run as root<\/q>/)
  t.ok(res.body.includes(`<code>echo &#39;${ED25519.line}&#39; | sudo dokku ssh-keys:add alice</code>`), 'the exact command, with the key and name')
  t.ok(res.body.includes(ED25519.fingerprint))
  t.notOk(app.history.list({ kind: 'all', limit: 100 }).some((r) => r.command.startsWith('dokku ssh-keys:add')), 'nothing was run that would fail anyway')

  const remove = await app.inject({ method: 'POST', url: '/server/ssh-keys/remove', headers: formHeaders(cookie), payload: form({ fingerprint: (await readSimState(built(app))).sshKeys![0]!.fingerprint, confirm: 'admin' }) })
  t.match(remove.body, /<div class="root-command" data-root-command="remove">[\s\S]*sudo dokku ssh-keys:remove --fingerprint SHA256:/)
})

/** The data dir of an app built by build() (where its simulator state lives). */
function built (app: { config: { dataDir: string } }): string {
  return app.config.dataDir
}

t.test('a private key pasted by mistake is refused, and never stored or echoed', async (t) => {
  const { app, dataDir } = await build(t, { simulator: { DOKKU_SIM_ROOT: '1' } })
  const cookie = await login(app)
  const before = tempKeyDirs()
  for (const privateKey of [openSshPrivateKey(), pemPrivateKey()]) {
    const secretPart = privateKey.split('\n')[1]!.slice(0, 24)
    const htmx = await app.inject({ method: 'POST', url: '/server/ssh-keys', headers: formHeaders(cookie), payload: form({ name: 'alice', key: privateKey }) })
    t.equal(htmx.statusCode, 422)
    t.ok(htmx.body.includes(PRIVATE_KEY_REFUSED.replace(/'/g, '&#39;')), 'the refusal says what it is')
    t.notOk(htmx.body.includes(secretPart), 'none of it comes back in the form')
    t.match(htmx.body, /<textarea id="key-text" name="key"[^>]*><\/textarea>/, 'the key field is empty again')
    t.match(htmx.body, /name="name" value="alice"/, 'the name is kept')
    const plain = await app.inject({ method: 'POST', url: '/server/ssh-keys', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ name: 'alice', key: privateKey }) })
    t.equal(plain.statusCode, 422)
    t.notOk(plain.body.includes(secretPart), 'nor in the whole page')
    t.notOk(stored(dataDir).includes(secretPart), 'nor in the database')
    t.notOk(JSON.stringify(app.history.list({ kind: 'all', limit: 500 })).includes(secretPart), 'nor in history')
  }
  t.same(tempKeyDirs(), before, 'no key file was written')
  t.notOk((await readSimState(dataDir)).sshKeys!.some((k) => k.name === 'alice'), 'and dokku was never asked')
})

t.test('as root: a key added through a private key file (then gone), removed after its name is typed', async (t) => {
  const { app, dataDir } = await build(t, { simulator: { DOKKU_SIM_ROOT: '1' } })
  const cookie = await login(app)
  const page = await app.inject({ url: '/server', headers: { cookie } })
  t.match(page.body, /<button type="submit" class="primary">Add key<\/button>/)
  const before = tempKeyDirs()

  const bad = await app.inject({ method: 'POST', url: '/server/ssh-keys', headers: formHeaders(cookie), payload: form({ name: 'alice smith', key: ED25519.line }) })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /Key name must start with a letter or digit/)

  const res = await app.inject({ method: 'POST', url: '/server/ssh-keys', headers: formHeaders(cookie), payload: form({ name: 'alice', key: `${ED25519.line}\n` }) })
  t.equal(res.statusCode, 200)
  t.match(res.headers['hx-trigger'], /Added alice \(SHA256:BBJmGDD8CGBroO4kGu0enX\+mPxs\+H\/71yVE5kQTj7iM\)/)
  t.match(res.body, /<tr data-key="alice">[\s\S]*?SHA256:BBJmGDD8/, 'the section lists it')
  t.same(tempKeyDirs(), before, 'the key file is gone')
  const add = app.history.list({ kind: 'all', limit: 50 }).find((r) => r.command.startsWith('dokku ssh-keys:add'))!
  t.match(add.command, /^dokku ssh-keys:add alice \/\S+\/docklight-key-[^/]+\/key\.pub$/, 'dokku read the key from a file')

  const dup = await app.inject({ method: 'POST', url: '/server/ssh-keys', headers: formHeaders(cookie), payload: form({ name: 'alice2', key: ED25519.line }) })
  t.equal(dup.statusCode, 422)
  t.match(dup.body, /That key is already there, as alice/)

  const fp = ED25519.fingerprint
  const wrong = await app.inject({ method: 'POST', url: '/server/ssh-keys/remove', headers: formHeaders(cookie), payload: form({ fingerprint: fp, confirm: 'alic' }) })
  t.equal(wrong.statusCode, 422)
  t.match(wrong.body, /Type &quot;alice&quot; to confirm/)
  t.ok((await readSimState(dataDir)).sshKeys!.some((k) => k.name === 'alice'))
  const removed = await app.inject({ method: 'POST', url: '/server/ssh-keys/remove', headers: formHeaders(cookie), payload: form({ fingerprint: fp, confirm: 'alice' }) })
  t.equal(removed.statusCode, 200)
  t.notMatch(removed.body, /data-key="alice"/)
  t.ok(app.history.list({ kind: 'all', limit: 50 }).some((r) => r.command === `dokku ssh-keys:remove --fingerprint ${fp}`), 'removed by fingerprint')
})

t.test('a failed add is re-listed before it is called a failure', async (t) => {
  const { app, dataDir } = await build(t, { simulator: { DOKKU_SIM_ROOT: '1' } })
  await editSimState(dataDir, (s) => { s.authorizedKeysHasComment = true })
  const cookie = await login(app)
  const res = await app.inject({ method: 'POST', url: '/server/ssh-keys', headers: formHeaders(cookie), payload: form({ name: 'ci', key: RSA.line }) })
  t.equal(res.statusCode, 200)
  t.match(res.body, /Added <strong>ci<\/strong> \(<code>SHA256:c7ZaHEjV[^<]*<\/code>\), but dokku also said: \/home\/dokku\/\.ssh\/authorized_keys line 1 failed ssh-keygen check\./)
  t.ok(app.history.list({ kind: 'all', limit: 50 }).some((r) => r.command.startsWith('dokku ssh-keys:add') && r.status === 'failed'), 'dokku exited 1')
})

t.test('root when asked, refused when it ran: the root command, with dokku\'s own words', async (t) => {
  // The simulator on an env this test changes: root for the probe, then no longer.
  const env: Record<string, string> = { DOKKU_SIM_STATE: join(t.testdir({}), 'sim.json'), DOKKU_SIM_STEP_MS: '0', DOKKU_SIM_ROOT: '1' }
  const { app } = await build(t, { transport: new InProcessSimulatorTransport(env) })
  const cookie = await login(app)
  t.match((await app.inject({ url: '/server', headers: { cookie } })).body, /<button type="submit" class="primary">Add key<\/button>/)
  env.DOKKU_SIM_ROOT = ''
  const add = await app.inject({ method: 'POST', url: '/server/ssh-keys', headers: formHeaders(cookie), payload: form({ name: 'alice', key: ED25519.line }) })
  t.equal(add.statusCode, 200)
  t.match(add.body, /<div class="root-command" data-root-command="add">/)
  t.match(add.body, /dokku says: <q class="dokku-refusal">This command must be run as root<\/q>/)
  t.ok(app.history.list({ kind: 'all', limit: 50 }).some((r) => r.command.startsWith('dokku ssh-keys:add alice') && r.status === 'failed'), 'it was tried')
  const fp = (await app.hosts.default.dokku.sshKeys()).find((k) => k.name === 'ci-bot')!.fingerprint
  const remove = await app.inject({ method: 'POST', url: '/server/ssh-keys/remove', headers: formHeaders(cookie), payload: form({ fingerprint: fp, confirm: 'ci-bot' }) })
  t.equal(remove.statusCode, 200)
  t.match(remove.body, /<div class="root-command" data-root-command="remove">[\s\S]*sudo dokku ssh-keys:remove --fingerprint SHA256:/)
})

t.test('global domains, cleanup with its preview, and the renewal job', async (t) => {
  const { app, dataDir } = await build(t)
  const cookie = await login(app)
  const page = await app.inject({ url: '/server', headers: { cookie } })
  t.match(page.body, /<code class="hostname" data-global-domain="dokku\.me">/)
  t.match(page.body, /<p data-cleanup-containers="3">It would remove 3 exited containers:/)
  t.match(page.body, /go-worker<\/a> worker\.1/)
  t.match(page.body, /That includes the containers of stopped apps \(python-app\)/)
  t.match(page.body, /<p data-renewal="enabled">/)

  const add = await app.inject({ method: 'POST', url: '/server/domains', headers: formHeaders(cookie), payload: form({ change: 'add', domain: 'Apps.Example.org, other.example.net' }) })
  t.equal(add.statusCode, 200)
  t.match(add.body, /data-global-domain="apps\.example\.org"[\s\S]*data-global-domain="other\.example\.net"/)
  t.same((await readSimState(dataDir)).global.vhosts, ['dokku.me', 'apps.example.org', 'other.example.net'])
  await app.inject({ method: 'POST', url: '/server/domains', headers: formHeaders(cookie), payload: form({ change: 'remove', domain: 'other.example.net' }) })
  await app.inject({ method: 'POST', url: '/server/domains', headers: formHeaders(cookie), payload: form({ change: 'set', domain: 'dokku.example.com' }) })
  t.same((await readSimState(dataDir)).global.vhosts, ['dokku.example.com'])
  const bad = await app.inject({ method: 'POST', url: '/server/domains', headers: formHeaders(cookie), payload: form({ change: 'add', domain: 'foo_bar' }) })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /id="global-domain-error" role="alert">Domain may only contain/)
  const plain = await app.inject({ method: 'POST', url: '/server/domains', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ change: 'add', domain: 'x.example.org' }) })
  t.equal(plain.statusCode, 303)
  t.equal(plain.headers.location, '/server#server-domains')

  const job = await app.inject({ method: 'POST', url: '/server/cleanup', headers: hx(cookie) })
  t.equal(job.statusCode, 202)
  t.match(job.body, /Clean up exited containers and dangling images/)
  await app.jobs.drain()
  t.match((await readSimState(dataDir)).apps['go-worker']!.containers[0]!.status, 'missing')
  t.match((await app.inject({ url: '/server', headers: { cookie } })).body, /dokku reports no exited container right now/)

  const off = await app.inject({ method: 'POST', url: '/server/letsencrypt-cron', headers: formHeaders(cookie), payload: form({ enable: 'false' }) })
  t.match(off.body, /<p data-renewal="disabled">/)
  t.equal((await readSimState(dataDir)).global.letsencryptAutorenew, false)
})

t.test('the advisory banner on every page, from the version already read', async (t) => {
  for (const [version, count] of [['0.35.0', 5], ['0.38.6', 2], ['0.38.24', 1], ['0.38.27', 0]] as const) {
    await t.test(version, async (t) => {
      const { app } = await build(t, { simulator: { DOKKU_SIM_VERSION: version } })
      const cookie = await login(app)
      const server = await app.inject({ url: '/server', headers: { cookie } })
      t.equal((server.body.match(/<tr data-advisory="GHSA-/g) ?? []).length, count, 'the server page lists the advisories that apply')
      const rows = app.history.list({ kind: 'all', limit: 500 }).length
      for (const url of ['/settings', '/history', '/alerts', '/apps/node-js-app']) {
        const res = await app.inject({ url, headers: { cookie } })
        t.equal(res.statusCode, 200, url)
        if (count === 0) t.notMatch(res.body, /id="security-banner"/, `${url}: no banner`)
        else t.match(res.body, new RegExp(`id="security-banner"[\\s\\S]*dokku ${version.replace(/\./g, '\\.')}</strong>, which has ${count} known critical vulnerabilit`), `${url}: the banner`)
      }
      const reads = app.history.list({ kind: 'all', limit: 500 }).filter((r) => r.command === 'dokku version')
      t.equal(reads.length, 1, 'dokku\'s version was read once, however many pages')
      t.ok(app.history.list({ kind: 'all', limit: 500 }).length > rows, 'the app page did its own reads')
      if (count > 0) {
        t.match(server.body, /<pre class="output copyable"><code>sudo apt-get update &amp;&amp; sudo apt-get --no-install-recommends install dokku/)
        t.match(server.body, /Upgrade to <strong>0\.38\.25<\/strong> or later/)
      }
    })
  }
})
