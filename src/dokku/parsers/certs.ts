import { isTrue, words } from './common.js'
import { singleReport, toRecord, type Fields } from './report.js'

export interface CertsReport {
  app: string
  dir: string
  /** Both server.crt and server.key are in place. */
  enabled: boolean
  hostnames: string[]
  expiresAt: Date | null
  startsAt: Date | null
  /** Whole days until expiry (negative once expired), counted from `now` at parse time. */
  daysLeft: number | null
  issuer: string
  subject: string
  /** true: verified by a certificate authority; false: self signed; null: no certificate. */
  verified: boolean | null
  raw: Record<string, string>
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** OpenSSL's `Mar 31 12:00:00 2026 GMT` (single-digit days are space-padded: `Jan  1`). */
export function parseOpensslDate (value: string | undefined): Date | null {
  const m = (value ?? '').trim().match(/^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2}) (\d{4}) GMT$/)
  if (!m) return null
  const month = MONTHS.indexOf(m[1] ?? '')
  if (month === -1) return null
  return new Date(Date.UTC(Number(m[6]), month, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])))
}

const DAY_MS = 24 * 60 * 60 * 1000

export function certsReportFromFields (app: string, fields: Fields, now: Date = new Date()): CertsReport {
  const expiresAt = parseOpensslDate(fields.get('expires-at'))
  const verified = (fields.get('verified') ?? '').trim()
  return {
    app,
    dir: fields.get('dir') ?? '',
    enabled: isTrue(fields.get('enabled')),
    hostnames: words(fields.get('hostnames')),
    expiresAt,
    startsAt: parseOpensslDate(fields.get('starts-at')),
    daysLeft: expiresAt ? Math.floor((expiresAt.getTime() - now.getTime()) / DAY_MS) : null,
    issuer: fields.get('issuer') ?? '',
    subject: fields.get('subject') ?? '',
    verified: verified === '' ? null : verified.startsWith('verified'),
    raw: toRecord(fields)
  }
}

/** `certs:report <app>` (header `<app> ssl information`): Go ≥0.38.22, bash text, or JSON ≥0.38.0. */
export function parseCertsReport (app: string, stdout: string, format: 'json' | 'text', now?: Date): CertsReport {
  return certsReportFromFields(app, singleReport(stdout, format, 'ssl'), now)
}
