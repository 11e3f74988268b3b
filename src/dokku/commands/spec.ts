import type { Redactor } from '../redact.js'

/** What a parser sees of a finished run. */
export interface CommandOutput {
  stdout: string
  stderr: string
  exitCode: number | null
}

/**
 * A dokku command as data (the simple-git model): the exact argv, how history shows it, how its
 * output is redacted, and a pure parser of that output.
 */
export interface CommandSpec<T> {
  /** argv after `dokku`: global flags first, then the subcommand, then its arguments. */
  args: string[]
  /** argv as history shows it (secrets replaced); defaults to `args`. */
  display?: string[]
  /** Applied to stored output, error messages and live output (line by line). */
  redactOutput?: Redactor
  app?: string | null
  /**
   * `read` for queries (history keeps no output of a successful one), `job` for long commands
   * that stream into a job panel and use the job lane, `action` (the default) for a change
   * made at once.
   */
  kind?: 'read' | 'action' | 'job'
  /** Default history label, e.g. "Restart node-js-app". */
  label?: string
  timeoutMs?: number
  /** Log tails: long-lived, output not stored. */
  stream?: boolean
  /** A non-zero exit that is an answer rather than a failure (an unset key, a missing plugin). */
  acceptFailure?: (out: CommandOutput) => boolean
  parse: (out: CommandOutput) => T
}

export type ReportFormat = 'json' | 'text'

/** The answer of a plugin command when the plugin may not be installed. */
export type PluginResult<T> = { installed: false } | ({ installed: true } & T)

const MINUTE = 60_000

/** How long each kind of command may run before it is killed. */
export const TIMEOUTS = {
  read: MINUTE,
  change: 5 * MINUTE,
  deploy: 30 * MINUTE,
  tail: 12 * 60 * MINUTE
} as const

/** For commands whose output is progress text, not data. */
export const noParse = (): void => undefined

/** `` !     `x:y` is not a dokku command. `` on stderr: the plugin is not installed. */
export function isNotInstalled (out: CommandOutput): boolean {
  return out.exitCode === 1 && /^ !\s+`[^`]*` is not a dokku command/m.test(out.stderr)
}
