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
const ROW = /^\s{7}([^:]+):\s*(.*?)\s*$/

/** A label back to its flag: first letter lowercased, spaces to `-` (`Status web 1` → `status-web-1`). */
export function labelToKey (label: string): string {
  const trimmed = label.trim()
  return (trimmed.charAt(0).toLowerCase() + trimmed.slice(1)).replace(/\s+/g, '-')
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
  for (const line of splitLines(text)) {
    const header = line.match(HEADER)
    if (header) {
      close()
      current = { name: header[1] ?? '', type: header[2] ?? '', fields: new Map() }
      continue
    }
    const row = line.match(ROW)
    if (!row) continue
    current ??= { name: '', type: '', fields: new Map() }
    current.fields.set(labelToKey(row[1] ?? ''), row[2] ?? '')
  }
  close()
  return sections
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
