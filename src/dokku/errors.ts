import { redactDsnPasswords } from './redact.js'

/**
 * The two ways a dokku call can go wrong before a page sees it: the input was refused before
 * anything ran (`InvalidArgumentError`), or dokku ran and did not succeed (`DokkuError`).
 */

/** A user value refused by a validator; nothing was run. `field` names the form field. */
export class InvalidArgumentError extends Error {
  constructor (readonly field: string, message: string) {
    super(message)
    this.name = 'InvalidArgumentError'
  }
}

/** Dokku printed something our parsers do not understand (a format we do not know). */
export class OutputParseError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'OutputParseError'
  }
}

export type DokkuErrorKind =
  /** exit 20 (≥0.24), or exit 1 with "App X does not exist" before that */
  | 'app-missing'
  /** "<Service> service X does not exist" (datastore plugins) */
  | 'service-missing'
  /** "`x:y` is not a dokku command": the plugin or command is not installed */
  | 'not-installed'
  /** "App X has not been deployed" with a failing exit (dokku logs) */
  | 'not-deployed'
  /** "Name is already taken", "service X already exists", "Already linked as …" */
  | 'conflict'
  /** "X currently has a deploy lock in place" */
  | 'locked'
  /** "This command must be run as root", "Access denied", sudo refused */
  | 'forbidden'
  /** any other non-zero exit */
  | 'failed'
  | 'timeout'
  | 'cancelled'
  /** the binary is missing or not executable, or ssh itself failed (exit 255) */
  | 'unavailable'
  /** dokku succeeded but printed something we cannot read */
  | 'parse'

export interface DokkuErrorDetails {
  exitCode?: number | null
  historyId?: number | null
  /** The command as history shows it (secrets redacted). */
  command?: string
}

/** A dokku run that did not succeed. `message` is dokku's own words (its ` !     ` lines). */
export class DokkuError extends Error {
  readonly exitCode: number | null
  readonly historyId: number | null
  readonly command: string | null

  constructor (readonly kind: DokkuErrorKind, message: string, details: DokkuErrorDetails = {}) {
    super(message)
    this.name = 'DokkuError'
    this.exitCode = details.exitCode ?? null
    this.historyId = details.historyId ?? null
    this.command = details.command ?? null
  }
}

/** The HTTP status a route should answer with for an error from this layer. */
export function httpStatusFor (error: unknown): number {
  if (error instanceof InvalidArgumentError) return 400
  if (!(error instanceof DokkuError)) return 500
  switch (error.kind) {
    case 'app-missing':
    case 'service-missing':
    case 'not-installed':
      return 404
    case 'not-deployed':
    case 'conflict':
    case 'locked':
      return 409
    case 'timeout': return 504
    case 'unavailable': return 503
    case 'cancelled': return 499
    default: return 502 // failed, forbidden (our host setup), parse: dokku, not the user, went wrong
  }
}

const MESSAGE_LINE = /^ !(?: {1,5}|$)(.*)$/

/** Dokku's ` !     ` lines (warnings and failures), prefix removed, in order. */
export function dokkuMessages (text: string): string[] {
  const found: string[] = []
  for (const line of text.split(/\r?\n/)) {
    const m = line.match(MESSAGE_LINE)
    if (m) found.push((m[1] ?? '').trim())
  }
  return found.filter((l) => l !== '')
}

/** What the classifier needs from a run (a structural subset of the runner's RunResult). */
export interface FailedRun {
  id: number
  status: 'queued' | 'running' | 'success' | 'skipped' | 'failed' | 'timeout' | 'cancelled' | 'error' | 'interrupted'
  exitCode: number | null
  stdout: string
  stderr: string
  error: string | null
}

const KIND_BY_MESSAGE: Array<[RegExp, DokkuErrorKind]> = [
  [/^App \S+ does not exist$/, 'app-missing'],
  [/^\S+ service \S+ does not exist$/, 'service-missing'],
  [/is not a dokku command\.?$/, 'not-installed'],
  [/^App \S+ has not been deployed$/, 'not-deployed'],
  [/currently has a deploy lock in place/, 'locked'],
  [/^Name is already taken$|already exists$|^Already linked as |already in use$/, 'conflict'],
  [/^This command must be run as root$|^Access denied$/, 'forbidden']
]

/** The most useful few lines of a failure, when dokku printed no ` !` line. */
function fallbackMessage (run: FailedRun): string {
  const tail = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '').slice(-3)
  const lines = tail(run.stderr)
  // A Go flag error prints the usage block first and the error last (`unknown flag: --x`).
  if (/^Usage of /m.test(run.stderr)) return lines.slice(-1).join('')
  if (lines.length > 0) return lines.join('\n')
  if (run.error) return run.error
  const out = tail(run.stdout)
  if (out.length > 0) return out.join('\n')
  return run.exitCode === null ? `dokku ended with status ${run.status}` : `dokku exited with code ${run.exitCode}`
}

/**
 * Turns a run that did not succeed into a typed error with dokku's own message.
 * `redact` is applied to the output first, so a message never carries a secret.
 */
export function errorFromRun (run: FailedRun, options: { command?: string; redact?: (text: string) => string } = {}): DokkuError {
  const redact = options.redact ?? ((s: string) => s)
  const stderr = redact(run.stderr)
  const stdout = redact(run.stdout)
  const details: DokkuErrorDetails = { exitCode: run.exitCode, historyId: run.id, command: options.command }

  if (run.status === 'timeout') return new DokkuError('timeout', run.error ?? 'dokku timed out', details)
  if (run.status === 'cancelled') return new DokkuError('cancelled', run.error ?? 'cancelled', details)
  if (run.status === 'error' || run.status === 'interrupted') {
    return new DokkuError('unavailable', `dokku is unavailable: ${run.error ?? run.status}`, details)
  }

  // Since 0.38.0 deploys merge stderr into stdout, so the ` !` lines may be on either stream.
  let messages = dokkuMessages(stderr)
  if (messages.length === 0) messages = dokkuMessages(stdout).slice(-5)
  const message = messages.length > 0 ? messages.join('\n') : fallbackMessage({ ...run, stderr, stdout })

  // 255 is ssh failing: its own stderr says why (and holds no command output worth hiding).
  if (run.exitCode === 255) {
    const why = fallbackMessage({ ...run, stderr: redactDsnPasswords(run.stderr), stdout: '' })
    return new DokkuError('unavailable', `could not reach dokku: ${why}`, details)
  }
  if (/^sudo: /m.test(stderr)) return new DokkuError('forbidden', message, details)
  if (run.exitCode === 20) return new DokkuError('app-missing', message, details)
  for (const [pattern, kind] of KIND_BY_MESSAGE) {
    if (messages.some((m) => pattern.test(m))) return new DokkuError(kind, message, details)
  }
  return new DokkuError('failed', message, details)
}
