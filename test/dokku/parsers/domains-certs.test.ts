import t from 'tap'
import { parseCertsReport, parseOpensslDate } from '../../../src/dokku/parsers/certs.js'
import { parseDomainsReport, parseDomainsReportAll } from '../../../src/dokku/parsers/domains.js'
import { fixture } from './fixture.js'

t.test('domains:report: Go, bash (padded), JSON', async (t) => {
  for (const [file, format] of [['domains/report.txt', 'text'], ['domains/report-bash.txt', 'text'], ['domains/report.json', 'json']] as const) {
    const r = parseDomainsReport('node-js-app', fixture(file), format)
    t.equal(r.appEnabled, true, file)
    t.same(r.appVhosts, ['node-js-app.dokku.me', 'www.example.com'], file)
    t.equal(r.globalEnabled, true, file)
    t.same(r.globalVhosts, ['dokku.me'], file)
  }
})

t.test('domains:report from the docs (uneven padding) and --global', async (t) => {
  const old = parseDomainsReport('node-js-app', fixture('domains/report-docs-old.txt'), 'text')
  t.same(old.appVhosts, ['node-js-app.dokku.org'])
  t.same(old.globalVhosts, ['dokku.org'])
  const global = parseDomainsReport('--global', fixture('domains/report-global.txt'), 'text')
  t.same(global.appVhosts, [])
  t.equal(global.appEnabled, false)
  t.same(global.globalVhosts, ['dokku.me'])
})

t.test('domains:report with vhosts disabled and none set', async (t) => {
  const r = parseDomainsReport('a', '=====> a domains information\n       Domains app enabled:           false\n       Domains app vhosts:            \n', 'text')
  t.equal(r.appEnabled, false)
  t.same(r.appVhosts, [])
})

const NOW = new Date(Date.UTC(2026, 2, 1)) // 2026-03-01

t.test('certs:report: Go, bash and JSON with a certificate', async (t) => {
  for (const [file, format] of [['certs/report.txt', 'text'], ['certs/report-bash.txt', 'text'], ['certs/report.json', 'json']] as const) {
    const r = parseCertsReport('node-js-app', fixture(file), format, NOW)
    t.equal(r.enabled, true, file)
    t.equal(r.dir, '/home/dokku/node-js-app/tls')
    t.same(r.hostnames, ['node-js-app.dokku.me', 'www.example.com'])
    t.same(r.expiresAt, new Date(Date.UTC(2026, 2, 31, 12, 0, 0)))
    t.same(r.startsAt, new Date(Date.UTC(2026, 0, 1, 12, 0, 1)), 'space-padded day')
    t.equal(r.daysLeft, 30)
    t.equal(r.issuer, "C = US, O = Let's Encrypt, CN = R11")
    t.equal(r.subject, 'CN=node-js-app.dokku.me')
    t.equal(r.verified, true)
  }
})

t.test('certs:report without a certificate', async (t) => {
  const r = parseCertsReport('python-app', fixture('certs/report-no-cert.txt'), 'text', NOW)
  t.equal(r.enabled, false)
  t.same(r.hostnames, [])
  t.equal(r.expiresAt, null)
  t.equal(r.daysLeft, null)
  t.equal(r.verified, null)
  t.equal(r.issuer, '')
})

t.test('certs:report from the docs: self signed. and an expired certificate', async (t) => {
  const r = parseCertsReport('node-js-app', fixture('certs/report-docs-old.txt'), 'text', NOW)
  t.same(r.hostnames, ['*.dokku.org', 'dokku.org'])
  t.same(r.expiresAt, new Date(Date.UTC(2019, 9, 5, 23, 59, 59)))
  t.ok((r.daysLeft ?? 0) < -2000, 'negative once expired')
  t.equal(r.verified, false)
  t.equal(r.subject, 'OU=Domain Control Validated; OU=PositiveSSL Wildcard; CN=*.dokku.org')
})

t.test('OpenSSL dates', async (t) => {
  t.same(parseOpensslDate('Jan  1 00:00:00 2027 GMT'), new Date(Date.UTC(2027, 0, 1)))
  t.equal(parseOpensslDate('Foo  1 00:00:00 2027 GMT'), null)
  t.equal(parseOpensslDate('2027-01-01'), null)
  t.equal(parseOpensslDate(undefined), null)
})

t.test('domains:report for every app: one section per app', async (t) => {
  const all = parseDomainsReportAll(fixture('domains/report-all.txt'))
  t.same(all.map((r) => [r.app, r.appVhosts, r.globalVhosts]), [
    ['go-worker', ['go-worker.dokku.me'], ['dokku.me']],
    ['node-js-app', ['node-js-app.dokku.me', 'www.example.com'], ['dokku.me']]
  ])
  t.same(parseDomainsReportAll(''), [], 'no apps: nothing on stdout')
})
