/**
 * Redaction for what history stores (and what errors and live job output show): config values
 * and DSN passwords never leave the command layer. Every function here is pure, total (any
 * text in, text out), and leaves dokku's ` !     ` message lines readable.
 */

export const REDACTED = '<redacted>'

export type Redactor = (text: string) => string

const MESSAGE_OR_HEADER = /^(?: !|=====> |-----> )/

/** Applies redactors left to right. */
export function composeRedactors (...fns: Array<Redactor | undefined>): Redactor {
  const list = fns.filter((f): f is Redactor => f !== undefined)
  return (text) => list.reduce((acc, f) => f(acc), text)
}

/** Replaces the password of every DSN in `text` (any scheme, an empty user too) with `mask`. */
export function maskDsnPasswords (text: string, mask: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+@/gi, `$1${mask}@`)
}

/** `postgres://user:secret@host/db` → `postgres://user:<redacted>@host/db`. */
export function redactDsnPasswords (text: string): string {
  return maskDsnPasswords(text, REDACTED)
}

/** Keeps dokku's messages, headers and blank lines; every other line becomes `<redacted>`. */
export function redactAllButMessages (text: string): string {
  return text.split('\n').map((line) =>
    line.trim() === '' || MESSAGE_OR_HEADER.test(line) ? line : REDACTED).join('\n')
}

/**
 * `config:export --format json|json-list`: keys stay, values go. Anything that is not the JSON
 * we expect (an error, another format) is redacted line by line.
 */
export function redactConfigExport (text: string): string {
  const trimmed = text.trim()
  if (trimmed === '' || trimmed === 'null') return text
  try {
    const data: unknown = JSON.parse(trimmed)
    if (Array.isArray(data)) {
      return JSON.stringify(data.map((e: unknown) => ({ name: (e as { name?: unknown })?.name, value: REDACTED }))) + '\n'
    }
    if (data !== null && typeof data === 'object') {
      return JSON.stringify(Object.fromEntries(Object.keys(data).map((k) => [k, REDACTED]))) + '\n'
    }
  } catch { /* not JSON: fall through */ }
  return redactAllButMessages(text)
}

const ENV_ROW = /^(\s*[A-Za-z_][A-Za-z0-9_]*:\s+)\S.*$/

/** `config:show` / `config:export --format pretty`: `KEY:  value` rows keep the key only. */
export function redactConfigShow (text: string): string {
  return text.split('\n').map((line) => {
    if (line.trim() === '' || MESSAGE_OR_HEADER.test(line)) return line
    const m = line.match(ENV_ROW)
    return m ? `${m[1]}${REDACTED}` : REDACTED
  }).join('\n')
}

/**
 * `config:set` / `config:import` output: the `-----> Setting config vars` table (and a value's
 * extra lines, which have no key) and `Setting config var K=V` lines.
 */
export function redactConfigSetOutput (text: string): string {
  let inTable = false
  return text.split('\n').map((line) => {
    if (/^-----> Setting config vars\s*$/.test(line)) { inTable = true; return line }
    const single = line.match(/^(-----> Setting config var [A-Za-z_][A-Za-z0-9_]*=).*$/)
    if (single) return `${single[1]}${REDACTED}`
    if (!inTable) return line
    if (MESSAGE_OR_HEADER.test(line)) { inTable = false; return line }
    if (line.trim() === '') return line
    const m = line.match(ENV_ROW)
    return m ? `${m[1]}${REDACTED}` : `       ${REDACTED}`
  }).join('\n')
}

/** Values shorter than this are not searched for (they would blank out ordinary words). */
export const MIN_VALUE_LENGTH = 6

/** Replaces every occurrence of the given secret values (and of each line of a multi-line one). */
export function redactValues (values: Iterable<string>): Redactor {
  const needles = new Set<string>()
  for (const value of values) {
    for (const piece of [value, ...value.split(/\r?\n/)]) {
      const p = piece.trim()
      if (p.length >= MIN_VALUE_LENGTH) needles.add(p)
    }
  }
  const sorted = [...needles].sort((a, b) => b.length - a.length)
  return (text) => sorted.reduce((acc, needle) => acc.split(needle).join(REDACTED), text)
}

/** letsencrypt:report: `dns-provider-<ENV>` values are DNS API credentials. */
export function redactLetsencryptReport (text: string): string {
  return text
    .replace(/^(\s*Letsencrypt (?:computed |global )?dns provider [^:\s]+:\s*)\S.*$/gm, `$1${REDACTED}`)
    .replace(/("(?:computed-|global-)?dns-provider-[^"]+":)"(?:[^"\\]|\\.)*"/g, `$1"${REDACTED}"`)
}

/**
 * Wraps a live-output callback so each complete line is redacted before it is passed on.
 * A partial line waits for its end (or for `flush()`, when the process is done).
 */
/** Bound: a partial line waits for its newline up to this length, then is redacted and passed on. */
export const MAX_PENDING_LINE = 64 * 1024

export function redactingOutput (
  onOutput: (stream: 'stdout' | 'stderr', text: string) => void,
  redact: Redactor
): { onOutput: (stream: 'stdout' | 'stderr', text: string) => void, flush: () => void } {
  const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' }
  return {
    onOutput (stream, text) {
      const buffered = pending[stream] + text
      const cut = buffered.lastIndexOf('\n')
      if (cut === -1) {
        if (buffered.length <= MAX_PENDING_LINE) { pending[stream] = buffered; return }
        pending[stream] = ''
        onOutput(stream, redact(buffered))
        return
      }
      pending[stream] = buffered.slice(cut + 1)
      onOutput(stream, redact(buffered.slice(0, cut + 1)))
    },
    flush () {
      for (const stream of ['stdout', 'stderr'] as const) {
        if (pending[stream] !== '') onOutput(stream, redact(pending[stream]))
        pending[stream] = ''
      }
    }
  }
}

/** For outputs not worth keeping (log reads): only dokku's ` !` messages stay. */
export function keepMessagesOnly (text: string): string {
  return text.split('\n').filter((line) => line.startsWith(' !')).join('\n')
}
