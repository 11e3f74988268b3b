import type { PluginResult } from '../dokku/commands/spec.js'
import { DokkuError } from '../dokku/errors.js'
import type { LetsencryptListItem, LetsencryptReport } from '../dokku/parsers/letsencrypt.js'
import { validateEmail } from '../dokku/validate.js'
import type { Host } from '../hosts/host.js'
import type { JobSnapshot } from '../jobs/manager.js'
import { appName, appNames } from './apps.js'
import { expiryLevel, type Level } from './certificates.js'

/**
 * Let's Encrypt on one host: an app's status and its jobs (enable, renew), the e-mail addresses
 * (an app's or the global one), and the overview of every app's certificate with the global
 * renewal. The one place these are defined, whoever asks.
 */

/**
 * The job-lock key (and history "app" column) of jobs that span every app, such as the global
 * `letsencrypt:auto-renew`. JobManager uses `app` only as a lock key and a label, so this must
 * never collide with a real app: it contains a space, which no dokku app name can.
 */
export const ALL_APPS_JOB_KEY = 'all apps'

const DAY_S = 86400

/** A dokku failure shown where it happened, with a link to its history row. */
export type Failure = Pick<DokkuError, 'message' | 'historyId'>

export function failureOf (err: unknown): Failure | null {
  return err instanceof DokkuError ? { message: err.message, historyId: err.historyId } : null
}

// ---- shaping (pure) ---------------------------------------------------------------------------

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

// ---- reads ------------------------------------------------------------------------------------

/** An app's `letsencrypt:report`, cached: one key for every page that needs it. */
function report (host: Host, app: string): Promise<PluginResult<{ report: LetsencryptReport }>> {
  return host.cache.get(`letsencrypt:report:${app}`, [app], () => host.dokku.letsencryptReport(app))
}

/**
 * An app's Let's Encrypt status. A failure to read it is shown in its panel rather than failing
 * the page; only dokku unreachable or the app gone fail the whole page.
 */
export async function appStatus (host: Host, app: string): Promise<LetsencryptView> {
  try {
    const result = await report(host, app)
    return result.installed ? letsencryptView(result.report) : { state: 'not-installed' }
  } catch (err) {
    const failure = failureOf(err)
    if (!failure || (err instanceof DokkuError && ['app-missing', 'unavailable', 'timeout'].includes(err.kind))) throw err
    return { state: 'error', failure }
  }
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
  /** The global renewal, while it runs. */
  runningJob: JobSnapshot | null
}

function validName (name: string): boolean {
  try {
    appName(name)
    return true
  } catch {
    return false
  }
}

/** Every app's certificate (`letsencrypt:list`), the apps without one, and the global settings. */
export async function overview (host: Host): Promise<OverviewData> {
  const [list, apps] = await Promise.all([
    host.cache.get('letsencrypt:list', 'all', () => host.dokku.letsencryptList()),
    appNames(host)
  ])
  const runningJob = host.runningJob(ALL_APPS_JOB_KEY) ?? null
  if (!list.installed) return { letsencrypt: { state: 'not-installed' }, global: null, globalFailure: null, runningJob }

  const rows = list.items.map(listRow)
  const secured = new Set(rows.map((r) => r.app))
  const unsecured = apps.filter((a) => !secured.has(a)).sort()
  let global: OverviewData['global'] = null
  let globalFailure: Failure | null = null
  // An app whose name our validator refuses (a hand-made directory) cannot be asked about.
  const first = [...apps].sort().find(validName)
  if (first !== undefined) {
    try {
      const result = await report(host, first)
      if (result.installed) global = { email: result.report.globalEmail, autorenew: result.report.autorenew }
    } catch (err) {
      globalFailure = failureOf(err)
      if (!globalFailure) throw err
    }
  }
  return { letsencrypt: { state: 'ok', rows, unsecured }, global, globalFailure, runningJob }
}

// ---- changes ----------------------------------------------------------------------------------

/**
 * Sets an app's Let's Encrypt e-mail (`app` null: the global one), or removes it when the typed
 * address is empty. Returns the address now set, or null. InvalidArgumentError before anything
 * runs when the address is not one.
 */
export async function setEmail (host: Host, app: string | null, typed: string | undefined): Promise<string | null> {
  const trimmed = (typed ?? '').trim()
  const email = trimmed === '' ? null : validateEmail(trimmed)
  try {
    await host.dokku.letsencryptSetEmail(app, email)
  } finally {
    // The global address shows in every app's report.
    if (app === null) host.cache.clear()
    else host.cache.invalidateApp(app)
  }
  return email
}

/** `letsencrypt:enable`: requests (or updates) the app's certificate, as a job. */
export function enable (host: Host, app: string): JobSnapshot {
  return host.startJob({
    app,
    label: `Enable Let's Encrypt for ${app}`,
    command: `dokku letsencrypt:enable ${app}`,
    run: (ctx) => host.dokku.letsencryptEnable(app, ctx)
  })
}

/** `letsencrypt:auto-renew <app>`: renews the app's certificate if it is due, as a job. */
export function autoRenew (host: Host, app: string): JobSnapshot {
  return host.startJob({
    app,
    label: `Renew Let's Encrypt certificate for ${app}`,
    command: `dokku letsencrypt:auto-renew ${app}`,
    run: (ctx) => host.dokku.letsencryptAutoRenew(app, ctx)
  })
}

/**
 * `letsencrypt:auto-renew` for every app. It is locked under ALL_APPS_JOB_KEY (not an app name),
 * so two global renewals never overlap; per-app jobs are not blocked by it. It may renew any
 * app, so every cached read of the host is dropped when it ends.
 */
export function renewAll (host: Host): JobSnapshot {
  return host.startJob({
    app: ALL_APPS_JOB_KEY,
    label: 'Renew due Let\'s Encrypt certificates (all apps)',
    command: 'dokku letsencrypt:auto-renew',
    run: async (ctx) => {
      try {
        return await host.dokku.letsencryptAutoRenew(undefined, ctx)
      } finally {
        host.cache.clear()
      }
    }
  })
}
