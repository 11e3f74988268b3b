/**
 * Each watchdog rule at its thresholds, as pure functions with a fixed clock: certificates
 * (14 and 3 days, expired), Let's Encrypt's renewal job, DNS (with answers a resolver would
 * give), disk (80% and 90%, and the days-to-full forecast from samples), processes, deploys,
 * dokku's security floor and a host that stopped answering.
 */
import t from 'tap'
import type { CertsReport } from '../../src/dokku/parsers/certs.js'
import type { DomainsReport } from '../../src/dokku/parsers/domains.js'
import type { DiskUsage } from '../../src/dokku/parsers/host.js'
import type { ProcessStatus, PsReport } from '../../src/dokku/parsers/ps.js'
import { parseVersion } from '../../src/dokku/parsers/version.js'
import type { DnsAnswer } from '../../src/watchdog/resolver.js'
import {
  appDownRule, autorenewRule, certExpiryRule, daysToFull, deployFailedRule, diskRule, dnsRule, hostDownRule, relative, restartingRule, securityRule
} from '../../src/watchdog/rules.js'

const NOW = new Date('2026-03-01T12:00:00Z')
const DAY = 86_400_000
const HOUR = 3_600_000

function cert (app: string, msLeft: number | null, enabled = true): CertsReport {
  return {
    app, dir: `/home/dokku/${app}/tls`, enabled, hostnames: [`${app}.example.com`],
    expiresAt: msLeft === null ? null : new Date(NOW.getTime() + msLeft), startsAt: null, daysLeft: null,
    issuer: 'C = US, O = Let\'s Encrypt, CN = R11', subject: '', verified: true, raw: {}
  }
}

const keys = (r: { candidates: Array<{ key: string; severity: string }> }) => r.candidates.map((c) => `${c.key} ${c.severity}`)

t.test('certificates: under 14 days a warning, under 3 critical, expired critical', async (t) => {
  const certs = [
    cert('fresh', 14 * DAY), cert('edge', 14 * DAY - 1), cert('week', 7 * DAY), cert('three', 3 * DAY), cert('two', 3 * DAY - 1),
    cert('gone', -HOUR), cert('off', DAY, false), cert('none', null)
  ]
  const r = certExpiryRule({ certs, letsencryptApps: new Set(), cron: 'enabled', now: NOW })
  t.same(keys(r), ['cert-expiry:edge warning', 'cert-expiry:week warning', 'cert-expiry:three warning', 'cert-expiry:two critical', 'cert-expiry:gone critical'])
  const gone = r.candidates.find((c) => c.app === 'gone')!
  t.equal(gone.title, 'The certificate of gone has expired')
  t.match(gone.detail, /Expired 2026-03-01 11:00 UTC \(1 hour ago\)/)
  t.equal(gone.fix, null, 'no one-click fix for a certificate Let\'s Encrypt does not manage')
  t.match(gone.action, /certs:update/)
  t.equal(r.candidates.find((c) => c.app === 'week')!.title, 'The certificate of week expires in 7 days')
})

t.test('a Let\'s Encrypt certificate: renew now, or turn auto-renew on and renew', async (t) => {
  const certs = [cert('shop', 5 * DAY)]
  const on = certExpiryRule({ certs, letsencryptApps: new Set(['shop']), cron: 'enabled', now: NOW }).candidates[0]!
  t.same(on.fix, { kind: 'letsencrypt-renew', label: 'Renew now', app: 'shop' })
  t.match(on.action, /should have renewed it/)
  const off = certExpiryRule({ certs, letsencryptApps: new Set(['shop']), cron: 'disabled', now: NOW }).candidates[0]!
  t.same(off.fix, { kind: 'letsencrypt-autorenew-renew', label: 'Enable auto-renew and renew now', app: 'shop' })
})

t.test('auto-renew off: one warning per app with a Let\'s Encrypt certificate', async (t) => {
  const apps = new Set(['b-app', 'a-app'])
  t.same(keys(autorenewRule({ letsencryptApps: apps, cron: 'disabled' })), ['le-autorenew:a-app warning', 'le-autorenew:b-app warning'])
  t.same(autorenewRule({ letsencryptApps: apps, cron: 'disabled' }).candidates[0]!.fix, { kind: 'letsencrypt-autorenew', label: 'Enable auto-renew' })
  for (const cron of ['enabled', 'unknown', 'not-installed'] as const) t.same(autorenewRule({ letsencryptApps: apps, cron }).candidates, [], cron)
  t.same(autorenewRule({ letsencryptApps: new Set(), cron: 'disabled' }).candidates, [], 'no Let\'s Encrypt app, nothing to renew')
})

function domains (app: string, vhosts: string[], appEnabled = true): DomainsReport {
  return { app, appEnabled, appVhosts: vhosts, globalEnabled: true, globalVhosts: ['dokku.me'], raw: {} }
}

t.test('DNS: a vhost must resolve to one of the host\'s addresses', async (t) => {
  const answers = new Map<string, DnsAnswer>([
    ['good.example.com', { state: 'ok', addresses: ['198.51.100.1', '203.0.113.10'] }],
    ['v6.example.com', { state: 'ok', addresses: ['2001:DB8::10'] }],
    ['moved.example.com', { state: 'ok', addresses: ['192.0.2.99'] }],
    ['gone.example.com', { state: 'none', code: 'NXDOMAIN' }],
    ['flaky.example.com', { state: 'error', message: 'ETIMEOUT' }]
  ])
  const r = dnsRule({
    domains: [
      domains('web', ['good.example.com', 'v6.example.com', 'moved.example.com', 'gone.example.com', 'flaky.example.com', '*.example.com', '_', '10.0.0.1']),
      domains('novhost', ['moved.example.com'], false)
    ],
    hostAddresses: ['203.0.113.10', '2001:db8::10'],
    answers
  })
  t.same(keys(r), ['dns:web:moved.example.com warning', 'dns:web:gone.example.com warning'])
  t.equal(r.candidates[0]!.title, 'moved.example.com points elsewhere')
  t.match(r.candidates[0]!.detail, /resolves to 192\.0\.2\.99; this host is 203\.0\.113\.10, 2001:db8::10/)
  t.equal(r.candidates[1]!.title, 'gone.example.com does not resolve')
  t.same(r.keep, ['dns:web:flaky.example.com'], 'a lookup that could not tell keeps its finding as it is')
})

const GiB = 1024 ** 3
function disk (mount: string, usePercent: number, sizeBytes = 100 * GiB): DiskUsage {
  const usedBytes = Math.round((sizeBytes * usePercent) / 100)
  return { filesystem: '/dev/vda1', mount, sizeBytes, usedBytes, availBytes: sizeBytes - usedBytes, usePercent }
}

t.test('disk: over 80% a warning, over 90% critical', async (t) => {
  const r = diskRule({ usage: [disk('/a', 80), disk('/b', 81), disk('/c', 90), disk('/d', 91)], samples: new Map(), now: NOW })
  t.same(keys(r), ['disk:/b warning', 'disk:/c warning', 'disk:/d critical'])
  t.equal(r.candidates[0]!.title, 'Disk /b is 81% full')
  t.match(r.candidates[0]!.detail, /Not enough samples yet/)
})

t.test('disk: days to full, from the kept samples', async (t) => {
  const size = 100 * GiB
  // 1 GiB a day, sampled every 6 hours for two days, now at 85 GiB: 15 days left.
  const samples = Array.from({ length: 9 }, (_, i) => ({ mount: '/', at: NOW.getTime() - (8 - i) * 6 * HOUR, usedBytes: Math.round((83 + i * 0.25) * GiB), sizeBytes: size }))
  t.equal(Math.round(daysToFull(samples, size, NOW)!), 15)
  const r = diskRule({ usage: [disk('/', 85)], samples: new Map([['/', samples]]), now: NOW })
  t.match(r.candidates[0]!.detail, /full in about 15 days/)
  t.equal(daysToFull(samples.slice(0, 2), size, NOW), null, 'two samples are not enough')
  t.equal(daysToFull(samples.map((s, i) => ({ ...s, at: NOW.getTime() - (8 - i) * 60_000 })), size, NOW), null, 'nor eight minutes of them')
  t.equal(daysToFull(samples.map((s) => ({ ...s, usedBytes: 85 * GiB })), size, NOW), null, 'a disk that does not grow is never full')
  t.equal(daysToFull(samples.map((s, i) => ({ ...s, usedBytes: (90 - i) * GiB })), size, NOW), null, 'nor one that shrinks')
  const old = samples.map((s) => ({ ...s, at: s.at - 8 * DAY }))
  t.equal(daysToFull(old, size, NOW), null, 'samples older than the window do not count')
  const fast = samples.map((s, i) => ({ ...s, usedBytes: Math.round((95 + i * 0.5) * GiB) }))
  t.match(diskRule({ usage: [disk('/', 99)], samples: new Map([['/', fast]]), now: NOW }).candidates[0]!.detail, /full within a day/)
})

function ps (app: string, statuses: string[], opts: Partial<PsReport> = {}): PsReport {
  const processes: ProcessStatus[] = statuses.map((status, i) => ({ type: 'web', index: i + 1, status, cid: null }))
  return { app, deployed: true, state: 'running', processCount: statuses.length, canScale: true, restore: true, restartPolicy: 'on-failure:10', procfilePath: '', processes, raw: {}, ...opts }
}

t.test('processes: crashed is critical, partly down a warning, a stop by hand nothing', async (t) => {
  const r = appDownRule([
    ps('crashed', ['exited', 'missing']), ps('degraded', ['running', 'exited']), ps('fine', ['running']),
    ps('stopped', ['exited'], { restore: false }), ps('never', [], { deployed: false }), ps('k3s', [])
  ])
  t.same(keys(r), ['app-down:crashed critical', 'app-down:degraded warning'])
  t.equal(r.candidates[0]!.title, 'crashed has crashed: none of its processes runs')
  t.match(r.candidates[0]!.detail, /web\.1 exited, web\.2 missing/)
  t.same(r.candidates[0]!.fix, { kind: 'app-restart', label: 'Restart', app: 'crashed' })
  t.same(keys(restartingRule([ps('loop', ['restarting', 'running']), ps('fine', ['running'])])), ['app-restarting:loop warning'])
})

t.test('deploys: the last one failed', async (t) => {
  const r = deployFailedRule([
    { app: 'a', status: 'failed', at: '2026-03-01T10:00:00.000Z', link: '/jobs/4', what: 'Rebuild a', message: 'App build failed' },
    { app: 'b', status: 'succeeded', at: '2026-03-01T10:00:00.000Z', link: null, what: 'git push' },
    { app: 'c', status: 'running', at: '2026-03-01T10:00:00.000Z', link: null, what: 'git push' }
  ])
  t.same(keys(r), ['deploy-failed:a warning'])
  t.match(r.candidates[0]!.detail, /Rebuild a, started 2026-03-01 10:00 UTC, failed: App build failed/)
})

t.test('the security floor at 0.35, 0.38.6, 0.38.24 and 0.38.27', async (t) => {
  const count = (v: string) => {
    const r = securityRule(parseVersion(`dokku version ${v}\n`))
    return r === null ? null : r.candidates.length === 0 ? 0 : Number(r.candidates[0]!.title.match(/has (\d+) known/)![1])
  }
  t.equal(count('0.35.0'), 5)
  t.equal(count('0.38.6'), 2)
  t.equal(count('0.38.24'), 1)
  t.equal(count('0.38.25'), 0)
  t.equal(count('0.38.27'), 0)
  t.equal(count('~master (2026-08-21T20:18+00:00)'), 0, 'a development build is newer than every release')
  t.equal(securityRule({ raw: '', parts: null, dev: false }), null, 'an unknown version is not judged')
  const r = securityRule(parseVersion('dokku version 0.38.24\n'))!.candidates[0]!
  t.equal(r.severity, 'critical')
  t.match(r.detail, /GHSA-fccf-j7qf-2xp9 \(CVE-2026-86002, fixed in 0\.38\.25\)/)
  t.match(r.action, /Upgrade dokku to 0\.38\.25 or later .*: sudo apt-get update/)
})

t.test('a host that stopped answering: after two checks in a row', async (t) => {
  t.same(hostDownRule('beta', { failures: 0, message: null, since: null }).candidates, [])
  const once = hostDownRule('beta', { failures: 1, message: 'no answer', since: NOW.toISOString() })
  t.same([once.candidates, once.keep], [[], ['host-down']], 'one miss: nothing new, nothing cleared')
  const twice = hostDownRule('beta', { failures: 2, message: 'could not reach dokku: Connection refused', since: NOW.toISOString() })
  t.same(keys(twice), ['host-down critical'])
  t.match(twice.candidates[0]!.detail, /since 2026-03-01 12:00 UTC: could not reach dokku: Connection refused/)
})

t.test('times in words', async (t) => {
  t.equal(relative(5 * DAY - HOUR), 'in 5 days')
  t.equal(relative(36 * HOUR), 'in 36 hours')
  t.equal(relative(-3 * DAY), '3 days ago')
  t.equal(relative(30_000), 'in 1 minute')
})
