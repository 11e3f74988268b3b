import { MAX_VALUE_BYTES } from '../dokku/commands/config.js'
import { InvalidArgumentError } from '../dokku/errors.js'
import { validateEnvKey } from '../dokku/validate.js'

/**
 * The `.env` block a user pastes to set several variables with one `config:set` (one restart).
 *
 * Understood, per line: `KEY=value` and `export KEY=value`; blank lines and `#` comments; an
 * unquoted value is trimmed and ends at a ` #` comment; `'single'` quotes are literal (with the
 * shell's `'\''` for a quote, so `dokku config:export` output pastes back as it was);
 * `"double"` quotes understand `\n \r \t \" \\ \$ \` \!` (what `config:export --format envfile`
 * writes) and keep any other backslash as typed. A quoted value may span lines. Nothing is
 * expanded: `$VAR` and `$(…)` stay as typed. A key given twice keeps its last value, as dokku's
 * own envfile reader does.
 *
 * Messages name line numbers, never the line's text: a line that failed to parse may be a value.
 */

export interface EnvBlockError {
  line: number
  message: string
}

export type EnvBlockResult =
  | { ok: true; vars: Record<string, string> }
  | { ok: false; errors: EnvBlockError[] }

const DOUBLE_QUOTED_ESCAPES: Record<string, string> = {
  n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$', '`': '`', '!': '!'
}

function unescapeDoubleQuoted (text: string): string {
  return text.replace(/\\([\s\S])/g, (match, c: string) => DOUBLE_QUOTED_ESCAPES[c] ?? match)
}

/** Index of the quote that closes a value opened by `quote` (content starts at 0), or -1. */
function closingQuote (text: string, quote: '"' | "'"): number {
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quote === '"' && c === '\\') { i++; continue }
    if (c !== quote) continue
    if (quote === "'" && text.startsWith(`'\\''`, i)) { i += 3; continue }
    return i
  }
  return -1
}

export function parseEnvBlock (text: string): EnvBlockResult {
  const lines = text.split(/\r?\n/)
  const vars = new Map<string, string>()
  const errors: EnvBlockError[] = []

  for (let i = 0; i < lines.length;) {
    const lineNo = i + 1
    const line = (lines[i++] ?? '').trimStart()
    if (line.trimEnd() === '' || line.startsWith('#')) continue

    const rest = line.replace(/^export\s+/, '')
    const eq = rest.indexOf('=')
    if (eq === -1) {
      errors.push({ line: lineNo, message: 'expected KEY=value' })
      continue
    }
    let key: string
    try {
      key = validateEnvKey(rest.slice(0, eq).trim())
    } catch (error) {
      if (!(error instanceof InvalidArgumentError)) throw error
      errors.push({ line: lineNo, message: error.message })
      continue
    }

    let raw = rest.slice(eq + 1).trimStart()
    let value: string
    const quote = raw[0]
    if (quote === '"' || quote === "'") {
      raw = raw.slice(1)
      let close = closingQuote(raw, quote)
      while (close === -1 && i < lines.length) {
        raw += '\n' + (lines[i++] ?? '')
        close = closingQuote(raw, quote)
      }
      if (close === -1) {
        errors.push({ line: lineNo, message: `the closing ${quote} of ${key} is missing` })
        continue
      }
      const after = raw.slice(close + 1).trim()
      if (after !== '' && !after.startsWith('#')) {
        errors.push({ line: lineNo, message: `unexpected text after the closing ${quote} of ${key}` })
        continue
      }
      const content = raw.slice(0, close)
      value = quote === '"' ? unescapeDoubleQuoted(content) : content.replaceAll(`'\\''`, "'")
    } else {
      const comment = raw.search(/\s#/)
      value = (comment === -1 ? raw : raw.slice(0, comment)).trimEnd()
    }

    if (Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) {
      errors.push({ line: lineNo, message: `the value of ${key} is too large (at most ${MAX_VALUE_BYTES / 1024} KiB)` })
      continue
    }
    vars.set(key, value)
  }

  if (errors.length > 0) return { ok: false, errors }
  return { ok: true, vars: Object.fromEntries(vars) }
}
