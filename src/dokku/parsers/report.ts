import { OutputParseError } from '../errors.js'
import { parseJsonOutput, splitLines } from './common.js'

/**
 * Dokku `:report` output, in every layout it has had:
 * - text: `=====> <app> <type> information` headers, then rows of 7 spaces + `Label:` + padding
 *   + value (Go padding, old bash `%-30s %-25s` with trailing spaces, labels that overflow the
 *   pad, several apps one after the other);
 * - JSON: one object per line, legacy `<plugin>-` keys next to the stripped keys of ≥0.38.8.
 *
 * Both become the same `Fields`: keys in JSON style with the plugin prefix removed
 * (`Ps can scale:` → `can-scale`, `ps-can-scale` → `can-scale`).
 */

export type Fields = ReadonlyMap<string, string>

export interface ReportSection {
  /** The app name, `--global` (Go), or `global`/`Global` (old bash); '' when there was no header. */
  name: string
  /** e.g. `ps`, `ssl`, `postgres service`. */
  type: string
  global: boolean
  /** Keys as the label spells them, JSON style (`ps-can-scale`, `status-web-1`); not yet stripped. */
  fields: Fields
}

const HEADER = /^=====> (\S+) (.+?) information\s*$/
/** Characters `.` does not match: a row holding one inside its value was never a row. */
const LINE_BREAKS = /[\r\u2028\u2029]/
const WHITESPACE = /\s/

/** A label back to its flag: first letter lowercased, spaces to `-` (`Status web 1` → `status-web-1`). */
export function labelToKey (label: string): string {
  const trimmed = label.trim()
  return (trimmed.charAt(0).toLowerCase() + trimmed.slice(1)).replace(/\s+/g, '-')
}

/**
 * Labels repeat for every app of a report (300 apps: 300 × the same 20 labels): each is turned
 * into its key once. Bound: at most LABEL_KEYS_KEPT labels, then the map starts again.
 */
const LABEL_KEYS_KEPT = 2048
const labelKeys = new Map<string, string>()
function keyOf (label: string): string {
  let key = labelKeys.get(label)
  if (key === undefined) {
    if (labelKeys.size >= LABEL_KEYS_KEPT) labelKeys.clear()
    key = labelToKey(label)
    labelKeys.set(label, key)
  }
  return key
}

/**
 * One row: 7 whitespace characters, a label up to the first colon, the value trimmed; null
 * when the line is not a row. The same rule as /^\s{7}([^:]+):\s*(.*?)\s*$/, without the
 * regex's backtracking over the padding: a 300-app ps:report took 20 ms that way, a stall of
 * the event loop on every dashboard refresh.
 */
function parseRow (line: string): [string, string] | null {
  if (line.length < 9) return null
  for (let i = 0; i < 7; i++) {
    const c = line.charCodeAt(i)
    // Spaces and tabs are all dokku pads with; anything else goes through the full test.
    if (c !== 32 && c !== 9 && !WHITESPACE.test(line[i]!)) return null
  }
  const colon = line.indexOf(':', 7)
  if (colon <= 7) return null
  const value = line.slice(colon + 1).trim()
  if (LINE_BREAKS.test(value)) return null
  return [line.slice(7, colon), value]
}

export function parseReportText (text: string): ReportSection[] {
  const sections: ReportSection[] = []
  let current: { name: string, type: string, fields: Map<string, string> } | null = null
  const close = () => {
    if (current) {
      const global = current.name === '--global' || /^global$/i.test(current.name)
      sections.push({ name: current.name, type: current.type, global, fields: current.fields })
    }
  }
  // Lines as splitLines cuts them (at \n or \r\n), without an array of them.
  for (let start = 0; start < text.length;) {
    const nl = text.indexOf('\n', start)
    const end = nl === -1 ? text.length : nl
    const line = text.slice(start, nl !== -1 && end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end)
    start = nl === -1 ? text.length : nl + 1
    if (line.startsWith('=====> ')) {
      const header = HEADER.exec(line)
      if (header) {
        close()
        current = { name: header[1] ?? '', type: header[2] ?? '', fields: new Map() }
        continue
      }
    }
    const row = parseRow(line)
    if (!row) continue
    current ??= { name: '', type: '', fields: new Map() }
    current.fields.set(keyOf(row[0]), row[1])
  }
  close()
  return sections
}

/**
 * Bound on one synchronous stretch of a report over every app: sections are parsed until this
 * much time has gone, then the event loop gets a turn. 300 apps parsed at once held it for
 * 20 ms (60 ms with the parser still cold, on the first dashboard of the process).
 */
export const PARSE_TURN_MS = 2

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Where the header line after `from` starts (a line that HEADER matches), or -1. */
function nextHeader (text: string, from: number): number {
  for (let at = text.indexOf('\n=====> ', from); at !== -1; at = text.indexOf('\n=====> ', at + 1)) {
    const end = text.indexOf('\n', at + 1)
    const line = text.slice(at + 1, end === -1 ? text.length : end).replace(/\r$/, '')
    if (HEADER.test(line)) return at + 1
  }
  return -1
}

/**
 * parseReportText for big reports (every app's ps:report or domains:report), each section
 * turned into `map`'s value (undefined skips it), with a turn of the event loop whenever
 * `turnMs` has gone: the same sections, never one long stall. Cut only at header lines, so
 * every section is whole.
 */
export async function mapReportSections<T> (text: string, map: (section: ReportSection) => T | undefined, turnMs = PARSE_TURN_MS): Promise<T[]> {
  const out: T[] = []
  let turnStarted = performance.now()
  for (let start = 0; start < text.length;) {
    const end = nextHeader(text, start)
    for (const section of parseReportText(end === -1 ? text.slice(start) : text.slice(start, end))) {
      const value = map(section)
      if (value !== undefined) out.push(value)
    }
    if (end === -1) break
    start = end
    if (performance.now() - turnStarted >= turnMs) {
      await nextTurn()
      turnStarted = performance.now()
    }
  }
  return out
}

/** `--format json` output: one object, or one object per line (reports over all apps). */
export function parseReportJson (text: string): Array<Map<string, string>> {
  const lines = splitLines(text).filter((l) => l.trim() !== '')
  return lines.map((line) => {
    const data = parseJsonOutput(line, 'a report object')
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new OutputParseError(`expected a report object, got: ${line.slice(0, 120)}`)
    }
    return new Map(Object.entries(data).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]))
  })
}

/**
 * Removes the `<prefix>-` from keys. When both the legacy and the stripped key exist
 * (0.38.8+ JSON), the stripped one wins.
 */
export function stripPrefix (fields: Fields, prefix: string): Map<string, string> {
  const out = new Map<string, string>()
  const p = `${prefix}-`
  for (const [key, value] of fields) if (key.startsWith(p)) out.set(key.slice(p.length), value)
  for (const [key, value] of fields) if (!key.startsWith(p)) out.set(key, value)
  return out
}

/** The fields of a single-app report, whichever format it came in. */
export function singleReport (stdout: string, format: 'json' | 'text', prefix: string): Map<string, string> {
  if (format === 'json') {
    const [first] = parseReportJson(stdout)
    if (!first) throw new OutputParseError('expected a report, got no output')
    return stripPrefix(first, prefix)
  }
  const sections = parseReportText(stdout)
  const section = sections.find((s) => !s.global) ?? sections[0]
  if (!section) throw new OutputParseError('expected a report, got no rows')
  return stripPrefix(section.fields, prefix)
}

export function toRecord (fields: Fields): Record<string, string> {
  return Object.fromEntries(fields)
}
