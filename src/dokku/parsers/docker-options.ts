import { OutputParseError } from '../errors.js'
import { parseJsonOutput } from './common.js'
import { singleReport } from './report.js'

/**
 * `docker-options:report <app>` (dokku-reference/app-settings.md §8.3): options per phase,
 * plus deploy options per process type. The JSON (0.38.0+) is the plugin's own: since 0.38.22
 * it has `*-list` keys whose values are JSON arrays, the only lossless form of options with
 * spaces. Text values are space-joined; they are split at flag boundaries (an approximation).
 */

export const PHASES = ['build', 'deploy', 'run'] as const
export type Phase = typeof PHASES[number]

export interface DockerOptionsReport {
  app: string
  phases: Record<Phase, string[]>
  /** Deploy options of one process type (`--process`, 0.38.0+). */
  processes: Record<string, string[]>
  /** Whether each option is exact (from a `*-list` array) or split from a joined string. */
  exact: boolean
}

/** `--ulimit nofile=12 -v /a:/b` → `['--ulimit nofile=12', '-v /a:/b']`. */
export function splitOptions (joined: string): string[] {
  return joined.trim() === '' ? [] : joined.trim().split(/ (?=-)/)
}

function fromJson (app: string, stdout: string): DockerOptionsReport {
  const data = parseJsonOutput(stdout, 'a docker-options report')
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new OutputParseError('expected a docker-options report object')
  const record = data as Record<string, unknown>
  const list = (key: string): string[] | null => {
    const v = record[`${key}-list`]
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : null
  }
  const joined = (key: string): string => {
    const v = record[key] ?? record[`docker-options-${key}`]
    return typeof v === 'string' ? v : ''
  }
  const exact = PHASES.every((p) => list(p) !== null)
  const phases = Object.fromEntries(PHASES.map((p) => [p, list(p) ?? splitOptions(joined(p))])) as Record<Phase, string[]>
  const processes: Record<string, string[]> = {}
  for (const key of Object.keys(record)) {
    const m = key.match(/^(?:docker-options-)?deploy\.([^.]+?)(-list)?$/)
    if (m && !m[2]) processes[m[1]!] = list(`deploy.${m[1]}`) ?? splitOptions(joined(`deploy.${m[1]}`))
  }
  return { app, phases, processes, exact }
}

function fromText (app: string, stdout: string): DockerOptionsReport {
  // `Docker options deploy web:` → `docker-options-deploy-web`; the header's `docker options` (≤0.38.7) is the same report.
  const fields = singleReport(stdout, 'text', 'docker-options')
  const phases = Object.fromEntries(PHASES.map((p) => [p, splitOptions(fields.get(p) ?? '')])) as Record<Phase, string[]>
  const processes: Record<string, string[]> = {}
  for (const [key, value] of fields) {
    const m = key.match(/^deploy-(.+)$/)
    if (m) processes[m[1]!] = splitOptions(value)
  }
  return { app, phases, processes, exact: false }
}

export function parseDockerOptionsReport (app: string, stdout: string, format: 'json' | 'text'): DockerOptionsReport {
  return format === 'json' ? fromJson(app, stdout) : fromText(app, stdout)
}
