/**
 * Text helpers that reproduce the byte-level output of dokku's Go and bash code:
 * printf padding, Go's encoding/json escaping, ryanuber/columnize, dates and durations.
 */

/** printf `%-Ns`: pads on the right to `width`, never truncates. */
export function rightPad (s: string, width: number): string {
  return s.length >= width ? s : s + ' '.repeat(width - s.length)
}

/** Bytewise (UTF-8) comparison, like Go's sort.Strings and `LC_ALL=C sort`. */
export function compareBytes (a: string, b: string): number {
  if (a === b) return 0
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

export function sortBytes (items: Iterable<string>): string[] {
  return [...items].sort(compareBytes)
}

const HEX = '0123456789abcdef'

/** A string as Go's json.Marshal writes it (HTML-safe escaping, `\b`/`\f` as in Go ≥ 1.22). */
export function goJsonString (s: string): string {
  let out = '"'
  for (const ch of s) {
    const c = ch.codePointAt(0)!
    switch (ch) {
      case '"': out += '\\"'; continue
      case '\\': out += '\\\\'; continue
      case '\n': out += '\\n'; continue
      case '\r': out += '\\r'; continue
      case '\t': out += '\\t'; continue
      case '\b': out += '\\b'; continue
      case '\f': out += '\\f'; continue
      case '<': out += '\\u003c'; continue
      case '>': out += '\\u003e'; continue
      case '&': out += '\\u0026'; continue
      case '\u2028': out += '\\u2028'; continue
      case '\u2029': out += '\\u2029'; continue
    }
    if (c < 0x20) out += '\\u00' + HEX[c >> 4]! + HEX[c & 0xf]!
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd' // a lone surrogate is invalid UTF-8 for Go
    else out += ch
  }
  return out + '"'
}

/** A `map[string]string` as Go marshals it: keys sorted bytewise, compact. */
export function goJsonStringMap (map: Record<string, string>): string {
  const keys = sortBytes(Object.keys(map))
  return '{' + keys.map((k) => `${goJsonString(k)}:${goJsonString(map[k]!)}`).join(',') + '}'
}

/** A struct as Go marshals it: fields in declaration order, compact. */
export function goJsonStruct (fields: Array<[string, string | number | boolean]>): string {
  return '{' + fields.map(([k, v]) => `${goJsonString(k)}:${typeof v === 'string' ? goJsonString(v) : String(v)}`).join(',') + '}'
}

/**
 * ryanuber/columnize `Format` with a `\x00` delimiter: every cell is trimmed, every column but the
 * last of a row is padded to the widest cell of that column, columns are glued with two spaces.
 * Returns the lines without a trailing newline (like columnize).
 */
export function columnize (rows: string[][], prefix = ''): string {
  const cells = rows.map((r) => r.map((c) => c.trim()))
  const widths: number[] = []
  for (const r of cells) {
    r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, [...c].length) })
  }
  return cells.map((r) => prefix + r.map((c, i) => i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - [...c].length) + '  ').join('')).join('\n')
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const p2 = (n: number) => String(n).padStart(2, '0')

/** openssl `-text` date: `Mar 31 12:00:00 2026 GMT`, single-digit days space-padded (`Jan  1`). */
export function opensslDate (epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000)
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`
}

/** `date -d @ts +"%F %T"` on a server whose local time zone is UTC. */
export function isoDateTime (epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000)
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`
}

/** Docker's RFC3339Nano log timestamp with a fixed 9-digit fraction. */
export function dockerTimestamp (epochMs: number, subMsNanos: number): string {
  const d = new Date(Math.floor(epochMs))
  const ms = String(d.getUTCMilliseconds()).padStart(3, '0')
  const ns = String(Math.max(0, Math.min(999999, Math.floor(subMsNanos)))).padStart(6, '0')
  return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${ms}${ns}Z`
}

/** dokku-letsencrypt `fn-letsencrypt-format-timediff`: `Nd, Nh, Nm, Ns`, zero units left out, ` ago` when negative. */
export function letsencryptTimediff (seconds: number): string {
  const negative = seconds < 0
  const td = Math.trunc(Math.abs(seconds))
  const parts: string[] = []
  const days = Math.floor(td / 86400)
  const hours = Math.floor(td / 3600) % 24
  const minutes = Math.floor(td / 60) % 60
  const secs = td % 60
  if (days > 0) parts.push(`${days}d`)
  if (hours > 0) parts.push(`${hours}h`)
  if (minutes > 0) parts.push(`${minutes}m`)
  if (secs > 0) parts.push(`${secs}s`)
  let out = parts.join(', ')
  if (negative) out += ' ago'
  return out
}

/** Shell single-quote escaping used by `config:export` (`'` → `'\''`). */
export function singleQuoteEscape (value: string): string {
  return value.replace(/'/g, "'\\''")
}

/** Go's `%q` for a string (close enough: JSON escaping without the HTML rules). */
export function goQuote (s: string): string {
  return JSON.stringify(s)
}
