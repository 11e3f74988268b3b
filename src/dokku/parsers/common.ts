import { OutputParseError } from '../errors.js'

/** Lines of an output, without the line ends (`\r\n` too: an ssh -t session sends those). */
export function splitLines (text: string): string[] {
  const lines = text.split(/\r?\n/)
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  return lines
}

// Terminal escapes: colours (SGR, what `dokku logs` emits) and any other CSI or two-byte
// sequence that builder output passed through during a deploy may carry.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]/g

export function stripAnsi (text: string): string {
  return text.replace(ANSI, '')
}

/** `=====> …` (info2) and `-----> …` (info1) lines: dokku's headers and progress lines. */
export function isLogHeader (line: string): boolean {
  return /^(?:=====|-----)> /.test(line)
}

/** Parses JSON output; anything else is an OutputParseError naming what we expected. */
export function parseJsonOutput (text: string, what: string): unknown {
  const trimmed = text.trim()
  try {
    return JSON.parse(trimmed)
  } catch {
    throw new OutputParseError(`expected ${what} as JSON, got: ${trimmed.slice(0, 120)}`)
  }
}

/** Dokku's boolean strings. */
export function isTrue (value: string | undefined): boolean {
  return value === 'true'
}

/** A non-negative integer string, or null (empty, "-1" errors, anything else). */
export function toCount (value: string | undefined): number | null {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null
}

/** A UNIX timestamp string (seconds), or null. */
export function fromUnixSeconds (value: string | undefined): Date | null {
  return value !== undefined && /^\d+$/.test(value) ? new Date(Number(value) * 1000) : null
}

/** Space-separated words (vhosts, hostnames, links); empty and `-` give []. */
export function words (value: string | undefined): string[] {
  if (value === undefined) return []
  const list = value.trim().split(/\s+/).filter((w) => w !== '')
  return list.length === 1 && list[0] === '-' ? [] : list
}
