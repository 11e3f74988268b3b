import { InvalidArgumentError } from '../dokku/errors.js'
import type { LogLine } from '../dokku/parsers/logs.js'

/** A log line as the page shows it: dokku's line with its colour codes removed, in parts. */
export interface ShownLine {
  /** The whole line, as dokku printed it minus the colours. */
  text: string
  timestamp: string | null
  /** `app[web.1]:`, or null for a line without dokku's prefix. */
  process: string | null
  message: string
}

export function formatLogLine (line: LogLine): ShownLine {
  if (line.timestamp === null || line.process === null) {
    return { text: line.message, timestamp: null, process: null, message: line.message }
  }
  const process = `app[${line.process}]:`
  return { text: `${line.timestamp} ${process} ${line.message}`, timestamp: line.timestamp, process, message: line.message }
}

/** One of five colours per process name (web.1 and web.2 differ), the same in logs.js. */
export function processColour (process: string | null): number {
  if (process === null) return 0
  let sum = 0
  for (let i = 0; i < process.length; i++) sum = (sum + process.charCodeAt(i)) % 9973
  return sum % 5
}

/** A line as the page and the live tail show it: its parts and its process's colour. */
export type ColouredLine = ShownLine & { colour: number }

export function colouredLine (line: LogLine): ColouredLine {
  return { ...formatLogLine(line), colour: processColour(line.process) }
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/

/** Docker's RFC3339Nano with the fraction padded to nine digits, so timestamps sort as strings. */
export function normalizeTimestamp (ts: string): string | null {
  const m = ts.match(TIMESTAMP)
  if (!m) return null
  return `${m[1] ?? ''}.${(m[2] ?? '').padEnd(9, '0')}Z`
}

/** The `since` of a log stream: the newest line the page already shows. */
export function validateSince (value: unknown, field = 'since'): string {
  const ts = typeof value === 'string' && value.length <= 40 ? normalizeTimestamp(value) : null
  if (ts === null) throw new InvalidArgumentError(field, 'since must be a log timestamp like 2024-01-01T00:00:00.000000000Z')
  return ts
}

/** Whether a line's timestamp is after `since` (already normalised); unreadable timestamps pass. */
export function laterThan (timestamp: string, since: string): boolean {
  const ts = normalizeTimestamp(timestamp)
  return ts === null || ts > since
}

/**
 * dokku prints each container's lines as a block (and, without -t, the blocks interleave at
 * random): shown in time order, like one log. Lines without a timestamp (`-q`, a log driver's
 * error) leave the order as dokku gave it.
 */
export function inTimeOrder (lines: LogLine[]): LogLine[] {
  const keyed = lines.map((line) => ({ line, ts: line.timestamp === null ? null : normalizeTimestamp(line.timestamp) }))
  if (keyed.some((k) => k.ts === null)) return lines
  return keyed.sort((a, b) => (a.ts! < b.ts! ? -1 : a.ts! > b.ts! ? 1 : 0)).map((k) => k.line)
}

/** The newest readable timestamp among the lines (normalised), or null. */
export function newestTimestamp (lines: LogLine[]): string | null {
  let newest: string | null = null
  for (const line of lines) {
    const ts = line.timestamp === null ? null : normalizeTimestamp(line.timestamp)
    if (ts !== null && (newest === null || ts > newest)) newest = ts
  }
  return newest
}
