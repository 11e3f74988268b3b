import { parseChecksReport, type ChecksReport } from '../parsers/checks.js'
import type { DokkuVersion } from '../parsers/version.js'
import { validateAppName } from '../validate.js'
import { validateProcessTypes, validateWaitToRetire } from '../validate-settings.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'
import { reportFormat } from './version.js'

/** `dokku checks:report <app> [--format json]` (json ≥0.38.0; bash text before 0.38.22). */
export function checksReport (app: string, version: DokkuVersion): CommandSpec<ChecksReport> {
  const name = validateAppName(app)
  const format = reportFormat(version, 'bashReportJson')
  return {
    args: format === 'json' ? ['checks:report', name, '--format', 'json'] : ['checks:report', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseChecksReport(name, stdout, format)
  }
}

export type ChecksChange = 'enable' | 'disable' | 'skip'

const VERBS: Record<ChecksChange, string> = { enable: 'Enable', disable: 'Disable', skip: 'Skip' }

/**
 * `dokku checks:enable|disable|skip <app> [<type>,<type>…]`; null: every process type. Stored
 * for the next deploy; nothing restarts.
 */
export function checksChange (app: string, change: ChecksChange, processTypes: readonly string[] | null): CommandSpec<void> {
  const name = validateAppName(app)
  const list = processTypes === null ? null : validateProcessTypes([...processTypes])
  return {
    args: [`checks:${change}`, name, ...(list === null ? [] : [list.join(',')])],
    app: name,
    label: `${VERBS[change]} zero-downtime checks of ${name}${list === null ? '' : ` (${list.join(', ')})`}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}

/** `dokku checks:set <app> wait-to-retire [<seconds>]`; null unsets it (the global value or 60 applies). */
export function checksSetWaitToRetire (app: string, seconds: number | string | null): CommandSpec<void> {
  const name = validateAppName(app)
  const value = seconds === null ? null : validateWaitToRetire(seconds)
  return {
    args: ['checks:set', name, 'wait-to-retire', ...(value === null ? [] : [String(value)])],
    app: name,
    label: value === null ? `Reset wait-to-retire of ${name}` : `Set wait-to-retire of ${name} to ${value}s`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}
