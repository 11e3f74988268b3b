import { OutputParseError } from '../errors.js'
import { parseJsonOutput, splitLines } from './common.js'

/**
 * dokku's build records (`builds:*`, 0.38.0+; deploys.md §2): one per deploy-like command, with
 * its source, status and times. A record holds no image or sha: what was deployed comes from
 * `apps:report` and the events log.
 */

/** On disk `running | succeeded | failed | canceled`; `abandoned` (running, its PID gone) only on display. */
export type BuildStatus = 'running' | 'succeeded' | 'failed' | 'canceled' | 'abandoned'
const STATUSES: readonly BuildStatus[] = ['running', 'succeeded', 'failed', 'canceled', 'abandoned']
export type BuildKind = 'build' | 'deploy'

export interface BuildRecord {
  id: string
  app: string
  kind: BuildKind
  pid: number
  /** `git-hook` (a push), `ps:rebuild`, `git:sync`, `git:from-image`, `git:from-archive`, `ps:restart`, `config-redeploy`, … */
  source: string
  startedAt: string
  finishedAt: string | null
  /** The display status (abandoned included). */
  status: BuildStatus
  /** -1 for canceled, reaped or abandoned records: "outcome unknown". */
  exitCode: number | null
  /** dokku's own rendering, e.g. `1m14s`. */
  duration: string
}

function str (o: Record<string, unknown>, key: string, required = true): string {
  const v = o[key]
  if (typeof v === 'string') return v
  if (!required && v === undefined) return ''
  throw new OutputParseError(`build record: "${key}" is missing or not a string`)
}

/** RFC3339(Nano) as ISO (milliseconds, UTC); dokku writes UTC with a fraction. */
function isoTime (value: string, key: string): string {
  const ms = Date.parse(value)
  if (!Number.isFinite(ms)) throw new OutputParseError(`build record: "${key}" is not a time: ${value.slice(0, 40)}`)
  return new Date(ms).toISOString()
}

function record (raw: unknown): BuildRecord {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new OutputParseError('expected a build record object')
  const o = raw as Record<string, unknown>
  const display = str(o, 'display_status', false) || str(o, 'status')
  if (!(STATUSES as readonly string[]).includes(display)) throw new OutputParseError(`build record: unknown status "${display.slice(0, 20)}"`)
  const kind = str(o, 'kind')
  const finished = str(o, 'finished_at', false)
  return {
    id: str(o, 'id'),
    app: str(o, 'app'),
    kind: kind === 'deploy' ? 'deploy' : 'build',
    pid: typeof o.pid === 'number' ? o.pid : 0,
    source: str(o, 'source', false),
    startedAt: isoTime(str(o, 'started_at'), 'started_at'),
    finishedAt: finished === '' ? null : isoTime(finished, 'finished_at'),
    status: display as BuildStatus,
    exitCode: typeof o.exit_code === 'number' ? o.exit_code : null,
    duration: str(o, 'duration', false)
  }
}

/** `builds:list [<app>] --format json`: one line holding an array (`[]` when empty). */
export function parseBuildListJson (stdout: string): BuildRecord[] {
  const data = parseJsonOutput(stdout, 'a list of build records')
  if (!Array.isArray(data)) throw new OutputParseError('expected a JSON array of build records')
  return data.map(record)
}

/**
 * A build log as people read it: terminal escapes removed, and each `\r`-redrawn line (curl's
 * progress bar, some builders) reduced to what the terminal finally showed.
 */
export function readableBuildLog (raw: string): string {
  // eslint-disable-next-line no-control-regex
  const text = raw.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]/g, '')
  return splitLines(text).map((line) => {
    const parts = line.split('\r').filter((p) => p !== '')
    return parts.length === 0 ? '' : parts[parts.length - 1]!
  }).join('\n') + (text.endsWith('\n') ? '\n' : '')
}
