import type { FastifyInstance } from 'fastify'
import { DokkuError, InvalidArgumentError } from '../../dokku/errors.js'
import type { CertsReport } from '../../dokku/parsers/certs.js'
import type { DomainsReport } from '../../dokku/parsers/domains.js'
import type { LetsencryptListItem, LetsencryptReport } from '../../dokku/parsers/letsencrypt.js'
import { validateAppName, validateDomain, validateDomains } from '../../dokku/validate.js'
import type { JobSnapshot } from '../../jobs/manager.js'
import { loadAppNames, loadAppState, type DisplayState } from '../apps/model.js'

/**
 * What the Domains & TLS page and the Let's Encrypt overview show, read from dokku (through the
 * read cache) and shaped for the templates. Pure helpers are exported for the tests.
 */

export type Level = 'ok' | 'warn' | 'danger'

/** A certificate with fewer days left than this is shown as a warning. */
export const WARN_DAYS = 14

/**
 * The job-lock key (and history "app" column) of jobs that span every app, such as the global
 * `letsencrypt:auto-renew`. JobManager uses `app` only as a lock key and a label, so this must
 * never collide with a real app: it contains a space, which no dokku app name can.
 */
export const ALL_APPS_JOB_KEY = 'all apps'

/** How many domains one "add" may carry, and how much text the field may hold. */
export const MAX_DOMAINS_PER_ADD = 50
export const MAX_DOMAIN_FIELD = 4096

const DAY_S = 86400

export function expiryLevel (daysLeft: number | null): Level {
  if (daysLeft === null) return 'ok'
  if (daysLeft < 0) return 'danger'
  return daysLeft < WARN_DAYS ? 'warn' : 'ok'
}

/** "in 80 days", "today", "expired 3 days ago". */
export function daysText (daysLeft: number): string {
  if (daysLeft < 0) {
    const ago = -daysLeft
    return `expired ${ago} day${ago === 1 ? '' : 's'} ago`
  }
  if (daysLeft === 0) return 'expires today'
  return `${daysLeft} day${daysLeft === 1 ? '' : 's'} left`
}

/** Whether a certificate name (maybe `*.example.com`) covers a domain (one label for a wildcard). */
export function certCovers (certName: string, domain: string): boolean {
  const name = certName.toLowerCase()
  const d = domain.toLowerCase()
  if (name === d) return true
  if (!name.startsWith('*.') || d.startsWith('*.')) return false
  const rest = name.slice(1) // ".example.com"
  return d.endsWith(rest) && !d.slice(0, -rest.length).includes('.') && d.length > rest.length
}

/** The app's domains the certificate does not name (a certificate request is due for them). */
export function uncoveredDomains (domains: readonly string[], hostnames: readonly string[]): string[] {
  return domains.filter((d) => d !== '_' && !hostnames.some((h) => certCovers(h, d)))
}

/**
 * The "domain" field of the add form: one or several domains separated by spaces, commas or
 * line breaks, each checked with dokku's rule (lowercased, de-duplicated).
 */
export function parseDomainField (raw: string | undefined): string[] {
  const text = raw ?? ''
  if (text.length > MAX_DOMAIN_FIELD) {
    throw new InvalidArgumentError('domain', `That is too long (at most ${MAX_DOMAIN_FIELD} characters)`)
  }
  const parts = text.split(/[\s,]+/).filter((p) => p !== '')
  if (parts.length === 0) throw new InvalidArgumentError('domain', 'Enter a domain, e.g. www.example.com')
  if (parts.length > MAX_DOMAINS_PER_ADD) {
    throw new InvalidArgumentError('domain', `Add at most ${MAX_DOMAINS_PER_ADD} domains at a time`)
  }
  // Name the offending entry when there are several, so the user knows which one to fix.
  for (const part of parts) {
    try {
      validateDomain(part, 'domain')
    } catch (err) {
      if (!(err instanceof InvalidArgumentError) || parts.length === 1) throw err
      const shown = part.length > 60 ? `${part.slice(0, 57)}…` : part
      throw new InvalidArgumentError('domain', `"${shown}": ${err.message}`)
    }
  }
  return validateDomains(parts, 'domain')
}

/** From `domains:add` output: which domains were added and which were there already. */
export function addOutcome (output: string): { added: string[]; skipped: string[] } {
  const added: string[] = []
  const skipped: string[] = []
  for (const line of output.split('\n')) {
    const a = line.match(/^-----> Added (\S+) to /)
    if (a?.[1]) added.push(a[1])
    const s = line.match(/^-----> Skipping: (\S+) already added to /)
    if (s?.[1]) skipped.push(s[1])
  }
  return { added, skipped }
}

// ---- certificate ------------------------------------------------------------------------------

export interface CertView {
  enabled: boolean
  hostnames: string[]
  issuer: string
  subject: string
  /** true: a CA verified it; false: self signed; null: unknown (no certificate). */
  verified: boolean | null
  expiresAt: string | null
  startsAt: string | null
  daysLeft: number | null
  daysText: string
  level: Level
  /** App domains the certificate does not name. */
  uncovered: string[]
}

export function certView (certs: CertsReport, appDomains: readonly string[]): CertView {
  const level = certs.enabled ? expiryLevel(certs.daysLeft) : 'ok'
  return {
    enabled: certs.enabled,
    hostnames: certs.hostnames,
    issuer: certs.issuer,
    subject: certs.subject,
    verified: certs.verified,
    expiresAt: certs.expiresAt?.toISOString() ?? null,
    startsAt: certs.startsAt?.toISOString() ?? null,
    daysLeft: certs.daysLeft,
    daysText: certs.daysLeft === null ? '' : daysText(certs.daysLeft),
    level,
    uncovered: certs.enabled ? uncoveredDomains(appDomains, certs.hostnames) : []
  }
}

// ---- Let's Encrypt ----------------------------------------------------------------------------

export interface Failure {
  message: string
  historyId: number | null
}

export type LetsencryptView =
  | { state: 'not-installed' }
  | { state: 'error'; failure: Failure }
  | { state: 'ok'; report: LetsencryptReport; renewalAt: string | null; renewalDue: boolean }

export function letsencryptView (report: LetsencryptReport, now: Date = new Date()): LetsencryptView {
  const renewal = report.expiresAt && report.graceperiodSeconds !== null
    ? new Date(report.expiresAt.getTime() - report.graceperiodSeconds * 1000)
    : null
  return {
    state: 'ok',
    report,
    renewalAt: renewal?.toISOString() ?? null,
    renewalDue: renewal !== null && renewal.getTime() <= now.getTime()
  }
}

export interface ListRow extends LetsencryptListItem {
  expiryLevel: Level
  renewalDue: boolean
}

export function listRow (item: LetsencryptListItem): ListRow {
  const days = item.secondsBeforeExpiry === null ? null : Math.floor(item.secondsBeforeExpiry / DAY_S)
  return {
    ...item,
    expiryLevel: expiryLevel(days),
    renewalDue: item.secondsBeforeRenewal !== null && item.secondsBeforeRenewal < 0
  }
}

// ---- loading ----------------------------------------------------------------------------------

function failureOf (err: unknown): Failure | null {
  return err instanceof DokkuError ? { message: err.message, historyId: err.historyId } : null
}

export interface TlsData {
  appName: string
  cert: CertView
  letsencrypt: LetsencryptView
  runningJob: JobSnapshot | null
}

export interface DomainsPageData extends TlsData {
  domains: DomainsReport
  appState: DisplayState | null
}

function readDomains (app: FastifyInstance, name: string): Promise<DomainsReport> {
  return app.readCache.get(`domains:report:${name}`, [name], () => app.dokku.domainsReport(name))
}

/** The Let's Encrypt part: a failure to read it is shown in its panel rather than failing the page. */
async function readLetsencrypt (app: FastifyInstance, name: string): Promise<LetsencryptView> {
  try {
    const result = await app.readCache.get(`letsencrypt:report:${name}`, [name], () => app.dokku.letsencryptReport(name))
    return result.installed ? letsencryptView(result.report) : { state: 'not-installed' }
  } catch (err) {
    const failure = failureOf(err)
    // Dokku unreachable or the app gone: the page as a whole cannot be shown.
    if (!failure || (err instanceof DokkuError && ['app-missing', 'unavailable', 'timeout'].includes(err.kind))) throw err
    return { state: 'error', failure }
  }
}

/** The certificate and Let's Encrypt panel (refreshed on its own after a job). */
export async function loadTls (app: FastifyInstance, name: string): Promise<TlsData> {
  const [domains, certs, letsencrypt] = await Promise.all([
    readDomains(app, name),
    app.readCache.get(`certs:report:${name}`, [name], () => app.dokku.certsReport(name)),
    readLetsencrypt(app, name)
  ])
  return {
    appName: name,
    cert: certView(certs, domains.appVhosts),
    letsencrypt,
    runningJob: app.jobs.runningFor(name) ?? null
  }
}

export async function loadDomainsPage (app: FastifyInstance, name: string): Promise<DomainsPageData> {
  const [domains, tls, appState] = await Promise.all([
    readDomains(app, name),
    loadTls(app, name),
    loadAppState(app, name)
  ])
  return { ...tls, domains, appState }
}

export function loadDomainsOnly (app: FastifyInstance, name: string): Promise<DomainsReport> {
  return readDomains(app, name)
}

export interface OverviewData {
  letsencrypt:
    | { state: 'not-installed' }
    | { state: 'ok'; rows: ListRow[]; unsecured: string[] }
  /**
   * The global settings, read from the first app's `letsencrypt:report` (the client reads reports
   * per app only; the plugin shows the global values in every app's report). Null without apps.
   */
  global: { email: string; autorenew: boolean } | null
  globalFailure: Failure | null
  runningJob: JobSnapshot | null
}

export async function loadOverview (app: FastifyInstance): Promise<OverviewData> {
  const [list, apps] = await Promise.all([
    app.readCache.get('letsencrypt:list', 'all', () => app.dokku.letsencryptList()),
    loadAppNames(app)
  ])
  const runningJob = app.jobs.runningFor(ALL_APPS_JOB_KEY) ?? null
  if (!list.installed) return { letsencrypt: { state: 'not-installed' }, global: null, globalFailure: null, runningJob }

  const rows = list.items.map(listRow)
  const secured = new Set(rows.map((r) => r.app))
  const unsecured = apps.filter((a) => !secured.has(a)).sort()
  let global: OverviewData['global'] = null
  let globalFailure: Failure | null = null
  // An app whose name our validator refuses (a hand-made directory) cannot be asked about.
  const first = [...apps].sort().find((a) => { try { validateAppName(a); return true } catch { return false } })
  if (first !== undefined) {
    try {
      const report = await app.readCache.get(`letsencrypt:report:${first}`, [first], () => app.dokku.letsencryptReport(first))
      if (report.installed) global = { email: report.report.globalEmail, autorenew: report.report.autorenew }
    } catch (err) {
      const failure = failureOf(err)
      if (!failure) throw err
      globalFailure = failure
    }
  }
  return { letsencrypt: { state: 'ok', rows, unsecured }, global, globalFailure, runningJob }
}
