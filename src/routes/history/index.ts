import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { exportStream, MAX_EXPORT_ROWS, type ExportFormat } from '../../db/history-export.js'
import type { HistoryRow } from '../../db/history.js'
import { InvalidArgumentError } from '../../dokku/errors.js'
import { loadAppState } from '../apps/model.js'
import { AppParams, appParam } from '../apps/params.js'
import { COMMON_GROUPS, errorSummary, FilterQuery, filterSearch, KINDS, parseFilters, STATUSES, type ParsedFilters } from './filters.js'

const PAGE_SIZE = 50

const EXPORT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8'
}

/** What the history panel (views/partials/history-panel.eta) shows, on /history and on an app's tab. */
export interface HistoryPanel {
  /** The address the filter form and the paging links go to. */
  base: string
  /** The app of an app's tab: the filter is fixed to it. */
  fixedApp: string | null
  form: ParsedFilters['form']
  errors: Record<string, string>
  rows: HistoryRow[]
  olderUrl: string | null
  newestUrl: string | null
  exportCsvUrl: string
  exportJsonUrl: string
  /** Rows per export file (the export's bound). */
  exportLimit: number
  kinds: typeof KINDS
  statuses: typeof STATUSES
  groups: typeof COMMON_GROUPS
}

/** One page of the filtered history, newest first; refused filters list nothing. */
function historyPanel (app: FastifyInstance, base: string, filters: ParsedFilters, fixedApp: string | null): HistoryPanel {
  const { query, form, errors } = filters
  const valid = Object.keys(errors).length === 0
  const rows = valid ? app.history.list({ ...query, limit: PAGE_SIZE }) : []
  const withApp = fixedApp === null
  const nextBefore = rows.length === PAGE_SIZE ? rows[rows.length - 1]!.id : null
  const exportSearch = filterSearch(query)
  return {
    base,
    fixedApp,
    form,
    errors,
    rows,
    olderUrl: nextBefore === null ? null : base + filterSearch(query, { withApp, before: nextBefore }),
    newestUrl: query.before === undefined ? null : base + filterSearch(query, { withApp }),
    exportCsvUrl: '/history/export.csv' + exportSearch,
    exportJsonUrl: '/history/export.json' + exportSearch,
    exportLimit: MAX_EXPORT_ROWS,
    kinds: KINDS,
    statuses: STATUSES,
    groups: COMMON_GROUPS
  }
}

/** `docklight-history[-app]-2026-05-01.csv`: app names are dokku's [a-z0-9._-], safe in the header. */
function exportFilename (format: ExportFormat, app: string | undefined): string {
  const date = new Date().toISOString().slice(0, 10)
  return `docklight-history${app ? '-' + app : ''}-${date}.${format}`
}

const historyRoutes: FastifyPluginAsync = async (app) => {
  function answer (reply: FastifyReply, template: string, data: Record<string, unknown> & { panel: HistoryPanel }): Promise<FastifyReply> {
    if (Object.keys(data.panel.errors).length > 0) reply.code(422)
    return reply.render(template, data)
  }

  app.get<{ Querystring: FilterQuery }>('/history', { schema: { querystring: FilterQuery } }, async (req, reply) => {
    const panel = historyPanel(app, '/history', parseFilters(req.query), null)
    return answer(reply, 'history', { title: 'History', panel })
  })

  // The same panel on an app's tab, its app filter fixed.
  app.get<{ Params: AppParams; Querystring: FilterQuery }>('/apps/:app/history', {
    schema: { params: AppParams, querystring: FilterQuery }
  }, async (req, reply) => {
    const name = appParam(req.params)
    const appState = loadAppState(app, name)
    const panel = historyPanel(app, `/apps/${encodeURIComponent(name)}/history`, parseFilters(req.query, name), name)
    return answer(reply, 'history-app', { title: `History · ${name}`, appName: name, appState: await appState, tab: 'history', panel })
  })

  // Streamed downloads: a keyset batch at a time, as the client reads (see history-export.ts).
  for (const format of ['csv', 'json'] as const) {
    app.get<{ Querystring: FilterQuery }>(`/history/export.${format}`, { schema: { querystring: FilterQuery } }, async (req, reply) => {
      const { query, errors } = parseFilters(req.query)
      if (Object.keys(errors).length > 0) throw new InvalidArgumentError(Object.keys(errors)[0]!, errorSummary(errors))
      return reply
        .type(EXPORT_TYPES[format])
        .header('Content-Disposition', `attachment; filename="${exportFilename(format, query.app)}"`)
        .header('Cache-Control', 'no-store')
        .send(exportStream(format, app.history, query))
    })
  }

  app.get<{ Params: { id: number } }>('/history/:id', {
    schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) }
  }, async (req, reply) => {
    const row = app.history.get(req.params.id)
    if (!row) return reply.callNotFound()
    return reply.render('history-entry', { title: `History #${row.id}`, row })
  })
}

export default historyRoutes
