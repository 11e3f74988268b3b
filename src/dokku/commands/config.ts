import { InvalidArgumentError } from '../errors.js'
import { parseConfigGet, parseConfigJson, parseConfigKeys, type EnvVars } from '../parsers/config.js'
import {
  composeRedactors, REDACTED, redactAllButMessages, redactConfigExport, redactConfigSetOutput, redactValues
} from '../redact.js'
import { validateAppName, validateEnvKey } from '../validate.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'

/** An argv element must stay well under Linux's 128 KiB per-argument limit once base64-encoded. */
export const MAX_VALUE_BYTES = 64 * 1024

/** `dokku config:export --format json <app>`: exact values (json since 0.15.5). */
export function configExport (app: string): CommandSpec<EnvVars> {
  const name = validateAppName(app)
  return {
    args: ['config:export', '--format', 'json', name],
    app: name,
    redactOutput: redactConfigExport,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseConfigJson(stdout)
  }
}

/** `dokku config:get <app> KEY`; an unset key is exit 1 with no output at all → null. */
export function configGet (app: string, key: string): CommandSpec<string | null> {
  const name = validateAppName(app)
  const k = validateEnvKey(key)
  return {
    args: ['config:get', name, k],
    app: name,
    redactOutput: redactAllButMessages,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    acceptFailure: (out) => out.exitCode === 1 && out.stdout === '' && out.stderr.trim() === '',
    parse: (out) => (out.exitCode === 0 ? parseConfigGet(out.stdout) : null)
  }
}

/** `dokku config:keys <app>`. */
export function configKeys (app: string): CommandSpec<string[]> {
  const name = validateAppName(app)
  return { args: ['config:keys', name], app: name, kind: 'read', timeoutMs: TIMEOUTS.read, parse: ({ stdout }) => parseConfigKeys(stdout) }
}

export type ConfigValue = string | Uint8Array

function toBytes (key: string, value: unknown): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8')
  if (value instanceof Uint8Array) return Buffer.from(value)
  throw new InvalidArgumentError(key, `The value of ${key} must be text`)
}

/**
 * `dokku --quiet config:set --encoded [--no-restart] <app> K=<base64> …`: values travel base64
 * so any byte survives argv and dokku's SSH re-splitting; `--quiet` keeps dokku from printing
 * the values back. History shows `K=<redacted>`.
 */
export function configSet (app: string, vars: Readonly<Record<string, ConfigValue>>, options: { noRestart?: boolean } = {}): CommandSpec<void> {
  const name = validateAppName(app)
  const entries = Object.entries(vars)
  if (entries.length === 0) throw new InvalidArgumentError('key', 'Give at least one variable to set')
  const pairs: string[] = []
  const shown: string[] = []
  const secrets: string[] = []
  for (const [key, value] of entries) {
    const k = validateEnvKey(key)
    const bytes = toBytes(k, value)
    if (bytes.length > MAX_VALUE_BYTES) throw new InvalidArgumentError(k, `The value of ${k} is too large (at most ${MAX_VALUE_BYTES / 1024} KiB)`)
    pairs.push(`${k}=${bytes.toString('base64')}`)
    shown.push(`${k}=${REDACTED}`)
    secrets.push(bytes.toString('utf8'))
  }
  const flags = ['--encoded', ...(options.noRestart ? ['--no-restart'] : [])]
  const keys = entries.map(([k]) => k).join(', ')
  return {
    args: ['--quiet', 'config:set', ...flags, name, ...pairs],
    display: ['--quiet', 'config:set', ...flags, name, ...shown],
    redactOutput: composeRedactors(redactConfigSetOutput, redactValues(secrets)),
    app: name,
    kind: options.noRestart ? 'action' : 'job',
    label: `Set ${keys} on ${name}`,
    timeoutMs: options.noRestart ? TIMEOUTS.change : TIMEOUTS.deploy,
    parse: noParse
  }
}

/** `dokku config:unset [--no-restart] <app> KEY …`. */
export function configUnset (app: string, keys: readonly string[], options: { noRestart?: boolean } = {}): CommandSpec<void> {
  const name = validateAppName(app)
  if (keys.length === 0) throw new InvalidArgumentError('key', 'Give at least one variable to unset')
  const valid = [...new Set(keys.map((k) => validateEnvKey(k)))]
  return {
    args: ['config:unset', ...(options.noRestart ? ['--no-restart'] : []), name, ...valid],
    app: name,
    kind: options.noRestart ? 'action' : 'job',
    label: `Unset ${valid.join(', ')} on ${name}`,
    timeoutMs: options.noRestart ? TIMEOUTS.change : TIMEOUTS.deploy,
    parse: noParse
  }
}
