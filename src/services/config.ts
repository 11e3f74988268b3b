import type { CommandOutcome, JobOptions } from '../dokku/client.js'
import { MAX_VALUE_BYTES } from '../dokku/commands/config.js'
import { InvalidArgumentError } from '../dokku/errors.js'
import { validateEnvKey } from '../dokku/validate.js'
import type { Host } from '../hosts/host.js'
import type { JobSnapshot } from '../jobs/manager.js'
import { appState, type DisplayState } from './apps.js'

/**
 * An app's config vars on one host: the keys (cached), one value (always read fresh), and the
 * changes: set one or several variables, unset. A change that restarts the app runs as a job;
 * "without restart" runs at once. Labels name keys, never values: they reach the job panel,
 * history and toasts.
 */

export { MAX_VALUE_BYTES }
export { parseEnvBlock, type EnvBlockError, type EnvBlockResult } from './env-block.js'

/** A variable name from a URL or form, checked against dokku's rule (InvalidArgumentError if not). */
export function envKey (raw: unknown, field = 'key'): string {
  return validateEnvKey(raw, field)
}

/** Per-app key of the `config:export` read; invalidated with the app's other reads. */
const exportKey = (app: string) => `config:export:${app}`

/** Keys in dokku's order: bytewise, so uppercase before lowercase. */
const sortKeys = (keys: string[]) => keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

/** The app's variable names, sorted; from the cached `config:export` (values stay in the cache, never on a page). */
export async function keys (host: Host, app: string): Promise<string[]> {
  const vars = await host.cache.get(exportKey(app), [app], () => host.dokku.configExport(app))
  return sortKeys(Object.keys(vars))
}

export interface ConfigTab {
  keys: string[]
  /** The tab's state badge; null when it could not be read. */
  appState: DisplayState | null
}

/** What the Config tab shows: the keys and the app's state, read in parallel. */
export async function tab (host: Host, app: string): Promise<ConfigTab> {
  const [names, state] = await Promise.all([keys(host, app), appState(host, app)])
  return { keys: names, appState: state }
}

export interface Variable {
  key: string
  value: string
}

/**
 * One variable's current value (to reveal or edit it), read fresh: never cached, so a value is
 * only in memory while its answer is built. A key that is not set is a 404.
 */
export async function value (host: Host, app: string, rawKey: unknown): Promise<Variable> {
  const key = envKey(rawKey)
  const current = await host.dokku.configGet(app, key)
  if (current === null) throw Object.assign(new Error(`${key} is not set on ${app}.`), { statusCode: 404 })
  return { key, value: current }
}

/** Why a value cannot be set (too large for dokku's argv), or undefined when it can. */
export function valueProblem (value: string): string | undefined {
  const bytes = Buffer.byteLength(value, 'utf8')
  if (bytes <= MAX_VALUE_BYTES) return undefined
  return `The value is too large: ${Math.ceil(bytes / 1024)} KiB, at most ${MAX_VALUE_BYTES / 1024} KiB.`
}

/** "A", "A and B", "A, B and C", "5 variables". */
function listOfKeys (names: string[]): string {
  if (names.length > 3) return `${names.length} variables`
  return names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`
}

export interface ChangeOptions {
  /** Apply at once without restarting (dokku's `--no-restart`); it takes effect at the next restart or deploy. */
  noRestart: boolean
}

/** A change that was accepted: the job it started, or (without restart) none, already applied. */
export interface Change {
  /** What it does, naming keys only: "Set API_KEY on blog". */
  label: string
  job: JobSnapshot | null
}

type Run = (options: JobOptions & { noRestart: boolean }) => Promise<CommandOutcome>

/**
 * A restarting change runs as a job (AppBusyError when the app has one; the job invalidates the
 * app's reads itself). Without restart it runs now, and the app's reads are invalidated even if
 * it failed: dokku may have changed something before it did.
 */
async function apply (host: Host, app: string, label: string, options: ChangeOptions, run: Run): Promise<Change> {
  if (!options.noRestart) return { label, job: host.startJob({ app, label, run: (ctx) => run({ ...ctx, noRestart: false }) }) }
  try {
    await run({ noRestart: true })
  } finally {
    host.cache.invalidateApp(app)
  }
  return { label, job: null }
}

/**
 * Sets one or several variables in one `config:set` (one restart). Every name and value is
 * checked before anything runs or a job starts.
 */
export async function set (host: Host, app: string, vars: Readonly<Record<string, string>>, options: ChangeOptions): Promise<Change> {
  const names = Object.keys(vars)
  if (names.length === 0) throw new InvalidArgumentError('key', 'Give at least one variable to set.')
  for (const name of names) {
    envKey(name)
    if (valueProblem(vars[name]!) !== undefined) throw new InvalidArgumentError(name, `The value of ${name} is too large (at most ${MAX_VALUE_BYTES / 1024} KiB).`)
  }
  return apply(host, app, `Set ${listOfKeys(names)} on ${app}`, options, (opts) => host.dokku.configSet(app, vars, opts))
}

/** Unsets one or several variables in one `config:unset`. */
export async function unset (host: Host, app: string, rawKeys: readonly unknown[], options: ChangeOptions): Promise<Change> {
  if (rawKeys.length === 0) throw new InvalidArgumentError('key', 'Give at least one variable to remove.')
  const names = [...new Set(rawKeys.map((k) => envKey(k)))]
  return apply(host, app, `Remove ${listOfKeys(names)} from ${app}`, options, (opts) => host.dokku.configUnset(app, names, opts))
}
