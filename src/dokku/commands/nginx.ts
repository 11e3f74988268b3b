import { parseNginxReport, type NginxReport } from '../parsers/nginx.js'
import { splitLines } from '../parsers/common.js'
import type { DokkuVersion } from '../parsers/version.js'
import { validateAppName } from '../validate.js'
import { validateNginxKey, validateNginxValue } from '../validate-settings.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'
import { reportFormat } from './version.js'

/** `dokku nginx:report <app> [--format json]` (json ≥0.38.0; bash text before 0.38.22). */
export function nginxReport (app: string, version: DokkuVersion): CommandSpec<NginxReport> {
  const name = validateAppName(app)
  const format = reportFormat(version, 'bashReportJson')
  return {
    args: format === 'json' ? ['nginx:report', name, '--format', 'json'] : ['nginx:report', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseNginxReport(name, stdout, format)
  }
}

/**
 * `dokku nginx:set <app> <key> [<value>]`; null unsets it. dokku checks neither the value nor
 * (since 0.35.2) that the app exists, and applies nothing until `proxy:build-config`.
 */
export function nginxSet (app: string, key: string, value: string | null): CommandSpec<void> {
  const name = validateAppName(app)
  const k = validateNginxKey(key)
  const v = value === null ? null : validateNginxValue(k, value)
  return {
    args: ['nginx:set', name, k, ...(v === null ? [] : [v])],
    app: name,
    label: v === null ? `Reset nginx ${k} of ${name}` : `Set nginx ${k} of ${name} to ${v}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}

export type NginxLog = 'access' | 'error'

/** `dokku nginx:access-logs|error-logs <app>`: the last 20 lines (`tail -n 20`; no follow). */
export function nginxLogs (app: string, log: NginxLog): CommandSpec<string[]> {
  const name = validateAppName(app)
  return {
    args: [log === 'access' ? 'nginx:access-logs' : 'nginx:error-logs', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => splitLines(stdout)
  }
}
