import { InvalidArgumentError } from '../errors.js'
import { versionAtLeast, type DokkuVersion } from '../parsers/version.js'
import { validateAppName } from '../validate.js'
import { validateRepoPath, validateRestartPolicy, validateStopTimeout } from '../validate-settings.js'
import { SETTINGS_FEATURES } from './settings-features.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'

export const PS_KEYS = ['restart-policy', 'procfile-path', 'stop-timeout-seconds'] as const
export type PsKey = typeof PS_KEYS[number]

function checkedValue (key: PsKey, value: string): string {
  switch (key) {
    case 'restart-policy': return validateRestartPolicy(value)
    case 'procfile-path': return validateRepoPath(value, 'procfile_path', 'The Procfile path')
    case 'stop-timeout-seconds': return String(validateStopTimeout(value))
  }
}

/**
 * `dokku ps:set <app> <key> [<value>]`; null unsets it. Takes effect at the next deploy or
 * restart. Before 0.38.9 the restart policy was a docker option that could not be unset, and
 * stop-timeout-seconds needs 0.36.0.
 */
export function psSet (app: string, key: PsKey, value: string | null, version: DokkuVersion): CommandSpec<void> {
  const name = validateAppName(app)
  if (!(PS_KEYS as readonly string[]).includes(key)) throw new InvalidArgumentError('key', `The process setting must be one of ${PS_KEYS.join(', ')}`)
  if (key === 'stop-timeout-seconds' && !versionAtLeast(version, SETTINGS_FEATURES.psStopTimeout)) {
    throw new InvalidArgumentError('stop_timeout_seconds', 'The stop timeout needs dokku 0.36.0 or newer')
  }
  if (key === 'restart-policy' && value === null && !versionAtLeast(version, SETTINGS_FEATURES.psRestartPolicyProperty)) {
    throw new InvalidArgumentError('restart_policy', 'This dokku (before 0.38.9) cannot unset the restart policy: choose one instead')
  }
  const v = value === null ? null : checkedValue(key, value)
  return {
    args: ['ps:set', name, key, ...(v === null ? [] : [v])],
    app: name,
    label: v === null ? `Reset ${key} of ${name}` : `Set ${key} of ${name} to ${v}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}
