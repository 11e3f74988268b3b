import { Readable } from 'node:stream'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { MAX_PAGE, type HistoryQuery, type HistoryRepository, type HistoryRow } from './history.js'

/** What an export holds of each row, in this order; never any output. */
export const EXPORT_COLUMNS = [
  'id', 'createdAt', 'finishedAt', 'host', 'app', 'kind', 'origin', 'group', 'label', 'command', 'status', 'exitCode', 'durationMs', 'error'
] as const satisfies ReadonlyArray<keyof HistoryRow>

export interface ExportOptions {
  /** Rows read per query (a keyset page). */
  batchSize?: number
  /** At most this many rows per export; the file then says where it stopped. */
  maxRows?: number
}

/**
 * The bound of one export: 100 000 rows (about 30 MB of CSV). A longer history is exported in
 * parts: the file ends with a note giving the `before=` of the next part.
 */
export const MAX_EXPORT_ROWS = 100_000

/** Where an export stopped for its bound: the next part starts `before` this id. */
export interface ExportCut {
  limit: number
  before: number
}

export interface ExportBatch {
  rows: HistoryRow[]
  /** Set on the last batch when the bound cut the export short. */
  cut: ExportCut | null
}

/**
 * The filtered history, newest first, one keyset page at a time: each batch is one short
 * query (`before=` the last id), so no statement stays open while the consumer is slow and
 * other requests use the connection in between.
 */
export async function * historyBatches (history: HistoryRepository, query: HistoryQuery, opts: ExportOptions = {}): AsyncGenerator<ExportBatch> {
  const batchSize = Math.min(Math.max(opts.batchSize ?? MAX_PAGE, 1), MAX_PAGE)
  const maxRows = opts.maxRows ?? MAX_EXPORT_ROWS
  let before = query.before
  let sent = 0
  while (sent < maxRows) {
    if (sent > 0) await nextTurn()
    const rows = history.list({ ...query, before, limit: Math.min(batchSize, maxRows - sent) })
    if (rows.length === 0) return
    sent += rows.length
    before = rows[rows.length - 1]!.id
    const more = sent >= maxRows && history.list({ ...query, before, limit: 1 }).length > 0
    yield { rows, cut: more ? { limit: maxRows, before } : null }
    if (rows.length < batchSize) return
  }
}

/** A note for people: why the file ends here and how to get the rest. */
export function cutMessage (cut: ExportCut): string {
  return `Export stopped at ${cut.limit} rows. The older rows are in the next export: add before=${cut.before} to its address.`
}

// ---- CSV (RFC 4180) ---------------------------------------------------------------------------

/** A cell a spreadsheet would read as a formula (or that hides one behind a tab or CR). */
const FORMULA_START = /^[=+\-@\t\r]/

/**
 * One CSV field: neutralised with a leading `'` if it begins like a formula (OWASP's CSV
 * injection advice; any cell, though our numbers never start so), then quoted when it holds a
 * quote, a comma or a line break, quotes doubled.
 */
export function csvCell (value: string | number | null): string {
  if (value === null) return ''
  let text = String(value)
  if (FORMULA_START.test(text)) text = "'" + text
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

export function csvRecord (cells: ReadonlyArray<string | number | null>): string {
  return cells.map(csvCell).join(',') + '\r\n'
}

/** The export as CSV text chunks: the header, then one chunk per batch, then a note if it was cut. */
export async function * csvChunks (batches: AsyncIterable<ExportBatch>): AsyncGenerator<string> {
  yield csvRecord(EXPORT_COLUMNS)
  for await (const { rows, cut } of batches) {
    yield rows.map((row) => csvRecord(EXPORT_COLUMNS.map((c) => row[c]))).join('')
    // A full-width record, so the file stays rectangular for the tools that read it.
    if (cut) yield csvRecord([`# ${cutMessage(cut)}`, ...EXPORT_COLUMNS.slice(1).map(() => null)])
  }
}

// ---- JSON -------------------------------------------------------------------------------------

function exportObject (row: HistoryRow): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const c of EXPORT_COLUMNS) out[c] = row[c]
  return out
}

/**
 * The export as one JSON array, in chunks. When the bound cut it, its last element is
 * `{"truncated": true, "limit": N, "before": ID, "message": …}`.
 */
export async function * jsonChunks (batches: AsyncIterable<ExportBatch>): AsyncGenerator<string> {
  yield '['
  let first = true
  for await (const { rows, cut } of batches) {
    const items = rows.map((row) => JSON.stringify(exportObject(row)))
    if (cut) items.push(JSON.stringify({ truncated: true, limit: cut.limit, before: cut.before, message: cutMessage(cut) }))
    if (items.length === 0) continue
    yield (first ? '\n' : ',\n') + items.join(',\n')
    first = false
  }
  yield first ? ']\n' : '\n]\n'
}

export type ExportFormat = 'csv' | 'json'

/**
 * A byte stream of the export, pulled as the client reads: a batch is read only when the
 * stream's buffer has room (backpressure), so memory holds about one batch whatever the size.
 */
export function exportStream (format: ExportFormat, history: HistoryRepository, query: HistoryQuery, opts: ExportOptions = {}): Readable {
  const batches = historyBatches(history, query, opts)
  return Readable.from(format === 'csv' ? csvChunks(batches) : jsonChunks(batches), { objectMode: false })
}
