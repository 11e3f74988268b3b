import { splitLines, stripAnsi } from './common.js'

export interface LogLine {
  /** Docker's RFC3339Nano timestamp as printed (9-digit fraction, UTC); null for raw (`-q`) lines. */
  timestamp: string | null
  /** The timestamp to the millisecond. */
  time: Date | null
  /** `web.1`. */
  process: string | null
  processType: string | null
  index: number | null
  /** The container's own text, without colour codes. */
  message: string
}

// After removing colours: `2024-01-01T00:00:00.123456789Z app[web.1]: GET / 200`
const LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) app\[([^\]]+)\]: ?(.*)$/

export function parseLogLine (line: string): LogLine {
  const plain = stripAnsi(line).replace(/\r$/, '')
  const m = plain.match(LINE)
  if (!m) return { timestamp: null, time: null, process: null, processType: null, index: null, message: plain }
  const timestamp = m[1] ?? ''
  const process = m[2] ?? ''
  const p = process.match(/^(.+)\.(\d+)$/)
  const time = new Date(timestamp.replace(/(\.\d{3})\d*Z$/, '$1Z'))
  return {
    timestamp,
    time: Number.isNaN(time.getTime()) ? null : time,
    process,
    processType: p ? (p[1] ?? null) : process,
    index: p ? Number(p[2]) : null,
    message: m[3] ?? ''
  }
}

/** `dokku logs <app>` output, line by line (not re-sorted: dokku interleaves containers). */
export function parseLogs (stdout: string): LogLine[] {
  return splitLines(stdout).map(parseLogLine)
}

/** Cuts streamed chunks into whole lines; the unfinished end waits for the next chunk. */
/** Bound: a line longer than this is passed on in pieces (an app logging megabytes without a newline). */
export const MAX_LINE_CHARS = 64 * 1024

export class LineSplitter {
  private rest = ''

  push (chunk: string): string[] {
    const text = this.rest + chunk
    const lines = text.split('\n')
    this.rest = lines.pop() ?? ''
    while (this.rest.length > MAX_LINE_CHARS) {
      lines.push(this.rest.slice(0, MAX_LINE_CHARS))
      this.rest = this.rest.slice(MAX_LINE_CHARS)
    }
    return lines
  }

  /** The last line, when the stream ended without a newline. */
  flush (): string[] {
    const rest = this.rest
    this.rest = ''
    return rest === '' ? [] : [rest]
  }
}
