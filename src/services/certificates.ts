import type { CertsReport } from '../dokku/parsers/certs.js'

/**
 * How Docklight judges a TLS certificate: how close its expiry is, and which of an app's
 * domains it names. Pure; shared by the Domains & TLS tab and the Let's Encrypt overview.
 */

export type Level = 'ok' | 'warn' | 'danger'

/** A certificate with fewer days left than this is shown as a warning. */
export const WARN_DAYS = 14

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
