import { OutputParseError } from '../errors.js'
import { isLogHeader, isTrue, parseJsonOutput, splitLines, toCount } from './common.js'
import { mapReportSections, parseReportText, singleReport, stripPrefix, toRecord, type Fields } from './report.js'

export type AppState = 'running' | 'stopped' | 'mixed' | 'undeployed'

export interface ProcessStatus {
  /** Process type, e.g. `web`. */
  type: string
  /** Container index, e.g. 1 for `web.1`. */
  index: number
  /** Docker state (`running`, `exited`, `restarting`, …) or `missing` when the container is gone. */
  status: string
  /** The (short) container id dokku prints: 11 characters since 0.22, 12 before. */
  cid: string | null
}

export interface PsReport {
  app: string
  deployed: boolean
  /** `running` is ps:report's `Running: true`; `mixed` when only some containers run. */
  state: AppState
  /** Containers with a CID file, all process types; null when dokku reports an error (-1). */
  processCount: number | null
  canScale: boolean
  restore: boolean
  /** The effective policy (`computed-restart-policy` ≥0.38.9, `restart-policy` before). */
  restartPolicy: string
  procfilePath: string
  /** One entry per container, sorted by type then index (web.2 before web.10). */
  processes: ProcessStatus[]
  raw: Record<string, string>
}

// `status-web.1` (JSON), `status-web-1` (Go label `Status web 1:`), `status-web.1` (bash `Status web.1:`).
// In the Go label both `-` and `.` became spaces; process types cannot hold a dot, so the last
// separator is the index.
const STATUS_KEY = /^status-(.+)[.-](\d+)$/
const STATUS_VALUE = /^(\S+)\s*\(CID: ([^)]*)\)$/

function processesOf (fields: Fields): ProcessStatus[] {
  const list: ProcessStatus[] = []
  for (const [key, value] of fields) {
    const k = key.match(STATUS_KEY)
    if (!k) continue
    const v = value.match(STATUS_VALUE)
    list.push({
      type: k[1] ?? '',
      index: Number(k[2]),
      status: v ? (v[1] ?? '') : value,
      cid: v && v[2] ? v[2] : null
    })
  }
  return list.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.index - b.index))
}

export function psReportFromFields (app: string, fields: Fields): PsReport {
  const deployed = isTrue(fields.get('deployed'))
  const running = fields.get('running')
  const state: AppState = !deployed ? 'undeployed' : running === 'true' ? 'running' : running === 'mixed' ? 'mixed' : 'stopped'
  const computedPolicy = fields.get('computed-restart-policy')
  const computedProcfile = fields.get('computed-procfile-path')
  return {
    app,
    deployed,
    state,
    processCount: toCount(fields.get('processes')),
    canScale: isTrue(fields.get('can-scale')),
    restore: isTrue(fields.get('restore')),
    restartPolicy: computedPolicy !== undefined && computedPolicy !== '' ? computedPolicy : fields.get('restart-policy') ?? '',
    procfilePath: computedProcfile !== undefined && computedProcfile !== '' ? computedProcfile : fields.get('procfile-path') ?? '',
    processes: processesOf(fields),
    raw: toRecord(fields)
  }
}

/** `ps:report <app>` as text (bash ≤0.21, Go ≥0.22) or `--format json` (≥0.23.1). */
export function parsePsReport (app: string, stdout: string, format: 'json' | 'text'): PsReport {
  return psReportFromFields(app, singleReport(stdout, format, 'ps'))
}

/** `ps:report` with no app: one text section per app (JSON would not name the apps). */
export function parsePsReportAll (stdout: string): PsReport[] {
  return parseReportText(stdout)
    .filter((s) => !s.global && s.name !== '')
    .map((s) => psReportFromFields(s.name, stripPrefix(s.fields, 'ps')))
}

/** parsePsReportAll a few apps at a time, the event loop free in between (a host of 300 apps). */
export function parsePsReportAllInTurns (stdout: string): Promise<PsReport[]> {
  return mapReportSections(stdout, (s) => (!s.global && s.name !== '' ? psReportFromFields(s.name, stripPrefix(s.fields, 'ps')) : undefined))
}

export interface ProcessScale {
  type: string
  quantity: number
}

const SCALE_ROW = /^([^:\s]+):\s+(\d+)\s*$/

/**
 * `ps:scale <app>`: `proctype: qty` table, with or without its header lines (`--quiet`);
 * rows are `web:  1` (type padded to 5) or `worker: 1`.
 */
export function parseScaleText (stdout: string): ProcessScale[] {
  const rows: ProcessScale[] = []
  for (const line of splitLines(stdout)) {
    if (isLogHeader(line)) continue
    const m = line.trim().match(SCALE_ROW)
    if (m) rows.push({ type: m[1] ?? '', quantity: Number(m[2]) })
  }
  return rows
}

/** `ps:scale --format json <app>` (≥0.38.21). */
export function parseScaleJson (stdout: string): ProcessScale[] {
  const data = parseJsonOutput(stdout, 'a process formation')
  if (!Array.isArray(data)) throw new OutputParseError('expected a JSON array of process types')
  return data.map((row: unknown) => {
    const r = row as { process_type?: unknown, quantity?: unknown }
    if (typeof r?.process_type !== 'string' || typeof r.quantity !== 'number') {
      throw new OutputParseError('expected {"process_type","quantity"} rows')
    }
    return { type: r.process_type, quantity: r.quantity }
  })
}
