import { OutputParseError } from '../errors.js'
import { parseJsonOutput, splitLines } from './common.js'

/**
 * `cron:list <app>` (dokku-reference/app-settings.md §4.3): the tasks of the app.json the last
 * deploy stored. JSON since 0.31.0 (`concurrency_policy` and the maintenance keys since 0.37.0);
 * text columns (`ID  Schedule  [Concurrency  ][Maintenance  ]Command`) otherwise.
 */

export interface CronTask {
  /** Base36 of app, command and schedule: it changes when any of them does. */
  id: string
  schedule: string
  command: string
  /** `allow`, `forbid` or `replace`; null before 0.37.0. */
  concurrency: string | null
  /** Suspended with cron:suspend (the task's own maintenance flag). */
  suspended: boolean
  /** The whole app's cron is in maintenance (`cron:set <app> maintenance true`). */
  appInMaintenance: boolean
}

export function parseCronListJson (stdout: string): CronTask[] {
  const data = parseJsonOutput(stdout, 'a list of cron tasks')
  if (data === null) return []
  if (!Array.isArray(data)) throw new OutputParseError('expected a JSON array of cron tasks')
  return data.map((row: unknown) => {
    const r = row as Record<string, unknown>
    if (typeof r?.id !== 'string' || typeof r.command !== 'string' || typeof r.schedule !== 'string') {
      throw new OutputParseError('expected {"id","command","schedule"} cron tasks')
    }
    const taskFlag = r['task-in-maintenance']
    const appFlag = r['app-in-maintenance']
    return {
      id: r.id,
      schedule: r.schedule,
      command: r.command,
      concurrency: typeof r.concurrency_policy === 'string' && r.concurrency_policy !== '' ? r.concurrency_policy : null,
      // 0.36.x has only `maintenance` (the app's or the task's): count it as the task's.
      suspended: typeof taskFlag === 'boolean' ? taskFlag : (appFlag === undefined && r.maintenance === true),
      appInMaintenance: appFlag === true
    }
  })
}

/** Text: the header row names the columns; cells are glued with two spaces or more (a schedule holds single spaces). */
export function parseCronListText (stdout: string): CronTask[] {
  const lines = splitLines(stdout).filter((l) => l.trim() !== '')
  const header = lines.shift()
  if (header === undefined) return []
  const columns = header.trim().split(/\s{2,}/)
  if (columns[0] !== 'ID' || columns[columns.length - 1] !== 'Command') throw new OutputParseError(`expected a cron:list table, got: ${header.slice(0, 120)}`)
  return lines.map((line) => {
    const cells = line.trim().split(/\s{2,}/)
    const head = cells.slice(0, columns.length - 1)
    const cell = (name: string) => head[columns.indexOf(name)]
    const maintenance = cell('Maintenance') ?? 'false'
    return {
      id: cell('ID') ?? '',
      schedule: cell('Schedule') ?? '',
      command: cells.slice(columns.length - 1).join('  '),
      concurrency: cell('Concurrency') ?? null,
      suspended: maintenance === 'true (task)' || maintenance === 'true',
      appInMaintenance: maintenance === 'true (app)'
    }
  })
}

export function parseCronList (stdout: string, format: 'json' | 'text'): CronTask[] {
  return format === 'json' ? parseCronListJson(stdout) : parseCronListText(stdout)
}
