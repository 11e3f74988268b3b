import type { FastifyInstance } from 'fastify'
import type { AppReport } from '../../dokku/parsers/apps.js'
import type { DomainsReport } from '../../dokku/parsers/domains.js'
import type { AppState, ProcessScale, PsReport } from '../../dokku/parsers/ps.js'

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
 * Every app with its state and domains, in two dokku calls however many apps there are: the
 * all-apps `ps:report` and `domains:report`, each cached briefly.
 */
export async function loadDashboard (app: FastifyInstance): Promise<AppSummary[]> {
  const [reports, domains] = await Promise.all([
    app.readCache.get('ps:report', 'all', () => app.dokku.psReportAll()),
    app.readCache.get('domains:report', 'all', () => app.dokku.domainsReportAll())
  ])
  const domainsByApp = new Map(domains.map((d) => [d.app, d]))
  return reports.map((r) => summarize(r, domainsByApp.get(r.app))).sort((a, b) => a.name.localeCompare(b.name))
}

export function filterApps (apps: AppSummary[], query: string): AppSummary[] {
  const q = query.trim().toLowerCase()
  return q === '' ? apps : apps.filter((a) => a.name.includes(q) || a.domains.some((d) => d.includes(q)))
}

export interface AppOverview {
  ps: PsReport
  scale: ProcessScale[]
  report: AppReport
}

/** Every app's name (`apps:list`), through the read cache: one key for every page that needs it. */
export function loadAppNames (app: FastifyInstance): Promise<string[]> {
  return app.readCache.get('apps:list', 'all', () => app.dokku.listApps())
}

/** The app's `ps:report`, through the read cache: one key for every page that needs it. */
export function loadPsReport (app: FastifyInstance, name: string): Promise<PsReport> {
  return app.readCache.get(`ps:report:${name}`, [name], () => app.dokku.psReport(name))
}

/**
 * The state badge next to an app's name on its tabs. Only decoration: when it cannot be read
 * the tab still renders, without the badge.
 */
export function loadAppState (app: FastifyInstance, name: string): Promise<DisplayState | null> {
  return loadPsReport(app, name).then(displayState, () => null)
}

/** What the overview shows, read in parallel (three calls, each cached for the app). */
export async function loadOverview (app: FastifyInstance, name: string): Promise<AppOverview> {
  const [ps, scale, report] = await Promise.all([
    loadPsReport(app, name),
    app.readCache.get(`ps:scale:${name}`, [name], () => app.dokku.getScale(name)),
    app.readCache.get(`apps:report:${name}`, [name], () => app.dokku.appReport(name))
  ])
  return { ps, scale, report }
}
