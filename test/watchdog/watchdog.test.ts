/**
 * The watchdog against the simulator, with an injected clock, resolver and disk sampler:
 * findings open from what dokku reports, resolve when the condition ends, keep their state
 * when a rule could not judge, snooze, the security floor, a host that stops answering, and
 * failed deploys. Every run is a read of origin `watchdog`; the job lane is never used.
 */
import t from 'tap'
import type { DiskUsage } from '../../src/dokku/parsers/host.js'
import type { Host } from '../../src/hosts/host.js'
import * as alerts from '../../src/services/alerts.js'
import { fromLastDeploys, historyDeployOutcomes } from '../../src/watchdog/deploys.js'
import { lastDeployOutcomes } from '../../src/watchdog/plugin.js'
import { deployFailedRule } from '../../src/watchdog/rules.js'
import type { DiskSampler } from '../../src/watchdog/disk.js'
import { StaticResolver } from '../../src/watchdog/resolver.js'
import type { DeployOutcome } from '../../src/watchdog/rules.js'

const keys = (r: { candidates: Array<{ key: string; severity: string }> }) => r.candidates.map((c) => `${c.key} ${c.severity}`)
import { FailingTransport } from '../helpers/failing-transport.js'
import { DokkuError } from '../../src/dokku/errors.js'
import { join } from 'node:path'
import { InProcessSimulatorTransport, runInProcess } from '../../src/dokku/simulator/in-process.js'
import type { Transport } from '../../src/dokku/transport.js'
import { build, login } from '../helpers/build.js'
import { editSimState } from '../helpers/simulator-state.js'

const GiB = 1024 ** 3
const HOUR = 3_600_000

/** A disk sampler whose figures the test sets. */
function scriptedDisk (): DiskSampler & { percent: number } {
  const sampler = {
    percent: 50,
    async sample (): Promise<DiskUsage[]> {
      const size = 100 * GiB
      const used = Math.round((size * sampler.percent) / 100)
      return [{ filesystem: '/dev/vda1', mount: '/', sizeBytes: size, usedBytes: used, availBytes: size - used, usePercent: sampler.percent }]
    }
  }
  return sampler
}

const A = '203.0.113.10'
const resolver = new StaticResolver({
  'dokku.me': [A], 'node-js-app.dokku.me': [A], 'www.example.com': [A], 'python-app.dokku.me': [A],
  'api.example.org': ['198.51.100.7'], 'ruby-app.dokku.me': [A], 'go-worker.dokku.me': 'error', 'static-site.dokku.me': [A]
})

const openKeys = (built: { app: { alerts: { findings: { open: (h: string) => Array<{ key: string; severity: string }> } } } }, host = 'local') =>
  built.app.alerts.findings.open(host).map((f) => `${f.key} ${f.severity}`).sort()

t.test('seed a: what the watchdog finds, and how it clears', async (t) => {
  const clock = { now: new Date() }
  const disk = scriptedDisk()
  disk.percent = 85
  let deploys: DeployOutcome[] = [{ app: 'ruby-app', status: 'failed', at: clock.now.toISOString(), link: '/jobs/1', what: 'git push', message: 'App build failed' }]
  const built = await build(t, { watchdog: { resolver, diskSampler: disk, now: () => clock.now, deployOutcomes: () => deploys } })
  const host = built.app.hosts.default
  let jobLane = 0
  const lane = host.runner.lanes.job
  const acquire = lane.acquire.bind(lane)
  const tryAcquire = lane.tryAcquire.bind(lane)
  lane.acquire = (signal) => { jobLane++; return acquire(signal) }
  lane.tryAcquire = () => { jobLane++; return tryAcquire() }

  const first = await built.app.alerts.watchdog.check(host)
  t.same(first!.checked.sort(), ['app-down', 'app-restarting', 'cert-expiry', 'deploy-failed', 'disk', 'dns', 'host-down', 'le-autorenew', 'security-floor'])
  t.same(openKeys(built), [
    'app-down:go-worker critical',
    'app-down:ruby-app warning',
    'cert-expiry:python-app warning',
    'deploy-failed:ruby-app warning',
    'disk:/ warning',
    'dns:python-app:api.example.org warning'
  ])
  t.ok(first!.changes.every((c) => c.type === 'opened'))
  const python = built.app.alerts.findings.open('local').find((f) => f.key === 'cert-expiry:python-app')!
  t.match(python, { app: 'python-app', fix: { kind: 'letsencrypt-renew', label: 'Renew now', app: 'python-app' } })
  t.equal(python.firstSeen, clock.now.toISOString())

  const rows = built.app.history.list({ kind: 'all', limit: 100 })
  t.equal(rows.length, 6, 'version, ps, domains, certs, letsencrypt list and cron job: six reads')
  t.ok(rows.every((r) => r.origin === 'watchdog' && r.kind === 'read'), 'every run is a read of origin watchdog')
  t.equal(jobLane, 0, 'the job lane is never asked for')
  t.ok(rows.some((r) => r.command === 'dokku certs:report') && rows.some((r) => r.command === 'dokku ps:report'), 'one bulk read per report, not one per app')

  // An hour later, nothing changed: the same findings, seen again, and no change reported.
  clock.now = new Date(clock.now.getTime() + HOUR)
  const second = await built.app.alerts.watchdog.check(host)
  t.same(second!.changes, [], 'a condition seen again is no change')
  const again = built.app.alerts.findings.get(python.id)!
  t.equal(again.firstSeen, python.firstSeen)
  t.equal(again.lastSeen, clock.now.toISOString(), 'last seen moves on')

  // Things get better, and worse.
  await editSimState(built.dataDir, (s, now) => {
    for (const c of s.apps['go-worker']!.containers) c.status = 'running'
    s.apps['python-app']!.cert!.expiresAt = now + 60 * 86400
    s.apps['python-app']!.vhosts = ['python-app.dokku.me']
  })
  disk.percent = 95
  deploys = [{ ...deploys[0]!, status: 'succeeded' }]
  clock.now = new Date(clock.now.getTime() + HOUR)
  const third = await built.app.alerts.watchdog.check(host)
  t.same(third!.changes.map((c) => `${c.type} ${c.finding.key}`).sort(), [
    'resolved app-down:go-worker', 'resolved cert-expiry:python-app', 'resolved deploy-failed:ruby-app', 'resolved dns:python-app:api.example.org', 'worsened disk:/'
  ])
  t.same(openKeys(built), ['app-down:ruby-app warning', 'disk:/ critical'])
  t.equal(built.app.alerts.findings.get(python.id)!.resolvedAt, clock.now.toISOString())
  t.equal(built.app.alerts.findings.list({ state: 'resolved' }).length, 4, 'resolved findings are kept, for the recent list')

  // The condition coming back is a new finding.
  await editSimState(built.dataDir, (s) => { for (const c of s.apps['go-worker']!.containers) c.status = 'exited' })
  const fourth = await built.app.alerts.watchdog.check(host)
  const reopened = fourth!.changes.find((c) => c.finding.key === 'app-down:go-worker')!
  t.equal(reopened.type, 'opened')
  t.not(reopened.finding.id, first!.changes.find((c) => c.finding.key === 'app-down:go-worker')!.finding.id)

  // The server page shows the disks from the watchdog's samples (no dokku call), with the forecast.
  const cookie = await login(built.app)
  const page = await built.app.inject({ url: '/server', headers: { cookie } })
  t.match(page.body, /<tr data-mount="\/" class="disk-critical">[\s\S]*?<td>under a day<\/td>/, '85% to 95% in two hours: full within a day')
  t.match(page.body, new RegExp(`Measured ${clock.now.toISOString().slice(0, 10)}`))
})

t.test('a rule that cannot judge keeps its findings as they are', async (t) => {
  const dir = t.testdir({})
  let failCerts = false
  const transport = new FailingTransport(dir, (args) => failCerts && args[0] === 'certs:report' ? { stderr: ' !     certs plugin is broken\n', code: 1 } : null)
  const built = await build(t, { transport, watchdog: { resolver, diskSampler: scriptedDisk(), deployOutcomes: () => [] } })
  const host = built.app.hosts.default
  await built.app.alerts.watchdog.check(host)
  t.ok(openKeys(built).includes('cert-expiry:python-app warning'))
  failCerts = true
  const report = await built.app.alerts.watchdog.check(host)
  t.notOk(report!.checked.includes('cert-expiry'), 'the certificate rule did not run')
  t.ok(openKeys(built).includes('cert-expiry:python-app warning'), 'and its finding stays open')
  t.ok(report!.checked.includes('app-down'), 'the other rules ran')
})

t.test('snooze: out of the counts until the time is up, and it still clears by itself', async (t) => {
  const clock = { now: new Date() }
  const built = await build(t, { watchdog: { resolver, diskSampler: scriptedDisk(), now: () => clock.now, deployOutcomes: () => [] } })
  const ctx = built.app.alerts
  const host = built.app.hosts.default
  await ctx.watchdog.check(host)
  const before = ctx.findings.summary(clock.now)
  const go = ctx.findings.open('local').find((f) => f.key === 'app-down:go-worker')!
  t.equal(before.worst!.id, go.id, 'the crashed app is the worst finding')
  const snoozed = alerts.snooze(ctx, go.id, '4h')
  t.equal(snoozed.snoozedUntil, new Date(clock.now.getTime() + 4 * HOUR).toISOString())
  const during = ctx.findings.summary(clock.now)
  t.equal(during.total, before.total - 1)
  t.equal(during.snoozed, 1)
  t.not(during.worst?.id, go.id)
  t.throws(() => alerts.snooze(ctx, go.id, '2y'), /Choose how long/)
  clock.now = new Date(clock.now.getTime() + 5 * HOUR)
  t.equal(ctx.findings.summary(clock.now).total, before.total, 'awake again once the time is up')
  alerts.snooze(ctx, go.id, '1d')
  await editSimState(built.dataDir, (s) => { for (const c of s.apps['go-worker']!.containers) c.status = 'running' })
  await ctx.watchdog.check(host)
  t.ok(ctx.findings.get(go.id)!.resolvedAt, 'a snoozed finding clears when its condition ends')
})

t.test('the security floor and a host that stops answering', async (t) => {
  const dir = t.testdir({})
  // The simulator on an env this test changes: its dokku version, and whether it answers at all.
  const env: Record<string, string> = { DOKKU_SIM_STATE: join(dir, 'sim.json'), DOKKU_SIM_STEP_MS: '0', DOKKU_SIM_VERSION: '0.38.6' }
  const sim = new InProcessSimulatorTransport(env)
  let down = false
  const transport: Transport = {
    description: 'ssh dokku@beta:22 (simulated)',
    prepare: (args) => sim.prepare(args),
    exec: (args, options) => down
      ? runInProcess(async (io) => { io.stderr('ssh: connect to host beta port 22: Connection refused\n'); return 255 }, options)
      : sim.exec(args, options)
  }
  const built = await build(t, { transport, watchdog: { resolver, diskSampler: scriptedDisk(), deployOutcomes: () => [] } })
  const host: Host = built.app.hosts.default
  await built.app.alerts.watchdog.check(host)
  const floor = built.app.alerts.findings.open('local').find((f) => f.key === 'security-floor')!
  t.match(floor, { severity: 'critical', title: 'dokku 0.38.6 has 2 known critical vulnerabilities' })
  const before = openKeys(built)

  down = true
  await built.app.alerts.watchdog.check(host)
  t.same(openKeys(built), before, 'one check without an answer: nothing opens, nothing clears')
  await built.app.alerts.watchdog.check(host)
  t.same(openKeys(built), [...before, 'host-down critical'].sort(), 'two in a row: the host is down; its other findings keep their state')
  const hostDown = built.app.alerts.findings.open('local').find((f) => f.key === 'host-down')!
  t.match(hostDown.detail, /Connection refused/)

  down = false
  env.DOKKU_SIM_VERSION = '0.38.27'
  await built.app.alerts.watchdog.check(host)
  t.ok(built.app.alerts.findings.get(hostDown.id)!.resolvedAt, 'answering again clears it')
  t.notOk(openKeys(built).includes('security-floor critical'), 'and the upgrade shows without a restart')
})

t.test('failed deploys from Docklight\'s own jobs, when the deploys service cannot say', async (t) => {
  const built = await build(t)
  const h = built.app.history
  const job = (command: string, status: 'success' | 'failed', app = 'node-js-app') => {
    const id = h.start({ command, app, host: 'local', kind: 'job', label: `Rebuild ${app}`, status: 'running' })
    h.finish(id, { status, exitCode: status === 'success' ? 0 : 1, stdout: '', stderr: '', error: status === 'failed' ? 'App build failed' : null, durationMs: 5 })
    return id
  }
  job('dokku ps:rebuild node-js-app', 'success')
  const failed = job('dokku ps:rebuild node-js-app', 'failed')
  job('dokku ps:restart ruby-app', 'failed', 'ruby-app')
  job('dokku git:sync --build go-worker https://github.com/x/y.git main', 'success', 'go-worker')
  t.same(historyDeployOutcomes(h, 'local').map((o) => [o.app, o.status, o.link]).sort(), [
    ['go-worker', 'succeeded', `/jobs/${failed + 2}`],
    ['node-js-app', 'failed', `/jobs/${failed}`]
  ], 'the newest deploy job of each app; a restart is not a deploy')
})

t.test('failed deploys from the deploys service (issue 9\'s releases): seed a\'s failed push of ruby-app', async (t) => {
  const built = await build(t)
  const host = built.app.hosts.default
  const outcomes = await lastDeployOutcomes(host, built.app.history)
  const ruby = outcomes.find((o) => o.app === 'ruby-app')
  t.equal(ruby?.status, 'failed', 'the push that failed to build is the last deploy')
  t.match(ruby?.what, /^A deploy/)
  t.notOk(outcomes.some((o) => o.status === 'failed' && o.app !== 'ruby-app'), 'the other apps\' last deploys did not fail')
  t.same(keys(deployFailedRule(outcomes)), ['deploy-failed:ruby-app warning'])

  // A host without the deploy store: Docklight's own jobs in history.
  const saved = host.deploys
  host.deploys = undefined
  t.teardown(() => { host.deploys = saved })
  const id = built.app.history.start({ command: 'dokku ps:rebuild go-worker', app: 'go-worker', host: 'local', kind: 'job', label: 'Rebuild go-worker', status: 'running' })
  built.app.history.finish(id, { status: 'failed', exitCode: 1, stdout: '', stderr: '', error: 'App build failed', durationMs: 5 })
  t.same((await lastDeployOutcomes(host, built.app.history)).map((o) => [o.app, o.status]), [['go-worker', 'failed']])
})

t.test('fromLastDeploys: an unknown outcome says nothing; a deploy Docklight ran links to its job', async (t) => {
  const base = { at: '2026-03-01T10:00:00.000Z', buildId: null, error: null }
  const out = fromLastDeploys(new Map([
    ['a', { ...base, status: 'failed' as const, source: 'git-push', jobId: 7, releaseId: 1, error: 'App build failed' }],
    ['b', { ...base, status: 'succeeded' as const, source: '', jobId: null, releaseId: 2 }],
    ['c', { ...base, status: 'unknown' as const, source: 'git-push', jobId: null, releaseId: 3 }]
  ]))
  t.same(out.map((o) => [o.app, o.status, o.link, o.what, o.message]), [
    ['a', 'failed', '/jobs/7', 'A deploy (git-push)', 'App build failed'],
    ['b', 'succeeded', '/apps/b/deploy/releases/2', 'A deploy', null]
  ])
})

t.test('a source dokku cannot answer leaves its rule unjudged; a bug ends the check and is shown', async (t) => {
  let fail: Error | null = new DokkuError('failed', 'builds:list failed')
  const errors: string[] = []
  const built = await build(t, {
    watchdog: { resolver, diskSampler: scriptedDisk(), deployOutcomes: () => { if (fail) throw fail; return [] } }
  })
  const host = built.app.hosts.default
  const report = await built.app.alerts.watchdog.check(host)
  t.notOk(report!.checked.includes('deploy-failed'), 'no verdict on deploys this time')
  t.ok(report!.checked.includes('app-down'), 'the other rules ran')
  fail = new TypeError('a bug in a source')
  built.app.log.error = ((obj: { err?: Error }) => { errors.push(obj.err?.message ?? '') }) as typeof built.app.log.error
  t.equal(await built.app.alerts.watchdog.check(host), null)
  t.equal(built.app.alerts.watchdog.status('local')!.lastError, 'a bug in a source', '/alerts shows why the check failed')
  t.same(errors, ['a bug in a source'], 'and the log has it')
  fail = null
  await built.app.alerts.watchdog.check(host)
  t.equal(built.app.alerts.watchdog.status('local')!.lastError, null, 'the next good check clears it')
})
