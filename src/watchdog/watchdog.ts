import type { DiskSampleRepository } from '../db/disk-samples.js'
import type { FindingChange, FindingRepository } from '../db/findings.js'
import type { CertsReport } from '../dokku/parsers/certs.js'
import type { DomainsReport } from '../dokku/parsers/domains.js'
import type { CronJobState, DiskUsage } from '../dokku/parsers/host.js'
import type { PsReport } from '../dokku/parsers/ps.js'
import { DokkuError } from '../dokku/errors.js'
import type { Host } from '../hosts/host.js'
import { withOrigin } from '../run-context.js'
import type { DiskSampler } from './disk.js'
import type { DnsAnswer, Resolver } from './resolver.js'
import {
  appDownRule, autorenewRule, certExpiryRule, checkableDomains, deployFailedRule, diskRule, dnsRule, hostDownRule,
  restartingRule, securityRule, THRESHOLDS, type DeployOutcome, type Reachability, type RuleResult
} from './rules.js'

/**
 * The watchdog: a background check of every host, each on its own timer. A check reads what
 * the rules need, fresh (straight from dokku, not the pages' cache: a monitor must not judge a
 * stale answer), on the host's read lane only, a few reads at a time so that pages keep the
 * rest of the lane. Every run it causes is recorded with origin `watchdog`. What the rules
 * see becomes findings; what changed goes to the notifier.
 */

export interface WatchdogOptions {
  intervalMs: number
  /** Delay of the first check after start (each further host a little later). */
  firstCheckDelayMs?: number
  now?: () => Date
  resolver: Resolver
  diskSampler: DiskSampler
  /** The last deploy of each app on the host. */
  deployOutcomes: (host: Host) => Promise<DeployOutcome[]> | DeployOutcome[]
  /** Addresses an admin gave for the host (settings); empty: those of its global domain. */
  hostAddresses: (host: Host) => string[]
  onChanges?: (host: Host, changes: FindingChange[]) => void
  onError?: (host: Host, err: unknown) => void
  /** Reads of one check running at once (the read lane has 6 slots for everyone). */
  readConcurrency?: number
}

export interface HostWatch {
  host: string
  running: boolean
  lastCheckAt: string | null
  lastDurationMs: number | null
  /** Why the last check could not finish (a bug, not a dokku failure: those are findings). */
  lastError: string | null
  nextCheckAt: string | null
  /** The rules the last check could judge. */
  checked: string[]
  /** The addresses the DNS rule compared with, and where they came from. */
  addresses: { list: string[]; source: 'settings' | 'global domain' | null }
  reachability: Reachability
}

export interface CheckReport {
  host: string
  changes: FindingChange[]
  checked: string[]
}

/** Bounds on one check's DNS work: names looked up, and lookups at once. */
export const MAX_DNS_NAMES = 200
const DNS_CONCURRENCY = 8

type Read<T> = { ok: true; value: T } | { ok: false; error: DokkuError }

/** At most `n` of the given tasks at once. */
function limiter (n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0
  const waiting: Array<() => void> = []
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((resolve) => waiting.push(resolve))
    active++
    try {
      return await task()
    } finally {
      active--
      waiting.shift()?.()
    }
  }
}

export class Watchdog {
  private readonly state = new Map<string, HostWatch>()
  private readonly timers = new Map<string, NodeJS.Timeout>()
  private readonly inFlight = new Map<string, Promise<CheckReport | null>>()
  private started = false
  private stopped = false
  private readonly now: () => Date

  constructor (
    private readonly hosts: readonly Host[],
    private readonly findings: FindingRepository,
    private readonly disk: DiskSampleRepository,
    private readonly options: WatchdogOptions
  ) {
    this.now = options.now ?? (() => new Date())
    for (const h of hosts) {
      this.state.set(h.name, {
        host: h.name, running: false, lastCheckAt: null, lastDurationMs: null, lastError: null, nextCheckAt: null,
        checked: [], addresses: { list: [], source: null }, reachability: { failures: 0, message: null, since: null }
      })
    }
  }

  get intervalMs (): number { return this.options.intervalMs }

  /** Each host's first check shortly after start, then one per interval after the last ended. */
  start (): void {
    if (this.started || this.stopped) return
    this.started = true
    const first = this.options.firstCheckDelayMs ?? 2000
    this.hosts.forEach((host, i) => this.schedule(host, first + i * 500))
  }

  /** No new checks; a check still running writes nothing more. */
  async stop (graceMs = 2000): Promise<void> {
    this.stopped = true
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
    let timer: NodeJS.Timeout | undefined
    await Promise.race([
      Promise.allSettled([...this.inFlight.values()]),
      new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs) })
    ])
    clearTimeout(timer)
  }

  status (host: string): HostWatch | undefined {
    const s = this.state.get(host)
    return s ? structuredClone(s) : undefined
  }

  private schedule (host: Host, delayMs: number): void {
    if (this.stopped) return
    clearTimeout(this.timers.get(host.name))
    const timer = setTimeout(() => {
      this.timers.delete(host.name)
      void this.check(host).finally(() => this.schedule(host, this.options.intervalMs))
    }, delayMs)
    timer.unref()
    this.timers.set(host.name, timer)
    this.state.get(host.name)!.nextCheckAt = new Date(this.now().getTime() + delayMs).toISOString()
  }

  /** Checks a host now (one check at a time per host: a second caller shares the running one). Null once stopped. */
  check (host: Host): Promise<CheckReport | null> {
    const running = this.inFlight.get(host.name)
    if (running) return running
    if (this.stopped) return Promise.resolve(null)
    const watch = this.state.get(host.name)!
    watch.running = true
    const started = Date.now()
    const done = withOrigin('watchdog', () => this.run(host, watch)).then((report) => {
      watch.lastError = null
      return report
    }, (err: unknown) => {
      watch.lastError = err instanceof Error ? err.message : String(err)
      this.options.onError?.(host, err)
      return null
    }).finally(() => {
      watch.running = false
      watch.lastCheckAt = this.now().toISOString()
      watch.lastDurationMs = Date.now() - started
      this.inFlight.delete(host.name)
    })
    this.inFlight.set(host.name, done)
    return done
  }

  private async run (host: Host, watch: HostWatch): Promise<CheckReport | null> {
    const now = this.now()
    const results: RuleResult[] = []

    // Does it answer? `dokku version`, read fresh: also how an upgrade shows without a restart.
    let version
    try {
      version = await host.dokku.refreshVersion()
    } catch (err) {
      if (!(err instanceof DokkuError)) throw err
      if (err.kind === 'cancelled') return null
      const r = watch.reachability
      watch.reachability = { failures: r.failures + 1, message: err.message, since: r.since ?? now.toISOString() }
      return this.record(host, watch, [hostDownRule(host.name, watch.reachability)], now)
    }
    watch.reachability = { failures: 0, message: null, since: null }
    results.push(hostDownRule(host.name, watch.reachability))
    const security = securityRule(version)
    if (security) results.push(security)

    const limit = limiter(this.options.readConcurrency ?? 2)
    const read = <T>(load: () => Promise<T>): Promise<Read<T>> => limit(load).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => {
        if (error instanceof DokkuError) return { ok: false as const, error }
        throw error
      })
    const [ps, domains, certs, letsencrypt, cron, disk, deploys] = await Promise.all([
      read(() => host.dokku.psReportAll()),
      read(() => host.dokku.domainsReportAll()),
      read(() => host.dokku.certsReportAll()),
      read(() => host.dokku.letsencryptList()),
      read(() => this.cronState(host)),
      read(() => this.options.diskSampler.sample(host)),
      read(async () => this.options.deployOutcomes(host))
    ])

    if (ps.ok) results.push(appDownRule(ps.value), restartingRule(ps.value))
    const leApps = letsencrypt.ok ? new Set(letsencrypt.value.installed ? letsencrypt.value.items.map((i) => i.app) : []) : null
    if (certs.ok && leApps && cron.ok) results.push(certExpiryRule({ certs: certs.value, letsencryptApps: leApps, cron: cron.value, now }))
    if (leApps && cron.ok) results.push(autorenewRule({ letsencryptApps: leApps, cron: cron.value }))
    if (domains.ok) {
      const dns = await this.dns(host, watch, domains.value)
      if (dns) results.push(dns)
    }
    if (disk.ok) results.push(this.diskResult(host, disk.value, now))
    if (deploys.ok) results.push(deployFailedRule(deploys.value))
    return this.record(host, watch, results, now)
  }

  /** Applies a check's results (unless the watchdog stopped meanwhile) and tells the notifier. */
  private record (host: Host, watch: HostWatch, results: RuleResult[], now: Date): CheckReport | null {
    if (this.stopped) return null
    const checked = new Set(results.map((r) => r.rule))
    const keep = new Set(results.flatMap((r) => r.keep ?? []))
    const changes = this.findings.apply(host.name, checked, results.flatMap((r) => r.candidates), now, keep)
    this.findings.prune(now)
    watch.checked = [...checked]
    if (changes.length > 0) this.options.onChanges?.(host, changes)
    return { host: host.name, changes, checked: [...checked] }
  }

  /** The renewal job's state; before plugin 0.25.0 it prints none, and an app's report tells. */
  private async cronState (host: Host): Promise<CronJobState | 'not-installed'> {
    const cron = await host.dokku.letsencryptCronJob()
    if (!cron.installed) return 'not-installed'
    if (cron.state !== 'unknown') return cron.state
    const list = await host.dokku.letsencryptList()
    const first = list.installed ? list.items[0]?.app : undefined
    if (first === undefined) return 'unknown'
    const report = await host.dokku.letsencryptReport(first)
    return report.installed ? (report.report.autorenew ? 'enabled' : 'disabled') : 'unknown'
  }

  private diskResult (host: Host, usage: DiskUsage[], now: Date): RuleResult {
    const at = now.getTime()
    this.disk.add(host.name, usage.map((d) => ({ mount: d.mount, at, usedBytes: d.usedBytes, sizeBytes: d.sizeBytes })), at)
    const samples = new Map(usage.map((d) => [d.mount, this.disk.recent(host.name, d.mount, at - THRESHOLDS.forecastWindowMs)]))
    return diskRule({ usage, samples, now })
  }

  /** The DNS rule, once the host's own addresses are known (settings, else its global domain's). */
  private async dns (host: Host, watch: HostWatch, domains: DomainsReport[]): Promise<RuleResult | null> {
    const resolver = this.options.resolver
    const configured = this.options.hostAddresses(host)
    let addresses = configured
    let source: HostWatch['addresses']['source'] = configured.length > 0 ? 'settings' : null
    if (addresses.length === 0) {
      const globals = domains.find((d) => d.globalVhosts.length > 0)?.globalVhosts ?? []
      const found = new Set<string>()
      for (const g of globals.filter((d) => !d.includes('*')).slice(0, 5)) {
        const answer = await resolver.resolve(g)
        if (answer.state === 'ok') for (const a of answer.addresses) found.add(a)
      }
      addresses = [...found]
      source = addresses.length > 0 ? 'global domain' : null
    }
    watch.addresses = { list: addresses, source }
    // Nothing to compare with: the rule cannot judge, and its findings keep their state.
    if (addresses.length === 0) return null
    const names = [...new Set(checkableDomains(domains).map((d) => d.domain))].slice(0, MAX_DNS_NAMES)
    const answers = new Map<string, DnsAnswer>()
    const limit = limiter(DNS_CONCURRENCY)
    await Promise.all(names.map((name) => limit(async () => {
      answers.set(name, await resolver.resolve(name).catch((err: unknown) => ({ state: 'error' as const, message: String(err) })))
    })))
    return dnsRule({ domains, hostAddresses: addresses, answers })
  }
}

export type { CertsReport, PsReport }
