import type { Candidate, FindingFix, Severity } from '../db/findings.js'
import type { DiskSample } from '../db/disk-samples.js'
import type { CertsReport } from '../dokku/parsers/certs.js'
import type { DomainsReport } from '../dokku/parsers/domains.js'
import type { CronJobState, DiskUsage } from '../dokku/parsers/host.js'
import type { PsReport } from '../dokku/parsers/ps.js'
import { formatVersion, type DokkuVersion } from '../dokku/parsers/version.js'
import { advisoriesFor, SECURITY_FLOOR, UPGRADE_COMMAND } from './advisories.js'
import type { DnsAnswer } from './resolver.js'

/**
 * The watchdog's rules: pure functions from what it read (and the time, which the caller
 * gives) to the conditions it sees now. Each returns its candidates and the keys it could not
 * judge this time (a DNS lookup that timed out), which keep their current state. A rule whose
 * reads failed is not run at all, so its findings stay as they were.
 */

export interface RuleResult {
  rule: RuleName
  candidates: Candidate[]
  /** Keys this rule could not judge now: their open findings neither update nor resolve. */
  keep?: string[]
}

export const RULES = ['cert-expiry', 'le-autorenew', 'dns', 'disk', 'app-down', 'app-restarting', 'deploy-failed', 'security-floor', 'host-down'] as const
export type RuleName = typeof RULES[number]

/** Where the thresholds are (the issue's numbers). */
export const THRESHOLDS = {
  certWarningDays: 14,
  certCriticalDays: 3,
  diskWarningPercent: 80,
  diskCriticalPercent: 90,
  /** Consecutive checks without an answer before a host counts as down (one miss is noise). */
  hostDownAfter: 2,
  /** The forecast needs this many samples over at least this long. */
  forecastMinSamples: 3,
  forecastMinSpanMs: 60 * 60_000,
  forecastWindowMs: 7 * 86_400_000
} as const

const DAY_MS = 86_400_000
const HOUR_MS = 3_600_000

function utc (d: Date): string {
  return d.toISOString().replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC')
}

/** "in 5 days", "in 7 hours", "2 days ago". */
export function relative (ms: number): string {
  const abs = Math.abs(ms)
  // Whole days from two days on (4 days 23 hours reads "5 days"), hours below that.
  const [n, unit] = abs >= 2 * DAY_MS ? [Math.round(abs / DAY_MS), 'day'] : abs >= HOUR_MS ? [Math.floor(abs / HOUR_MS), 'hour'] : [Math.max(1, Math.floor(abs / 60_000)), 'minute']
  const text = `${n} ${unit}${n === 1 ? '' : 's'}`
  return ms >= 0 ? `in ${text}` : `${text} ago`
}

// ---- certificates ------------------------------------------------------------------------------

export interface CertInput {
  certs: readonly CertsReport[]
  /** Apps whose certificate Let's Encrypt manages (`letsencrypt:list`). */
  letsencryptApps: ReadonlySet<string>
  /** The daily renewal job; `not-installed` without the plugin. */
  cron: CronJobState | 'not-installed'
  now: Date
}

/** A certificate expiring in under 14 days (critical under 3), or already expired. */
export function certExpiryRule (input: CertInput): RuleResult {
  const candidates: Candidate[] = []
  for (const c of input.certs) {
    if (!c.enabled || c.expiresAt === null) continue
    const left = c.expiresAt.getTime() - input.now.getTime()
    if (left >= THRESHOLDS.certWarningDays * DAY_MS) continue
    const severity: Severity = left < THRESHOLDS.certCriticalDays * DAY_MS ? 'critical' : 'warning'
    const managed = input.letsencryptApps.has(c.app)
    const renewOff = input.cron === 'disabled'
    let action: string
    let fix: FindingFix | null = null
    if (managed && renewOff) {
      action = 'Let\'s Encrypt manages this certificate, but auto-renew is off on this host, so nothing renews it: turn auto-renew on and renew it now.'
      fix = { kind: 'letsencrypt-autorenew-renew', label: 'Enable auto-renew and renew now', app: c.app }
    } else if (managed) {
      action = 'Let\'s Encrypt should have renewed it already (renewal is due 30 days before expiry): renew it now and read the output, or /var/log/dokku/letsencrypt.log on the host.'
      fix = { kind: 'letsencrypt-renew', label: 'Renew now', app: c.app }
    } else {
      action = 'Renew it with whoever issued it and upload it (dokku certs:update), or let Let\'s Encrypt manage it from the app\'s Domains & TLS tab.'
    }
    candidates.push({
      rule: 'cert-expiry',
      key: `cert-expiry:${c.app}`,
      app: c.app,
      severity,
      title: left <= 0 ? `The certificate of ${c.app} has expired` : `The certificate of ${c.app} expires ${relative(left)}`,
      detail: `${left <= 0 ? 'Expired' : 'Expires'} ${utc(c.expiresAt)} (${relative(left)}); it covers ${c.hostnames.join(', ') || 'no hostname'}${managed ? ', issued by Let\'s Encrypt' : c.issuer ? `, issued by ${c.issuer}` : ''}.`,
      action,
      fix
    })
  }
  return { rule: 'cert-expiry', candidates }
}

/** Let's Encrypt's renewal job is off while apps have Let's Encrypt certificates. */
export function autorenewRule (input: Pick<CertInput, 'letsencryptApps' | 'cron'>): RuleResult {
  if (input.cron !== 'disabled') return { rule: 'le-autorenew', candidates: [] }
  return {
    rule: 'le-autorenew',
    candidates: [...input.letsencryptApps].sort().map((app) => ({
      rule: 'le-autorenew',
      key: `le-autorenew:${app}`,
      app,
      severity: 'warning' as const,
      title: `Let's Encrypt auto-renew is off: ${app}'s certificate will not renew`,
      detail: `${app} has a Let's Encrypt certificate, and the daily renewal job (letsencrypt:cron-job) is not installed on this host.`,
      action: 'Turn the renewal job on (dokku letsencrypt:cron-job --add): it renews every certificate when it is due.',
      fix: { kind: 'letsencrypt-autorenew' as const, label: 'Enable auto-renew' }
    }))
  }
}

// ---- DNS -----------------------------------------------------------------------------------------

export interface DnsInput {
  domains: readonly DomainsReport[]
  /** The addresses this host answers on (settings, or what its global domain resolves to). */
  hostAddresses: readonly string[]
  answers: ReadonlyMap<string, DnsAnswer>
}

/** The names the DNS rule looks up: each app's vhosts, without wildcards, `_` or literal addresses. */
export function checkableDomains (domains: readonly DomainsReport[]): Array<{ app: string; domain: string }> {
  const out: Array<{ app: string; domain: string }> = []
  for (const d of domains) {
    if (!d.appEnabled) continue
    for (const domain of d.appVhosts) {
      if (domain === '_' || domain.includes('*') || /^[\d.]+$|:/.test(domain)) continue
      out.push({ app: d.app, domain })
    }
  }
  return out
}

function sameAddress (a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase()
}

/** A vhost that does not resolve to one of this host's addresses. */
export function dnsRule (input: DnsInput): RuleResult {
  const candidates: Candidate[] = []
  const keep: string[] = []
  const ours = input.hostAddresses.join(', ')
  for (const { app, domain } of checkableDomains(input.domains)) {
    const key = `dns:${app}:${domain}`
    const answer = input.answers.get(domain)
    if (!answer || answer.state === 'error') {
      keep.push(key)
      continue
    }
    if (answer.state === 'ok' && answer.addresses.some((a) => input.hostAddresses.some((h) => sameAddress(a, h)))) continue
    candidates.push({
      rule: 'dns',
      key,
      app,
      severity: 'warning',
      title: answer.state === 'none' ? `${domain} does not resolve` : `${domain} points elsewhere`,
      detail: answer.state === 'none'
        ? `${app} serves ${domain}, but the name has no address (${answer.code}). This host is ${ours}.`
        : `${app} serves ${domain}, which resolves to ${answer.addresses.join(', ')}; this host is ${ours}. Visitors (and Let's Encrypt's checks) reach another server.`,
      action: `Point ${domain}'s A/AAAA record at ${ours}, or remove the domain from ${app} if it moved on purpose.`,
      fix: null
    })
  }
  return { rule: 'dns', candidates, keep }
}

// ---- disk ----------------------------------------------------------------------------------------

/**
 * Days until a partition is full, from the used bytes it kept (least squares over the window),
 * or null without enough samples or while it does not grow.
 */
export function daysToFull (samples: readonly DiskSample[], sizeBytes: number, now: Date): number | null {
  const since = now.getTime() - THRESHOLDS.forecastWindowMs
  const points = samples.filter((s) => s.at >= since && s.at <= now.getTime())
  if (points.length < THRESHOLDS.forecastMinSamples) return null
  if (points[points.length - 1]!.at - points[0]!.at < THRESHOLDS.forecastMinSpanMs) return null
  const n = points.length
  const meanT = points.reduce((s, p) => s + p.at, 0) / n
  const meanU = points.reduce((s, p) => s + p.usedBytes, 0) / n
  let cov = 0
  let varT = 0
  for (const p of points) {
    cov += (p.at - meanT) * (p.usedBytes - meanU)
    varT += (p.at - meanT) ** 2
  }
  if (varT === 0) return null
  const slopePerMs = cov / varT
  if (slopePerMs <= 0) return null
  const usedNow = meanU + slopePerMs * (now.getTime() - meanT)
  return Math.max(0, (sizeBytes - usedNow) / slopePerMs / DAY_MS)
}

export function gib (bytes: number): string {
  const v = bytes / 1024 ** 3
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} GiB`
}

export interface DiskInput {
  usage: readonly DiskUsage[]
  /** Each partition's kept samples (this check's included). */
  samples: ReadonlyMap<string, readonly DiskSample[]>
  now: Date
}

/** A partition over 80% (critical over 90%), with the days left at the rate it fills. */
export function diskRule (input: DiskInput): RuleResult {
  const candidates: Candidate[] = []
  for (const d of input.usage) {
    const pct = d.usePercent
    if (pct <= THRESHOLDS.diskWarningPercent) continue
    const days = daysToFull(input.samples.get(d.mount) ?? [], d.sizeBytes, input.now)
    const forecast = days === null
      ? 'Not enough samples yet to tell how fast it fills (or it does not grow).'
      : days < 1 ? 'At the rate it fills, it is full within a day.' : `At the rate it fills, it is full in about ${Math.round(days)} day${Math.round(days) === 1 ? '' : 's'}.`
    candidates.push({
      rule: 'disk',
      key: `disk:${d.mount}`,
      app: null,
      severity: pct > THRESHOLDS.diskCriticalPercent ? 'critical' : 'warning',
      title: `Disk ${d.mount} is ${pct}% full`,
      detail: `${d.mount} (${d.filesystem}): ${gib(d.usedBytes)} of ${gib(d.sizeBytes)} used, ${gib(d.availBytes)} free. ${forecast} When it is full, every app on the host stops deploying and many stop working.`,
      action: 'Free space: dokku cleanup (on the server page) removes exited containers and dangling images; docker system df shows what else is large (images, volumes, build cache), and app logs can grow without bound.',
      fix: null
    })
  }
  return { rule: 'disk', candidates }
}

// ---- processes -----------------------------------------------------------------------------------

/**
 * A deployed app with processes down although nobody stopped it (`ps:stop` turns restore off,
 * a crash leaves it on): none running is critical, some is a warning.
 */
export function appDownRule (reports: readonly PsReport[]): RuleResult {
  const candidates: Candidate[] = []
  for (const r of reports) {
    if (!r.deployed || !r.restore || r.processes.length === 0) continue
    const down = r.processes.filter((p) => p.status !== 'running' && p.status !== 'restarting')
    if (down.length === 0) continue
    const none = down.length === r.processes.length
    const list = down.slice(0, 5).map((p) => `${p.type}.${p.index} ${p.status}`).join(', ') + (down.length > 5 ? ', …' : '')
    candidates.push({
      rule: 'app-down',
      key: `app-down:${r.app}`,
      app: r.app,
      severity: none ? 'critical' : 'warning',
      title: none ? `${r.app} has crashed: none of its processes runs` : `${r.app}: ${down.length} of ${r.processes.length} processes are down`,
      detail: `Nobody stopped it (restore is on), yet ${list}.`,
      action: `Read ${r.app}'s logs for why it exited, then restart it. If it crashes again, restarting will not help: fix the cause and deploy.`,
      fix: { kind: 'app-restart', label: 'Restart', app: r.app }
    })
  }
  return { rule: 'app-down', candidates }
}

/** Containers docker keeps restarting (its restart policy at work, in a loop). */
export function restartingRule (reports: readonly PsReport[]): RuleResult {
  const candidates: Candidate[] = []
  for (const r of reports) {
    const restarting = r.processes.filter((p) => p.status === 'restarting')
    if (!r.deployed || restarting.length === 0) continue
    candidates.push({
      rule: 'app-restarting',
      key: `app-restarting:${r.app}`,
      app: r.app,
      severity: 'warning',
      title: `${r.app} keeps restarting`,
      detail: `${restarting.map((p) => `${p.type}.${p.index}`).join(', ')} ${restarting.length === 1 ? 'is' : 'are'} restarting (restart policy ${r.restartPolicy || 'default'}): the process exits soon after it starts.`,
      action: `Read ${r.app}'s logs: a missing config variable, a failing migration or too little memory are the usual causes.`,
      fix: null
    })
  }
  return { rule: 'app-restarting', candidates }
}

// ---- deploys -------------------------------------------------------------------------------------

export interface DeployOutcome {
  app: string
  /** The last deploy's result. */
  status: 'succeeded' | 'failed' | 'running' | 'canceled'
  /** When it started (ISO). */
  at: string
  /** Where its output is: a Docklight job page, a release or build page. */
  link: string | null
  /** What it was (`git push`, `Rebuild`, a job's label). */
  what: string
  /** dokku's message for a failure, when known. */
  message?: string | null
}

/** The last deploy of an app failed. */
export function deployFailedRule (outcomes: readonly DeployOutcome[]): RuleResult {
  return {
    rule: 'deploy-failed',
    candidates: outcomes.filter((o) => o.status === 'failed').map((o) => ({
      rule: 'deploy-failed',
      key: `deploy-failed:${o.app}`,
      app: o.app,
      severity: 'warning' as const,
      title: `The last deploy of ${o.app} failed`,
      detail: `${o.what}, started ${o.at.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC')}, failed${o.message ? `: ${o.message.slice(0, 300)}` : ''}. The app still runs its previous release, if it had one.`,
      action: 'Read the build output, fix the cause and deploy again.',
      fix: null
    }))
  }
}

// ---- the host itself -----------------------------------------------------------------------------

/** dokku below the security floor: the advisories that apply, and how to upgrade. */
export function securityRule (version: DokkuVersion): RuleResult | null {
  const { known, advisories } = advisoriesFor(version)
  if (!known) return null
  if (advisories.length === 0) return { rule: 'security-floor', candidates: [] }
  const ids = advisories.map((a) => `${a.ghsa} (${a.cve}, fixed in ${a.fixedIn})`)
  return {
    rule: 'security-floor',
    candidates: [{
      rule: 'security-floor',
      key: 'security-floor',
      app: null,
      severity: 'critical',
      title: `dokku ${formatVersion(version)} has ${advisories.length} known critical ${advisories.length === 1 ? 'vulnerability' : 'vulnerabilities'}`,
      detail: `Whoever can push or run dokku commands can run code on the host: ${ids.join('; ')}.`,
      action: `Upgrade dokku to ${SECURITY_FLOOR} or later (read the migration guides in between first): ${UPGRADE_COMMAND}`,
      fix: null
    }]
  }
}

export interface Reachability {
  /** Checks in a row in which the host did not answer (0: it answered the last one). */
  failures: number
  message: string | null
  /** When it first stopped answering (ISO). */
  since: string | null
}

/** A host that stopped answering: after THRESHOLDS.hostDownAfter checks in a row. */
export function hostDownRule (host: string, r: Reachability): RuleResult {
  if (r.failures > 0 && r.failures < THRESHOLDS.hostDownAfter) return { rule: 'host-down', candidates: [], keep: ['host-down'] }
  if (r.failures === 0) return { rule: 'host-down', candidates: [] }
  return {
    rule: 'host-down',
    candidates: [{
      rule: 'host-down',
      key: 'host-down',
      app: null,
      severity: 'critical',
      title: `${host} stopped answering`,
      detail: `Docklight cannot reach dokku on ${host}${r.since ? ` since ${r.since.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC')}` : ''}: ${r.message ?? 'no answer'}. Its other findings keep the state they had.`,
      action: 'Check that the server is up and that Docklight can still reach it (ssh as dokku with Docklight\'s key, or the local dokku binary).',
      fix: null
    }]
  }
}
