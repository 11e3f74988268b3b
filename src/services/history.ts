import type { Readable } from 'node:stream'
import { exportStream, MAX_EXPORT_ROWS, type ExportFormat } from '../db/history-export.js'
import type { HistoryEntry, HistoryRepository, HistoryRow } from '../db/history.js'
import { InvalidArgumentError } from '../dokku/errors.js'
import { COMMON_GROUPS, errorSummary, filterSearch, KINDS, parseFilters, STATUSES, type FilterQuery, type ParsedFilters } from './history-filters.js'

export { FilterQuery } from './history-filters.js'

const PAGE_SIZE = 50

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

export interface PanelScope {
  /** Where the panel lives (its form and paging links go there). */
  base: string
  /** An app's tab: the app, on its host. */
  app?: { host: string; name: string }
}

/** One page of the filtered history, newest first; refused filters list nothing. */
export function historyPanel (history: HistoryRepository, raw: FilterQuery, scope: PanelScope): HistoryPanel {
  const fixed = scope.app ?? null
  const { query, form, errors } = parseFilters(raw, fixed?.name)
  if (fixed) query.host = fixed.host
  const valid = Object.keys(errors).length === 0
  const rows = valid ? history.list({ ...query, limit: PAGE_SIZE }) : []
  const withApp = fixed === null
  const nextBefore = rows.length === PAGE_SIZE ? rows[rows.length - 1]!.id : null
  const exportSearch = filterSearch(query)
  return {
    base: scope.base,
    fixedApp: fixed?.name ?? null,
    form,
    errors,
    rows,
    olderUrl: nextBefore === null ? null : scope.base + filterSearch(query, { withApp, before: nextBefore }),
    newestUrl: query.before === undefined ? null : scope.base + filterSearch(query, { withApp }),
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

/** A streamed export of the filtered history; bad filters are refused before anything is read. */
export function historyExport (history: HistoryRepository, format: ExportFormat, raw: FilterQuery): { filename: string; stream: Readable } {
  const { query, errors } = parseFilters(raw)
  if (Object.keys(errors).length > 0) throw new InvalidArgumentError(Object.keys(errors)[0]!, errorSummary(errors))
  return { filename: exportFilename(format, query.app), stream: exportStream(format, history, query) }
}

export function historyEntry (history: HistoryRepository, id: number): HistoryEntry | undefined {
  return history.get(id)
}

export type { ExportFormat }
