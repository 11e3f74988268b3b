import { InvalidArgumentError } from '../errors.js'
import { parseResourceReport, type ResourceReport } from '../parsers/resource.js'
import { versionAtLeast, type DokkuVersion } from '../parsers/version.js'
import { validateAppName } from '../validate.js'
import { RESOURCE_KEYS, validateResourceProcessType, validateResourceValue, type ResourceKey } from '../validate-settings.js'
import { SETTINGS_FEATURES } from './settings-features.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'
import { reportFormat } from './version.js'

/** `dokku resource:report <app> [--format json]` (json ≥0.23.1). */
export function resourceReport (app: string, version: DokkuVersion): CommandSpec<ResourceReport> {
  const name = validateAppName(app)
  const format = reportFormat(version, 'goReportJson')
  return {
    args: format === 'json' ? ['resource:report', name, '--format', 'json'] : ['resource:report', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseResourceReport(name, stdout, format)
  }
}

export type ResourceKind = 'limit' | 'reserve'
/** A value to store, or `clear` to delete that one key. */
export type ResourceValues = Partial<Record<ResourceKey, string>>

function processTypeFor (processType: string, version: DokkuVersion): string {
  const type = validateResourceProcessType(processType)
  if (type === 'build' && !versionAtLeast(version, SETTINGS_FEATURES.resourceBuild)) {
    throw new InvalidArgumentError('process', 'Limits on the build container need dokku 0.38.0 or newer')
  }
  return type
}

/**
 * `dokku resource:limit|reserve --process-type <type> --<key> <value>… <app>`. dokku stores any
 * string (and before 0.38.25 printed it unquoted into a shell eval): each value is checked for
 * the scheduler's units. Applies at the next deploy or rebuild.
 */
export function resourceSet (app: string, kind: ResourceKind, processType: string, values: ResourceValues, version: DokkuVersion, scheduler: 'docker-local' | 'k3s' = 'docker-local'): CommandSpec<void> {
  const name = validateAppName(app)
  const type = processTypeFor(processType, version)
  const flags: string[] = []
  const shown: string[] = []
  for (const key of RESOURCE_KEYS) {
    const raw = values[key]
    if (raw === undefined) continue
    const value = raw === 'clear' ? 'clear' : validateResourceValue(key, raw, scheduler)
    flags.push(`--${key}`, value)
    shown.push(`${key} ${value}`)
  }
  if (flags.length === 0) throw new InvalidArgumentError('values', 'Give at least one value to set or clear')
  return {
    args: [`resource:${kind}`, '--process-type', type, ...flags, name],
    app: name,
    label: `Set resource ${kind === 'limit' ? 'limits' : 'reservations'} of ${name} (${type}): ${shown.join(', ')}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}

/**
 * `dokku resource:limit-clear|reserve-clear [--process-type <type>] <app>`. Careful: without a
 * process type dokku deletes **every** resource property of the app, limits and reservations of
 * all process types alike (app-settings.md §6.2); `_default_` clears only the default ones.
 */
export function resourceClear (app: string, kind: ResourceKind, processType: string | null, version: DokkuVersion): CommandSpec<void> {
  const name = validateAppName(app)
  const type = processType === null ? null : processTypeFor(processType, version)
  return {
    args: [`resource:${kind}-clear`, ...(type === null ? [] : ['--process-type', type]), name],
    app: name,
    label: type === null
      ? `Clear every resource limit and reservation of ${name}`
      : `Clear resource ${kind === 'limit' ? 'limits' : 'reservations'} of ${name} (${type})`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}
