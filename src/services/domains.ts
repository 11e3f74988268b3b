import type { CertsReport } from '../dokku/parsers/certs.js'
import type { DomainsReport } from '../dokku/parsers/domains.js'
import { InvalidArgumentError } from '../dokku/errors.js'
import { validateDomain, validateDomains, validateNewDomain } from '../dokku/validate.js'
import type { Host } from '../hosts/host.js'
import type { JobSnapshot } from '../jobs/manager.js'
import { appState, type DisplayState } from './apps.js'
import { certView, type CertView } from './certificates.js'
import { appStatus, type LetsencryptView } from './letsencrypt.js'

/**
 * The Domains & TLS tab of one app: its domains (add, remove), its certificate and its
 * Let's Encrypt status, read through the host's cache and shaped for the templates.
 */

export type { DomainsReport }

/** Bounds on one "add": how many domains it may carry, and how much text the field may hold. */
export const MAX_DOMAINS_PER_ADD = 50
export const MAX_DOMAIN_FIELD = 4096

/**
 * The "domain" field of the add form: one or several domains separated by spaces, commas or
 * line breaks, each checked with dokku's rule and DNS's (labels, length; lowercased,
 * de-duplicated).
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
      validateNewDomain(part, 'domain')
    } catch (err) {
      if (!(err instanceof InvalidArgumentError) || parts.length === 1) throw err
      const shown = part.length > 60 ? `${part.slice(0, 57)}…` : part
      throw new InvalidArgumentError('domain', `"${shown}": ${err.message}`)
    }
  }
  return validateDomains(parts, 'domain')
}

/** `localhost` and its subdomains reach the server itself, not the app: added only when confirmed. */
export function isLocalhost (domain: string): boolean {
  return domain === 'localhost' || domain.endsWith('.localhost')
}

/** What an add would do, shown before it runs when the field split into several or names localhost. */
export interface DomainsPreview {
  domains: string[]
  /** The field as the preview's form sends it back (one space between domains). */
  value: string
  localhost: string[]
  /** Set when the user confirmed without ticking "Yes, add localhost names": nothing ran. */
  error?: string
}

/** Shown when a localhost name was confirmed without its own checkbox. */
export const LOCALHOST_UNCONFIRMED = 'Tick "Yes, add localhost names" to add a localhost name: it reaches this server itself, not the app.'

/**
 * The add form's field, checked. One plain domain goes straight on; several (the field splits on
 * spaces and commas, so "not a domain" is three) or a localhost name are first shown as a
 * preview the user confirms; a localhost name also needs its own checkbox (`localhostConfirmed`).
 */
export function planAdd (raw: string | undefined, confirmed: boolean, localhostConfirmed = false): { preview: DomainsPreview } | { domains: string[] } {
  const list = parseDomainField(raw)
  const localhost = list.filter(isLocalhost)
  const preview: DomainsPreview = { domains: list, value: list.join(' '), localhost }
  if (confirmed && localhost.length > 0 && !localhostConfirmed) return { preview: { ...preview, error: LOCALHOST_UNCONFIRMED } }
  if (confirmed || (list.length === 1 && localhost.length === 0)) return { domains: list }
  return { preview }
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

// ---- reads ------------------------------------------------------------------------------------

/** The app's `domains:report`, cached. */
export function appDomains (host: Host, app: string): Promise<DomainsReport> {
  return host.cache.get(`domains:report:${app}`, [app], () => host.dokku.domainsReport(app))
}

function certsReport (host: Host, app: string): Promise<CertsReport> {
  return host.cache.get(`certs:report:${app}`, [app], () => host.dokku.certsReport(app))
}

/** What the TLS panel shows. */
export interface TlsData {
  appName: string
  cert: CertView
  letsencrypt: LetsencryptView
  runningJob: JobSnapshot | null
}

/** The certificate and Let's Encrypt panel (refreshed on its own after a job or a domain change). */
export async function tls (host: Host, app: string): Promise<TlsData> {
  const [domains, certs, letsencrypt] = await Promise.all([appDomains(host, app), certsReport(host, app), appStatus(host, app)])
  return {
    appName: app,
    cert: certView(certs, domains.appVhosts),
    letsencrypt,
    runningJob: host.runningJob(app) ?? null
  }
}

export interface DomainsPageData extends TlsData {
  domains: DomainsReport
  appState: DisplayState | null
}

/** The whole tab: domains, certificate, Let's Encrypt and the app's state badge. */
export async function page (host: Host, app: string): Promise<DomainsPageData> {
  const [domains, panel, state] = await Promise.all([appDomains(host, app), tls(host, app), appState(host, app)])
  return { ...panel, domains, appState: state }
}

// ---- changes ----------------------------------------------------------------------------------

export interface DomainsAdded {
  /** What was asked for, validated. */
  requested: string[]
  /** What dokku said it added, and what it already had (empty when it said neither). */
  added: string[]
  skipped: string[]
  /** Dokku's warnings on a change that went through. */
  warnings: string[]
}

/**
 * `domains:add` with the add form's field (one or several domains). InvalidArgumentError before
 * anything runs when a domain breaks dokku's rule; a preview instead when the field needs
 * confirming (see planAdd).
 */
export async function addDomains (host: Host, app: string, field: string | undefined, confirmed = false, localhostConfirmed = false): Promise<DomainsAdded | { preview: DomainsPreview }> {
  const plan = planAdd(field, confirmed, localhostConfirmed)
  if ('preview' in plan) return plan
  const requested = plan.domains
  try {
    const { output, warnings } = await host.dokku.addDomains(app, requested)
    return { requested, ...addOutcome(output), warnings }
  } finally {
    // Even a refused change may have rebuilt part of the proxy config.
    host.cache.invalidateApp(app)
  }
}

/** `domains:remove` of one domain; returns it as dokku stores it (lowercased) and dokku's warnings. */
export async function removeDomain (host: Host, app: string, typed: string | undefined): Promise<{ domain: string; warnings: string[] }> {
  const domain = validateDomain(typed ?? '', 'domain')
  try {
    const { warnings } = await host.dokku.removeDomains(app, [domain])
    return { domain, warnings }
  } finally {
    host.cache.invalidateApp(app)
  }
}
