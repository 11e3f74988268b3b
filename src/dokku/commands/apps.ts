import { parseAppReport, parseAppsListJson, parseAppsListText, type AppReport } from '../parsers/apps.js'
import type { DokkuVersion } from '../parsers/version.js'
import { validateAppName, validateConfirmation, validateNewAppName } from '../validate.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'
import { reportFormat, supports } from './version.js'

/** `dokku apps:list --format json` (≥0.38.21), else `dokku --quiet apps:list`. */
export function listApps (version: DokkuVersion): CommandSpec<string[]> {
  if (supports(version, 'appsListJson')) {
    return { args: ['apps:list', '--format', 'json'], kind: 'read', timeoutMs: TIMEOUTS.read, parse: ({ stdout }) => parseAppsListJson(stdout) }
  }
  return { args: ['--quiet', 'apps:list'], kind: 'read', timeoutMs: TIMEOUTS.read, parse: ({ stdout }) => parseAppsListText(stdout) }
}

/** `dokku apps:report <app> [--format json]`. */
export function appReport (app: string, version: DokkuVersion): CommandSpec<AppReport> {
  const name = validateAppName(app)
  const format = reportFormat(version, 'goReportJson')
  return {
    args: format === 'json' ? ['apps:report', name, '--format', 'json'] : ['apps:report', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseAppReport(name, stdout, format)
  }
}

/** `dokku apps:create <app>`: new names follow dokku's current rule (no `_`). */
export function createApp (app: string): CommandSpec<void> {
  const name = validateNewAppName(app)
  return { args: ['apps:create', name], app: name, label: `Create app ${name}`, timeoutMs: TIMEOUTS.change, parse: noParse }
}

/**
 * `dokku --force apps:destroy <app>`, only when the user typed the app's name: without
 * `--force` dokku would wait for that answer on stdin.
 */
export function destroyApp (app: string, confirmation: string): CommandSpec<void> {
  const name = validateAppName(app)
  validateConfirmation(confirmation, name)
  return {
    args: ['--force', 'apps:destroy', name],
    app: name,
    kind: 'job',
    label: `Destroy app ${name}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}
