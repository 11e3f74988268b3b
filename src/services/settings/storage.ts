import { STORAGE_ROOT } from '../../dokku/commands/storage.js'
import { InvalidArgumentError } from '../../dokku/errors.js'
import type { Mount } from '../../dokku/parsers/storage.js'
import { CHOWN_NAMES, validateChown, validateContainerPath, validateMount, validateMountString, validateStorageDirectory } from '../../dokku/validate-settings.js'
import type { Host } from '../../hosts/host.js'
import { applied, checked, done, field, soft, type Effect, type Read, type SectionDef } from './common.js'
import { storageList } from './reads.js'

/**
 * Persistent storage: the app's mounts (host path or docker volume → container path). Mount and
 * unmount change stored state only: the running containers see it after a restart. A host path
 * must exist first; "create a directory" makes one under /var/lib/dokku/data/storage owned by the
 * builder's user (`storage:ensure-directory --chown`).
 */

export { CHOWN_NAMES, STORAGE_ROOT }
export type { Mount }

export interface StorageView {
  mounts: Read<Mount[]>
  effect: Effect
}

export const STORAGE_EFFECT: Effect = { kind: 'restart', text: 'Mounts are stored at once, but the app sees a change only after a restart.' }

export async function read (host: Host, app: string): Promise<StorageView> {
  return { mounts: await soft(storageList(host, app)), effect: STORAGE_EFFECT }
}

export const section: SectionDef<StorageView> = {
  title: 'Storage',
  read,
  actions: {
    /**
     * `source=path`: mount an existing host path or docker volume. `source=directory`: create
     * /var/lib/dokku/data/storage/<name> (with --chown) first, then mount it.
     */
    mount: async (host, app, form) => {
      const container = validateContainerPath(field(form, 'container_path'))
      const options = checked(form, 'readonly') ? 'ro' : undefined
      if (field(form, 'source') === 'directory') {
        const dir = validateStorageDirectory(field(form, 'directory'))
        const chown = validateChown(field(form, 'chown') || 'herokuish')
        const mount = validateMount(`${STORAGE_ROOT}/${dir}`, container, options)
        const warnings = await applied(host, app, async () => [
          await host.dokku.storageEnsureDirectory(app, dir, chown),
          await host.dokku.storageMount(app, mount)
        ])
        // ensure-directory's deprecation warning (0.38.7+) is dokku's, not the user's concern.
        return done(`Created ${STORAGE_ROOT}/${dir} (owner ${chown}) and mounted it at ${container}. Restart to use it.`, warnings.filter((w) => !/^Deprecated: /.test(w)), 'restart')
      }
      const source = field(form, 'host_path')
      if (source === '') throw new InvalidArgumentError('host_path', 'Give the host path (or docker volume) to mount')
      const mount = validateMount(source, container, options)
      const warnings = await applied(host, app, () => host.dokku.storageMount(app, mount))
      return done(`Mounted ${mount}. Restart to use it.`, warnings, 'restart')
    },
    unmount: async (host, app, form) => {
      const entry = field(form, 'entry')
      const target = entry !== '' && !entry.startsWith('legacy-')
        ? { entry, containerPath: validateContainerPath(field(form, 'container_path')) }
        : validateMountString(field(form, 'mount'))
      const warnings = await applied(host, app, () => host.dokku.storageUnmount(app, target))
      const shown = typeof target === 'string' ? target : `${target.entry} at ${target.containerPath}`
      return done(`Unmounted ${shown}. Restart for the app to let go of it.`, warnings, 'restart')
    }
  }
}
