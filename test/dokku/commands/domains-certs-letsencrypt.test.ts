import t from 'tap'
import * as certs from '../../../src/dokku/commands/certs.js'
import * as domains from '../../../src/dokku/commands/domains.js'
import * as le from '../../../src/dokku/commands/letsencrypt.js'
import { InvalidArgumentError } from '../../../src/dokku/errors.js'
import { fixture } from '../parsers/fixture.js'
import { HOSTILE, V } from './versions.js'

const ok = (stdout: string) => ({ stdout, stderr: '', exitCode: 0 })

t.test('domains:report: JSON from 0.38.0, text before', async (t) => {
  const json = domains.domainsReport('node-js-app', V.v0_38_0)
  t.same(json.args, ['domains:report', 'node-js-app', '--format', 'json'])
  t.same(json.parse(ok(fixture('domains/report.json'))).appVhosts, ['node-js-app.dokku.me', 'www.example.com'])
  const text = domains.domainsReport('node-js-app', V.v0_30)
  t.same(text.args, ['domains:report', 'node-js-app'])
  t.same(text.parse(ok(fixture('domains/report-bash.txt'))).globalVhosts, ['dokku.me'])
})

t.test('domains:add/remove/set: lowercased, de-duplicated, wildcards allowed', async (t) => {
  t.same(domains.addDomains('a', ['WWW.Example.com', 'www.example.com', '*.example.com']).args,
    ['domains:add', 'a', 'www.example.com', '*.example.com'])
  t.equal(domains.addDomains('a', ['x.io']).label, 'Add x.io to a')
  t.same(domains.removeDomains('a', ['x.io']).args, ['domains:remove', 'a', 'x.io'])
  t.equal(domains.removeDomains('a', ['x.io']).label, 'Remove x.io from a')
  t.same(domains.setDomains('a', ['x.io', '_']).args, ['domains:set', 'a', 'x.io', '_'])
  t.equal(domains.setDomains('a', ['x.io']).label, 'Set domains of a to x.io')
})

t.test('domains: bad hostnames are refused', async (t) => {
  t.throws(() => domains.addDomains('a', []), { name: 'InvalidArgumentError', field: 'domains' })
  for (const bad of ['foo_bar', 'example.com.', 'exa mple.com', 'a/b', 'http://x.io', 'x.io:80', ...HOSTILE]) {
    t.throws(() => domains.addDomains('a', ['ok.io', bad]), InvalidArgumentError, JSON.stringify(bad))
    t.throws(() => domains.removeDomains('a', [bad]), InvalidArgumentError, JSON.stringify(bad))
  }
})

t.test('certs:report', async (t) => {
  const now = new Date(Date.UTC(2026, 2, 30, 12))
  const json = certs.certsReport('node-js-app', V.current, now)
  t.same(json.args, ['certs:report', 'node-js-app', '--format', 'json'])
  t.equal(json.parse(ok(fixture('certs/report.json'))).daysLeft, 1)
  const text = certs.certsReport('node-js-app', V.v0_30, now)
  t.same(text.args, ['certs:report', 'node-js-app'])
  t.equal(text.parse(ok(fixture('certs/report-bash.txt'))).enabled, true)
  t.throws(() => certs.certsReport('$(x)', V.current), InvalidArgumentError)
})

t.test('letsencrypt:list (and :ls for plugins before 0.10.0)', async (t) => {
  const spec = le.letsencryptList()
  t.same(spec.args, ['letsencrypt:list'])
  t.same(le.letsencryptList({ legacy: true }).args, ['letsencrypt:ls'])
  const listed = spec.parse(ok(fixture('letsencrypt/list.txt')))
  t.equal(listed.installed && listed.items.length, 2)
  const missing = { stdout: '', stderr: ' !     `letsencrypt:list` is not a dokku command.\n !     See `dokku help` for a list of available commands.\n', exitCode: 1 }
  t.equal(spec.acceptFailure?.(missing), true)
  t.same(spec.parse(missing), { installed: false })
  t.equal(spec.acceptFailure?.({ stdout: '', stderr: ' !     boom\n', exitCode: 1 }), false)
})

t.test('letsencrypt:report is read as text and keeps DNS credentials out of history', async (t) => {
  const spec = le.letsencryptReport('node-js-app')
  t.same(spec.args, ['letsencrypt:report', 'node-js-app'])
  const parsed = spec.parse(ok(fixture('letsencrypt/report.txt')))
  t.equal(parsed.installed && parsed.report.email, 'admin@example.com')
  const text = '       Letsencrypt dns provider:      ovh\n       Letsencrypt dns provider OVH_APPLICATION_KEY: key-123\n'
  t.equal(spec.redactOutput?.(text), '       Letsencrypt dns provider:      ovh\n       Letsencrypt dns provider OVH_APPLICATION_KEY: <redacted>\n')
})

t.test('letsencrypt:enable, disable, auto-renew, set email', async (t) => {
  t.same(le.letsencryptEnable('a').args, ['letsencrypt:enable', 'a'])
  t.same(le.letsencryptEnable('a', { force: true }).args, ['letsencrypt:enable', 'a', '--force'])
  t.equal(le.letsencryptEnable('a').kind, 'job')
  t.same(le.letsencryptDisable('a').args, ['letsencrypt:disable', 'a'])
  t.same(le.letsencryptAutoRenew().args, ['letsencrypt:auto-renew'])
  t.equal(le.letsencryptAutoRenew().app, null)
  t.same(le.letsencryptAutoRenew('a').args, ['letsencrypt:auto-renew', 'a'])
  t.same(le.letsencryptSetEmail('a', 'admin@example.com').args, ['letsencrypt:set', 'a', 'email', 'admin@example.com'])
  t.same(le.letsencryptSetEmail(null, 'admin@example.com').args, ['letsencrypt:set', '--global', 'email', 'admin@example.com'])
  t.same(le.letsencryptSetEmail('a', null).args, ['letsencrypt:set', 'a', 'email'])
  for (const bad of ['-x@example.com', 'a@b', 'a b@example.com', 'a@example.com\nb', 'a;id@example.com', '$(id)@x.io', 'x'.repeat(250) + '@x.io']) {
    t.throws(() => le.letsencryptSetEmail('a', bad), { name: 'InvalidArgumentError', field: 'email' }, bad)
  }
  for (const bad of HOSTILE) t.throws(() => le.letsencryptEnable(bad), InvalidArgumentError)
})

t.test('domains:report for all apps in one call, as text', async (t) => {
  const all = domains.domainsReportAll()
  t.same(all.args, ['domains:report'])
  t.same((await all.parse({ stdout: fixture('domains/report-all.txt'), stderr: '', exitCode: 0 })).map((r) => r.app), ['go-worker', 'node-js-app'])
})
