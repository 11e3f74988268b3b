import { fromUnixSeconds, isLogHeader, isTrue, splitLines, toCount } from './common.js'
import { singleReport, type Fields } from './report.js'

export interface LetsencryptListItem {
  app: string
  /** As printed, in the dokku server's local time zone (`2026-07-01 12:00:00`). */
  expiry: string
  /** Seconds until the certificate expires; negative once it has. */
  secondsBeforeExpiry: number | null
  /** Seconds until auto-renewal is due; negative when overdue. */
  secondsBeforeRenewal: number | null
  timeBeforeExpiry: string
  timeBeforeRenewal: string
}

const UNIT_SECONDS: Record<string, number> = { d: 86400, h: 3600, m: 60, s: 1 }
const DURATION = String.raw`(?:\d+[dhms], )*\d+[dhms](?: ago)?`
const LIST_ROW = new RegExp(String.raw`^(\S+)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s+(${DURATION})\s+(${DURATION})\s*$`)
// The reference's looser form, for durations we did not foresee.
const LIST_ROW_LOOSE = /^(\S+)\s+(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)\s+(.+?)\s{2,}(.+?)\s*$/

/** `59d, 23h, 10m, 2s` → seconds; `… ago` is negative. */
export function parseDuration (text: string): number | null {
  const t = text.trim()
  if (!new RegExp(`^${DURATION}$`).test(t)) return null
  let total = 0
  for (const m of t.matchAll(/(\d+)([dhms])/g)) total += Number(m[1]) * (UNIT_SECONDS[m[2] ?? ''] ?? 0)
  return t.endsWith(' ago') ? -total : total
}

/** `letsencrypt:list` (`:ls` before plugin 0.10.0): a padded table, no JSON mode. */
export function parseLetsencryptList (stdout: string): LetsencryptListItem[] {
  const items: LetsencryptListItem[] = []
  for (const line of splitLines(stdout)) {
    if (isLogHeader(line)) continue
    const m = line.match(LIST_ROW) ?? line.match(LIST_ROW_LOOSE)
    if (!m) continue
    const timeBeforeExpiry = (m[3] ?? '').trim()
    const timeBeforeRenewal = (m[4] ?? '').trim()
    items.push({
      app: m[1] ?? '',
      expiry: m[2] ?? '',
      secondsBeforeExpiry: parseDuration(timeBeforeExpiry),
      secondsBeforeRenewal: parseDuration(timeBeforeRenewal),
      timeBeforeExpiry,
      timeBeforeRenewal
    })
  }
  return items
}

export interface LetsencryptReport {
  app: string
  active: boolean
  /** The global auto-renew cron job is installed. */
  autorenew: boolean
  /** The effective e-mail (app, else global). */
  email: string
  appEmail: string
  globalEmail: string
  /** Certificate expiry, null without a certificate. */
  expiresAt: Date | null
  /** Renewal starts this many seconds before expiry. */
  graceperiodSeconds: number | null
  /** The ACME directory URL in use. */
  server: string
  dnsProvider: string
  /** Names of the `dns-provider-<ENV>` settings; their values are credentials and are not kept. */
  dnsProviderKeys: string[]
}

export function letsencryptReportFromFields (app: string, fields: Fields): LetsencryptReport {
  const keys = new Set<string>()
  for (const key of fields.keys()) {
    const m = key.match(/^(?:computed-|global-)?dns-provider-(.+)$/)
    if (m?.[1]) keys.add(m[1])
  }
  return {
    app,
    active: isTrue(fields.get('active')),
    autorenew: isTrue(fields.get('autorenew')),
    email: fields.get('computed-email') ?? fields.get('email') ?? '',
    appEmail: fields.get('email') ?? '',
    globalEmail: fields.get('global-email') ?? '',
    expiresAt: fromUnixSeconds(fields.get('expiration')),
    graceperiodSeconds: toCount(fields.get('computed-graceperiod')) ?? toCount(fields.get('graceperiod')),
    server: fields.get('computed-server') ?? fields.get('server') ?? '',
    dnsProvider: fields.get('computed-dns-provider') ?? fields.get('dns-provider') ?? '',
    dnsProviderKeys: [...keys].sort()
  }
}

/**
 * `letsencrypt:report <app>`: the old bash layout (fixed order, `%-30s %-25s`, labels over 30
 * characters overflow), or `--format json` (plugin ≥0.24.0, insertion-ordered keys).
 */
export function parseLetsencryptReport (app: string, stdout: string, format: 'json' | 'text'): LetsencryptReport {
  return letsencryptReportFromFields(app, singleReport(stdout, format, 'letsencrypt'))
}
