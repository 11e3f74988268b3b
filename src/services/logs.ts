import { DokkuError, InvalidArgumentError } from '../dokku/errors.js'
import type { LogLine } from '../dokku/parsers/logs.js'
import { validateLogLines, validateProcessType } from '../dokku/validate.js'
import type { Host } from '../hosts/host.js'
import { appName, displayState, psReport, type DisplayState } from './apps.js'
import { colouredLine, inTimeOrder, laterThan, newestTimestamp, validateSince, type ColouredLine } from './log-lines.js'

/**
 * An app's logs on one host: the recent lines the page shows, and the live tail its websocket
 * streams. Input rules, the tail's dokku process and the limit on tails are defined here; the
 * socket itself (close codes, back-pressure, pings) is the route's.
 */

const DEFAULT_LINES = 100
/** Lines per container the tail asks for again, to fill the gap since the page (or a lost connection). */
const TAIL_BACKFILL = 100

/**
 * Live log tails in this process. Each tail is a dokku process (and its docker children, or an
 * ssh session) for as long as a tab stays open, so their number is capped: a forgotten pile of
 * tabs, or a script, cannot fill the machine with them. Shared by every host and every app
 * instance in the process, as the processes are.
 */
export const tailSlots = {
  /** At most this many tails at once. */
  limit: 20,
  active: 0,

  acquire (): boolean {
    if (this.active >= this.limit) return false
    this.active++
    return true
  },

  release (): void {
    if (this.active > 0) this.active--
  }
}

export interface LogsQuery {
  lines?: string
  process?: string
}

export interface LogsPage {
  /** The tab's badge; null when ps:report could not be read. */
  appState: DisplayState | null
  /** The filter as typed. */
  form: { lines: string; process: string }
  /** Per field; when any, nothing ran and there is no live stream. */
  errors: Record<string, string>
  /** The filter's suggestions. */
  processTypes: string[]
  lines: ColouredLine[]
  /** Why there are no logs (dokku's own message: not deployed). */
  notice: { message: string; historyId: number | null } | null
  /** Whether the page opens a live tail. */
  live: boolean
  /** Where the live tail starts: after the newest line shown. */
  stream: { process: string; since: string | null; lines: number }
}

/**
 * The last lines of each container, in time order (read fresh every time: a cached log is a
 * stale one). A refused filter runs nothing. The process list only feeds the tab's badge and
 * the filter's suggestions: its failure is not the page's.
 */
export async function page (host: Host, app: string, query: LogsQuery): Promise<LogsPage> {
  const form = { lines: query.lines ?? String(DEFAULT_LINES), process: query.process?.trim() ?? '' }
  const errors: Record<string, string> = {}
  let lines = DEFAULT_LINES
  let proc: string | undefined
  try {
    lines = validateLogLines(form.lines, 'lines')
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err
    errors.lines = err.message
  }
  try {
    proc = form.process === '' ? undefined : validateProcessType(form.process, 'process')
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err
    errors.process = err.message
  }

  const valid = Object.keys(errors).length === 0
  const ps = valid ? psReport(host, app).catch(() => null) : Promise.resolve(null)
  let logLines: LogLine[] = []
  let notice: LogsPage['notice'] = null
  if (valid) {
    try {
      logLines = inTimeOrder(await host.dokku.logs(app, { lines, process: proc }))
    } catch (err) {
      if (!(err instanceof DokkuError && err.kind === 'not-deployed')) throw err
      notice = { message: err.message, historyId: err.historyId }
    }
  }
  const report = await ps
  const since = newestTimestamp(logLines)
  return {
    appState: report ? displayState(report) : null,
    form,
    errors,
    processTypes: [...new Set((report?.processes ?? []).map((p) => p.type))],
    lines: logLines.map(colouredLine),
    notice,
    live: valid && notice === null,
    stream: { process: proc ?? '', since, lines: since === null ? lines : TAIL_BACKFILL }
  }
}

/** What a log socket sends. */
export type LogMessage =
  | ({ type: 'line' } & ColouredLine)
  | { type: 'notice'; message: string }
  | { type: 'end'; reason: 'stopped' | 'ended' | 'timeout'; message: string }
  | { type: 'error'; message: string; historyId: number | null }

export type LineMessage = Extract<LogMessage, { type: 'line' }>
export type EndMessage = Extract<LogMessage, { type: 'end' }>

const END_MESSAGES = {
  ended: 'dokku stopped sending logs: no running container matches.',
  timeout: 'The log stream reached its time limit.',
  stopped: 'The log stream was stopped.'
} as const

/** Every tail slot is taken. */
export class TooManyTails extends Error {
  readonly statusCode = 429
  constructor (limit: number) {
    super(`Too many live log streams are open (${limit}). Close a log tab and reconnect.`)
    this.name = 'TooManyTails'
  }
}

/** The websocket's query: all optional, all checked here. */
export interface TailQuery {
  lines?: string
  process?: string
  /** The newest line the page shows: older lines of the backfill are not sent again. */
  since?: string
}

export interface LiveTail {
  stop (): void
  /** How the tail ended; rejects with dokku's refusal (app missing, not deployed). */
  done: Promise<EndMessage>
}

/**
 * Follows an app's logs (`dokku logs --tail`), each new line to `onLine`, until `stop()` or
 * dokku ends. Refused at once, before anything runs: bad input (InvalidArgumentError) or no
 * free slot (TooManyTails). The slot is held until the tail has ended.
 */
export function tail (host: Host, rawApp: unknown, query: TailQuery, onLine: (line: LineMessage) => void): LiveTail {
  const app = appName(rawApp)
  const lines = validateLogLines(query.lines ?? String(TAIL_BACKFILL), 'lines')
  const proc = query.process === undefined || query.process === '' ? undefined : validateProcessType(query.process, 'process')
  const since = query.since === undefined || query.since === '' ? null : validateSince(query.since)
  if (!tailSlots.acquire()) throw new TooManyTails(tailSlots.limit)

  const shown = (line: LogLine) => {
    if (since !== null && line.timestamp !== null && !laterThan(line.timestamp, since)) return
    onLine({ type: 'line', ...colouredLine(line) })
  }
  let running
  try {
    running = host.dokku.tailLogs(app, { lines, process: proc, onLine: shown })
  } catch (err) {
    tailSlots.release()
    throw err
  }
  const done = running.done
    .then((end): EndMessage => ({ type: 'end', reason: end.reason, message: END_MESSAGES[end.reason] }))
    .finally(() => tailSlots.release())
  return { stop: running.stop, done }
}
