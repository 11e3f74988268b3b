import { InvalidArgumentError } from '../errors.js'
import { parseStorageList, type Mount } from '../parsers/storage.js'
import { versionAtLeast, type DokkuVersion } from '../parsers/version.js'
import { validateAppName } from '../validate.js'
import { validateChown, validateContainerPath, validateMountString, validateStorageDirectory, validateStorageEntry } from '../validate-settings.js'
import { SETTINGS_FEATURES } from './settings-features.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'

/** Where `storage:ensure-directory` creates its directories. */
export const STORAGE_ROOT = '/var/lib/dokku/data/storage'

/** `dokku storage:list <app> --format json` (0.29.3+), text lines before. */
export function storageList (app: string, version: DokkuVersion): CommandSpec<Mount[]> {
  const name = validateAppName(app)
  const format = versionAtLeast(version, SETTINGS_FEATURES.storageListJson) ? 'json' : 'text'
  return {
    args: format === 'json' ? ['storage:list', name, '--format', 'json'] : ['storage:list', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseStorageList(stdout, format)
  }
}

/**
 * `dokku storage:mount <app> <host-path|volume>:<container-path>[:<opts>]` (the colon form, every
 * version). Stored state only: the app sees it after a restart. Host paths must exist already.
 */
export function storageMount (app: string, mount: string): CommandSpec<void> {
  const name = validateAppName(app)
  const value = validateMountString(mount)
  return { args: ['storage:mount', name, value], app: name, label: `Mount ${value} on ${name}`, timeoutMs: TIMEOUTS.change, parse: noParse }
}

/** What to unmount: a colon-form mount, or a named entry (0.38.0+) at a container path. */
export type Unmount = string | { entry: string, containerPath: string }

/** `dokku storage:unmount <app> <mount>`, or `storage:unmount <app> <entry> --container-dir <path>`. */
export function storageUnmount (app: string, target: Unmount): CommandSpec<void> {
  const name = validateAppName(app)
  if (typeof target === 'string') {
    const value = validateMountString(target)
    return { args: ['storage:unmount', name, value], app: name, label: `Unmount ${value} from ${name}`, timeoutMs: TIMEOUTS.change, parse: noParse }
  }
  if (target.entry.startsWith('legacy-')) throw new InvalidArgumentError('entry', 'Unmount a legacy mount by its host:container form')
  const entry = validateStorageEntry(target.entry)
  const dir = validateContainerPath(target.containerPath)
  return {
    args: ['storage:unmount', name, entry, '--container-dir', dir],
    app: name,
    label: `Unmount ${entry} (${dir}) from ${name}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}

/**
 * `dokku storage:ensure-directory [--chown <owner>] <name>`: creates
 * /var/lib/dokku/data/storage/<name> owned by the builder's user (0.25.5+; deprecated in favour
 * of storage:create since 0.38.7, with a warning, but still there).
 */
export function storageEnsureDirectory (app: string, directory: string, chown: string | null): CommandSpec<void> {
  const name = validateAppName(app)
  const dir = validateStorageDirectory(directory)
  const owner = chown === null ? null : validateChown(chown)
  return {
    args: ['storage:ensure-directory', ...(owner === null ? [] : ['--chown', owner]), dir],
    app: name,
    label: `Create ${STORAGE_ROOT}/${dir} for ${name}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}
