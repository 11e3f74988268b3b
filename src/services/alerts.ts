import { isSnoozed, SEVERITIES, type Finding, type FindingSummary, type Severity } from '../db/findings.js'
import { InvalidArgumentError } from '../dokku/errors.js'
import { formatVersion } from '../dokku/parsers/version.js'
import { validateAppName } from '../dokku/validate.js'
import type { Host } from '../hosts/host.js'
import type { JobContext, JobSnapshot } from '../jobs/manager.js'
import { advisoriesFor } from '../watchdog/advisories.js'
import type { AlertsContext } from '../watchdog/context.js'
import type { CheckReport, HostWatch } from '../watchdog/watchdog.js'

/**
 * The watchdog's findings as the pages use them: the banner and counts on every page, an app's
 * findings on its tabs, the /alerts list and a finding's page, snoozing, "check now", and the
 * one-click fixes (each a job that runs the fix, then checks the host again, so the finding's
 * page shows the outcome as soon as the job ends).
 */

export type { Finding, FindingSummary, HostWatch, Severity }

/** A finding as a template shows it. */
export interface FindingView extends Finding {
  snoozed: boolean
  /** `/hosts/<name>` when there are several hosts, '' otherwise: links keep to the finding's host. */
  base: string
}

function view (f: Finding, now: Date, several: boolean): FindingView {
  return { ...f, snoozed: isSnoozed(f, now), base: several ? `/hosts/${f.host}` : '' }
}

// ---- every page --------------------------------------------------------------------------------

export interface SecurityBannerItem {
  host: string
  version: string
  count: number
  /** The host's server page, where the advisories and the upgrade command are. */
  href: string
}

/** The dashboard's card: the count and the worst finding, then the next few (of one host, on a host's dashboard). */
export interface DashboardAlerts {
  summary: FindingSummary
  /** Worst first, the worst included; at most DASHBOARD_SHOWN. */
  top: FindingView[]
  /** How many open ones are not in `top`. */
  more: number
  /** `/alerts`, filtered to the host on a host's dashboard. */
  href: string
}

/** Bound: findings the dashboard lists. */
export const DASHBOARD_SHOWN = 8

export function dashboardAlerts (ctx: AlertsContext, hosts: readonly Host[], only: Host | null): DashboardAlerts {
  const now = ctx.now()
  const several = hosts.length > 1
  const summary = ctx.findings.summary(now, only?.name)
  const open = ctx.findings.openFor(now, only?.name, DASHBOARD_SHOWN + 20).filter((f) => !isSnoozed(f, now))
  return {
    summary,
    top: open.slice(0, DASHBOARD_SHOWN).map((f) => view(f, now, several)),
    more: Math.max(0, summary.total - DASHBOARD_SHOWN),
    href: only && several ? `/alerts?host=${only.name}` : '/alerts'
  }
}

export interface PageAlerts {
  /** On the dashboard only. */
  dashboardAlerts?: DashboardAlerts
  alertSummary: FindingSummary
  /** Hosts known to run a dokku with advisories: the banner every page shows until they upgrade. */
  securityBanner: SecurityBannerItem[]
  /** The app's open findings, on its tabs. */
  appFindings?: FindingView[]
}

/** What every page's layout needs: cheap (SQLite and the versions already read). */
export function pageAlerts (ctx: AlertsContext, hosts: readonly Host[], current: Host, where: { app: string | null; dashboard: 'all' | 'host' | null }): PageAlerts {
  const app = where.app
  const now = ctx.now()
  const several = hosts.length > 1
  const securityBanner: SecurityBannerItem[] = []
  for (const host of hosts) {
    // The version the client already read (a page, or the watchdog's round): never a call of its own.
    const version = host.dokku.knownVersion()
    if (!version) continue
    const { advisories } = advisoriesFor(version)
    if (advisories.length > 0) {
      securityBanner.push({ host: host.name, version: formatVersion(version), count: advisories.length, href: `${several ? `/hosts/${host.name}` : ''}/server#server-dokku` })
    }
  }
  const out: PageAlerts = { alertSummary: ctx.findings.summary(now), securityBanner }
  if (app !== null) out.appFindings = ctx.findings.forApp(current.name, app).map((f) => view(f, now, several))
  if (where.dashboard) out.dashboardAlerts = dashboardAlerts(ctx, hosts, where.dashboard === 'host' ? current : null)
  return out
}

// ---- /alerts -------------------------------------------------------------------------------------

export interface AlertsFilter {
  host: string | null
  app: string | null
  severity: Severity | null
}

/** The list's filters from a query string: unknown values are refused, empty ones mean "any". */
export function alertsFilter (hosts: readonly Host[], raw: { host?: string; app?: string; severity?: string }): AlertsFilter {
  const host = raw.host?.trim() || null
  if (host !== null && !hosts.some((h) => h.name === host)) throw new InvalidArgumentError('host', `There is no host named "${host.slice(0, 40)}"`)
  const app = raw.app?.trim() ? validateAppName(raw.app.trim()) : null
  const severity = raw.severity?.trim() || null
  if (severity !== null && !(SEVERITIES as readonly string[]).includes(severity)) throw new InvalidArgumentError('severity', 'Severity must be critical, warning or info')
  return { host, app, severity: severity as Severity | null }
}

export interface AlertsPage {
  filter: AlertsFilter
  open: FindingView[]
  recent: FindingView[]
  watches: HostWatch[]
  running: boolean
  intervalMs: number
}

/** Bound: resolved findings the list shows. */
export const RECENT_SHOWN = 50

export function alertsPage (ctx: AlertsContext, hosts: readonly Host[], filter: AlertsFilter): AlertsPage {
  const now = ctx.now()
  const several = hosts.length > 1
  const q = { host: filter.host ?? undefined, app: filter.app ?? undefined, severity: filter.severity ?? undefined }
  return {
    filter,
    open: ctx.findings.list({ ...q, state: 'open', limit: 500 }).map((f) => view(f, now, several)),
    recent: ctx.findings.list({ ...q, state: 'resolved', limit: RECENT_SHOWN }).map((f) => view(f, now, several)),
    watches: hosts.filter((h) => filter.host === null || h.name === filter.host).map((h) => ctx.watchdog.status(h.name)!),
    running: ctx.running,
    intervalMs: ctx.watchdog.intervalMs
  }
}

export interface FindingPage {
  finding: FindingView
  watch: HostWatch | null
  /** A job running now on the fix's app (the fix itself, usually). */
  runningJob: JobSnapshot | null
}

function requireFinding (ctx: AlertsContext, id: number): Finding {
  const f = Number.isSafeInteger(id) && id > 0 ? ctx.findings.get(id) : undefined
  if (!f) throw Object.assign(new Error('There is no such alert (it may have been pruned).'), { statusCode: 404 })
  return f
}

export function findingPage (ctx: AlertsContext, hosts: readonly Host[], id: number): FindingPage {
  const f = requireFinding(ctx, id)
  const host = hosts.find((h) => h.name === f.host)
  const key = f.fix ? fixLockKey(f.fix.kind, f.fix.app) : f.app
  return {
    finding: view(f, ctx.now(), hosts.length > 1),
    watch: ctx.watchdog.status(f.host) ?? null,
    runningJob: host && key ? host.runningJob(key) ?? null : null
  }
}

export const SNOOZE_CHOICES = { '1h': 3_600_000, '4h': 4 * 3_600_000, '1d': 86_400_000, '3d': 3 * 86_400_000, '7d': 7 * 86_400_000 } as const
export type SnoozeChoice = keyof typeof SNOOZE_CHOICES

/** Snoozes an open finding for one of SNOOZE_CHOICES: no count, banner or message for it until then. */
export function snooze (ctx: AlertsContext, id: number, choice: unknown): Finding {
  const f = requireFinding(ctx, id)
  if (typeof choice !== 'string' || !(choice in SNOOZE_CHOICES)) throw new InvalidArgumentError('for', 'Choose how long: 1h, 4h, 1d, 3d or 7d')
  if (f.resolvedAt !== null) throw new InvalidArgumentError('for', 'This alert has already cleared')
  ctx.findings.snooze(id, new Date(ctx.now().getTime() + SNOOZE_CHOICES[choice as SnoozeChoice]))
  return ctx.findings.get(id)!
}

export function unsnooze (ctx: AlertsContext, id: number): Finding {
  requireFinding(ctx, id)
  ctx.findings.snooze(id, null)
  return ctx.findings.get(id)!
}

/** Checks a host now (the /alerts button), sharing a check already running. */
export function checkNow (ctx: AlertsContext, hosts: readonly Host[], name: unknown): Promise<CheckReport | null> {
  const host = typeof name === 'string' ? hosts.find((h) => h.name === name) : undefined
  if (!host) throw new InvalidArgumentError('host', 'Choose a host to check')
  return ctx.watchdog.check(host)
}

// ---- one-click fixes -----------------------------------------------------------------------------

/** The job lock of host-wide fixes (a space: never an app name). */
export const CRON_JOB_KEY = 'letsencrypt cron-job'

function fixLockKey (kind: string, app: string | undefined): string {
  return kind === 'letsencrypt-autorenew' || app === undefined ? CRON_JOB_KEY : app
}

/** After the fix: the host checked again, and the job's output says what became of the alert. */
async function recheck (ctx: AlertsContext, host: Host, id: number, job: JobContext): Promise<void> {
  await ctx.watchdog.check(host)
  const after = ctx.findings.get(id)
  job.onOutput('stdout', after?.resolvedAt
    ? `[docklight] Checked ${host.name} again: the alert has cleared.\n`
    : `[docklight] Checked ${host.name} again: the alert is still open${after ? ` (${after.title})` : ''}.\n`)
}

/**
 * Runs a finding's one-click fix as a job. The fix is the one the watchdog chose and stored,
 * never input from the request (only the finding's id is): renew a Let's Encrypt certificate,
 * turn the renewal job on (and renew), restart a crashed app.
 */
export function fix (ctx: AlertsContext, hosts: readonly Host[], id: number): JobSnapshot {
  const f = requireFinding(ctx, id)
  const host = hosts.find((h) => h.name === f.host)
  if (!host) throw Object.assign(new Error(`This alert is about ${f.host}, which Docklight no longer manages.`), { statusCode: 404 })
  if (f.resolvedAt !== null) throw new InvalidArgumentError('fix', 'This alert has already cleared: there is nothing to fix.')
  if (!f.fix) throw new InvalidArgumentError('fix', 'This alert has no one-click fix: see "What to do".')
  const kind = f.fix.kind
  const app = f.fix.app === undefined ? undefined : validateAppName(f.fix.app)
  const withRecheck = (label: string, command: string, work: (job: JobContext) => Promise<unknown>): JobSnapshot => host.startJob({
    app: fixLockKey(kind, app),
    label,
    command,
    run: async (job) => {
      const outcome = await work(job)
      await recheck(ctx, host, id, job)
      return outcome
    }
  })
  switch (kind) {
    case 'letsencrypt-renew':
      return withRecheck(`Renew Let's Encrypt certificate for ${app}`, `dokku letsencrypt:auto-renew ${app}`,
        (job) => host.dokku.letsencryptAutoRenew(app!, job))
    case 'letsencrypt-autorenew-renew':
      return withRecheck(`Enable Let's Encrypt auto-renew and renew ${app}`, `dokku letsencrypt:cron-job --add; dokku letsencrypt:auto-renew ${app}`,
        async (job) => {
          await host.dokku.letsencryptCronJobSet(true)
          job.onOutput('stdout', '-----> Added cron job to dokku\'s crontab.\n')
          host.cache.clear()
          return host.dokku.letsencryptAutoRenew(app!, job)
        })
    case 'letsencrypt-autorenew':
      return withRecheck('Enable Let\'s Encrypt auto-renew', 'dokku letsencrypt:cron-job --add', async (job) => {
        try {
          return await host.dokku.letsencryptCronJobSet(true, job)
        } finally {
          host.cache.clear()
        }
      })
    case 'app-restart':
      return withRecheck(`Restart ${app}`, `dokku ps:restart ${app}`, (job) => host.dokku.restart(app!, job))
  }
}
