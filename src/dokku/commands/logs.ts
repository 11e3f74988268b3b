import { parseLogs, type LogLine } from '../parsers/logs.js'
import { keepMessagesOnly } from '../redact.js'
import { validateAppName, validateLogLines, validateProcessType } from '../validate.js'
import { TIMEOUTS, type CommandSpec } from './spec.js'

export interface LogsOptions {
  /** Lines per container (dokku's default is 100). */
  lines?: number
  /** Only containers of this process type (`web`; `web.1` would match nothing). */
  process?: string
  /** Raw container output: no timestamp, no `app[web.1]:` prefix. */
  quiet?: boolean
}

/**
 * pflag long forms only (logs.md: `-t|--tail`, `-n|--num`, `-p|--ps`, `-q|--quiet`): over SSH
 * dokku re-splits the command through `xargs -n 1`, whose `echo` swallows a bare `-n`.
 * `--quiet` after the subcommand is the logs flag, not dokku's global one.
 */
function logsArgs (app: string, options: LogsOptions, follow: boolean): string[] {
  const name = validateAppName(app)
  const lines = validateLogLines(options.lines ?? 100)
  const proc = options.process === undefined ? undefined : validateProcessType(options.process)
  return [
    'logs', name,
    ...(follow ? ['--tail'] : []),
    '--num', String(lines),
    ...(proc === undefined ? [] : ['--ps', proc]),
    ...(options.quiet ? ['--quiet'] : [])
  ]
}

/** `dokku logs <app> --num N [--ps proc] [--quiet]`: recent lines. History keeps only dokku's messages. */
export function logs (app: string, options: LogsOptions = {}): CommandSpec<LogLine[]> {
  const args = logsArgs(app, options, false)
  return {
    args,
    app: args[1] ?? null,
    redactOutput: keepMessagesOnly,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseLogs(stdout)
  }
}

/** `dokku logs <app> --tail --num N [--ps proc] [--quiet]`: follows until stopped (stream: output not stored). */
export function tailLogs (app: string, options: LogsOptions = {}): CommandSpec<void> {
  const args = logsArgs(app, options, true)
  return {
    args,
    app: args[1] ?? null,
    kind: 'read',
    label: `Tail logs of ${args[1] ?? ''}`,
    stream: true,
    timeoutMs: TIMEOUTS.tail,
    parse: () => undefined
  }
}
