import type { AppReport } from '../dokku/parsers/apps.js'
import type { DomainsReport } from '../dokku/parsers/domains.js'
import type { AppState, ProcessScale, PsReport } from '../dokku/parsers/ps.js'
import { InvalidArgumentError } from '../dokku/errors.js'
import { validateAppName, validateConfirmation, validateNewAppName, validateProcessType, validateScaleCount } from '../dokku/validate.js'
import type { HistoryRow } from '../db/history.js'
import type { Host } from '../hosts/host.js'
import { deployCancel } from '../jobs/deploy-cancel.js'
import type { JobSnapshot } from '../jobs/manager.js'
import { appScheduler } from './server.js'
import { summaryIfCached, type SummaryItem } from './settings/summary.js'

/**
 * Apps on one host: the dashboard's rows, an app's overview and processes, and the operations
 * on an app (lifecycle jobs, scale, create, destroy). The one place these are defined, whoever
 * asks (a page, the API, a webhook, the watchdog).
 */

/** An app name from a URL or form, checked against dokku's rule (InvalidArgumentError if not). */
export function appName (raw: unknown, field = 'app'): string {
  return validateAppName(raw, field)
}

/**
 * What the UI calls an app's state: dokku's, plus `crashed` for a deployed app whose containers
 * are down although nobody stopped it (`ps:stop` turns restore off; a crash leaves it on).
 */
export type DisplayState = AppState | 'crashed'

export function displayState (report: PsReport): DisplayState {
  if (report.state === 'stopped' && report.restore && report.processes.length > 0) return 'crashed'
  return report.state
}

/** One row of the dashboard. */
export interface AppSummary {
  name: string
  state: DisplayState
  /** Per process type: containers running out of those dokku knows. */
  processes: Array<{ type: string; running: number; total: number }>
  domains: string[]
}

export function summarize (report: PsReport, domains: DomainsReport | undefined): AppSummary {
  const byType = new Map<string, { type: string; running: number; total: number }>()
  for (const p of report.processes) {
    const entry = byType.get(p.type) ?? { type: p.type, running: 0, total: 0 }
    entry.total++
    if (p.status === 'running') entry.running++
    byType.set(p.type, entry)
  }
  return { name: report.app, state: displayState(report), processes: [...byType.values()], domains: domains?.appVhosts ?? [] }
}

/**
 * The rows made from one pair of cached answers. Bound: a WeakMap on the cached ps:report
 * answer, so an entry goes with the answer when the cache drops it.
 */
const summaries = new WeakMap<PsReport[], { domains: DomainsReport[]; apps: AppSummary[] }>()

/**
 * Every app on the host with its state and domains, in two dokku calls however many apps there
 * are: the all-apps `ps:report` and `domains:report`, each cached. The rows are made once per
 * pair of answers (300 apps: summarised and sorted once, not on every view), and the same
 * frozen array is returned while the answers stay: a view can tell its data has not changed.
 */
export async function listApps (host: Host): Promise<AppSummary[]> {
  const [reports, domains] = await Promise.all([
    host.cache.get('ps:report', 'all', () => host.dokku.psReportAll()),
    host.cache.get('domains:report', 'all', () => host.dokku.domainsReportAll())
  ])
  const made = summaries.get(reports)
  if (made?.domains === domains) return made.apps
  const domainsByApp = new Map(domains.map((d) => [d.app, d]))
  const apps = Object.freeze(reports.map((r) => summarize(r, domainsByApp.get(r.app))).sort(byName)) as AppSummary[]
  summaries.set(reports, { domains, apps })
  return apps
}

/**
 * By name. App names are lowercase letters, digits, `.` and `-` (dokku's rule), where byte
 * order and localeCompare agree; localeCompare cost a tenth of a 300-app view.
 */
function byName (a: AppSummary, b: AppSummary): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}

export function filterApps<T extends AppSummary> (apps: T[], query: string): T[] {
  const q = query.trim().toLowerCase()
  return q === '' ? apps : apps.filter((a) => a.name.includes(q) || a.domains.some((d) => d.includes(q)))
}

/** Every app's name (`apps:list`), cached: one key for every page that needs it. */
export function appNames (host: Host): Promise<string[]> {
  return host.cache.get('apps:list', 'all', () => host.dokku.listApps())
}

/** The app's `ps:report`, cached: one key for every page that needs it. */
export function psReport (host: Host, app: string): Promise<PsReport> {
  return host.cache.get(`ps:report:${app}`, [app], () => host.dokku.psReport(app))
}

/**
 * The state badge next to an app's name on its tabs. Only decoration: when it cannot be read
 * the tab still renders, without the badge.
 */
export function appState (host: Host, app: string): Promise<DisplayState | null> {
  return psReport(host, app).then(displayState, () => null)
}

export interface AppOverview {
  ps: PsReport
  scale: ProcessScale[]
  report: AppReport
}

/** What the processes panel shows, read in parallel (three calls, each cached for the app). */
export async function processes (host: Host, app: string): Promise<AppOverview> {
  const [ps, scale, report] = await Promise.all([
    psReport(host, app),
    host.cache.get(`ps:scale:${app}`, [app], () => host.dokku.getScale(app)),
    host.cache.get(`apps:report:${app}`, [app], () => host.dokku.appReport(app))
  ])
  return { ps, scale, report }
}

/** How many of the app's latest commands the overview lists. */
const RECENT_ACTIVITY = 8

export interface AppPage extends AppOverview {
  state: DisplayState
  runningJob: JobSnapshot | null
  buttons: ActionButton[]
  recent: HistoryRow[]
  /** The scheduler it deploys with (`docker-local`, `k3s`, …); null when dokku cannot say. */
  scheduler: string | null
  /**
   * Its non-default settings, one short item each ("ports 80→5000", "2 mounts"), linking to their
   * section; null when not cached yet: the page loads the line as a panel.
   */
  settings: SummaryItem[] | null
}

/** The overview tab: processes, deploy facts, the job running now and the latest commands. */
export async function overview (host: Host, app: string): Promise<AppPage> {
  const [data, scheduler, settings] = await Promise.all([processes(host, app), appScheduler(host, app), summaryIfCached(host, app)])
  const runningJob = host.runningJob(app) ?? null
  return {
    ...data,
    state: displayState(data.ps),
    runningJob,
    buttons: actionButtons(displayState(data.ps), runningJob),
    // Actions and jobs: the reads every page makes (settings summary included) would push them out.
    recent: host.history.list({ host: host.name, app, kind: 'actions', limit: RECENT_ACTIVITY }),
    scheduler,
    settings
  }
}

export const LIFECYCLE = {
  restart: { verb: 'Restart', run: 'restart' },
  rebuild: { verb: 'Rebuild', run: 'rebuild' },
  stop: { verb: 'Stop', run: 'stop' },
  start: { verb: 'Start', run: 'start' }
} as const
export type LifecycleAction = keyof typeof LIFECYCLE

/**
 * The actions that ask first (a page of their own without JS, a panel with htmx): what each
 * does, in the words the confirmation shows.
 */
export const CONFIRMED: Partial<Record<LifecycleAction, (app: string) => string>> = {
  stop: (app) => `Every container of ${app} stops, and it stays down (after a reboot too) until someone starts it.`,
  rebuild: (app) => `dokku builds ${app} again from its last deployed source and replaces its containers. This can take minutes.`
}

export function isConfirmedAction (action: string): action is LifecycleAction {
  return Object.hasOwn(CONFIRMED, action)
}

/** One lifecycle button: shown or not, and when it cannot be used now, why. */
export interface ActionButton {
  action: LifecycleAction
  label: string
  /** Asks first (Stop, Rebuild): the button opens the confirmation. */
  confirm: boolean
  /** Why it is disabled now (null: it can be used). */
  disabledBecause: string | null
}

export interface AppActions {
  state: DisplayState | null
  runningJob: JobSnapshot | null
  buttons: ActionButton[]
}

/**
 * The overview's lifecycle buttons for the app's state: Start is not offered on a running app,
 * Stop not on a stopped one; none can be used while a job runs on the app (its label and start
 * are shown instead), and an undeployed app has nothing to restart or rebuild.
 */
export function actionButtons (state: DisplayState | null, runningJob: JobSnapshot | null): ActionButton[] {
  const hidden: Partial<Record<LifecycleAction, boolean>> = {
    start: state === 'running' || state === 'undeployed',
    stop: state === 'stopped' || state === 'undeployed'
  }
  return (Object.keys(LIFECYCLE) as LifecycleAction[]).filter((a) => hidden[a] !== true).map((action) => ({
    action,
    label: LIFECYCLE[action].verb,
    confirm: isConfirmedAction(action),
    disabledBecause: runningJob !== null
      ? `${runningJob.label} is ${runningJob.status}`
      : state === 'undeployed' ? 'not deployed yet' : null
  }))
}

/** The buttons' panel, read again after every job on the app. */
export async function actions (host: Host, app: string): Promise<AppActions> {
  const state = await appState(host, app)
  const runningJob = host.runningJob(app) ?? null
  return { state, runningJob, buttons: actionButtons(state, runningJob) }
}

/** Restart, rebuild, stop or start, as a job (AppBusyError when the app has one running). */
export function lifecycle (host: Host, app: string, action: LifecycleAction): JobSnapshot {
  const { verb, run } = LIFECYCLE[action]
  const label = `${verb} ${app}`
  return host.startJob({
    app,
    label,
    // A rebuild or restart is a deploy dokku 0.38+ can stop where it runs.
    cancel: run === 'rebuild' || run === 'restart' ? deployCancel(host.dokku, app, label, host.remote) : undefined,
    run: (ctx) => host.dokku[run](app, ctx)
  })
}

/** The scale form's fields: one `count_<type>` per process type. */
export type ScaleForm = Record<string, string>

/** `count_web=2&count_worker=0` → `{ web: 2, worker: 0 }`, each part validated. */
export function parseFormation (form: ScaleForm): Record<string, number> {
  const formation: Record<string, number> = {}
  for (const [field, raw] of Object.entries(form)) {
    if (!field.startsWith('count_')) continue
    const type = validateProcessType(field.slice('count_'.length), field)
    formation[type] = validateScaleCount(raw.trim() === '' ? Number.NaN : Number(raw), field)
  }
  if (Object.keys(formation).length === 0) throw new InvalidArgumentError('formation', 'Give at least one process count.')
  return formation
}

/** `ps:scale` as a job; a refused form throws InvalidArgumentError before anything runs. */
export function scale (host: Host, app: string, form: ScaleForm): JobSnapshot {
  const formation = parseFormation(form)
  const summary = Object.entries(formation).map(([t, n]) => `${t}=${n}`).join(' ')
  return host.startJob({ app, label: `Scale ${app} to ${summary}`, run: (ctx) => host.dokku.setScale(app, formation, ctx) })
}

/** `apps:create`, at once; the name follows dokku's rule for new apps. */
export async function create (host: Host, typed: string): Promise<string> {
  const name = validateNewAppName(typed.trim(), 'name')
  try {
    await host.dokku.createApp(name)
  } finally {
    host.cache.invalidateApp(name)
  }
  return name
}

/** `apps:destroy --force` as a job holding the app's lock, only when the typed name matches. */
export function destroy (host: Host, app: string, typed: string, next: { href: string; text: string }): JobSnapshot {
  validateConfirmation(typed.trim(), app, 'confirm')
  return host.startJob({ app, label: `Destroy ${app}`, next, run: (ctx) => host.dokku.destroyApp(app, app, ctx) })
}
