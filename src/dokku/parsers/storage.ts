import { OutputParseError } from '../errors.js'
import { isLogHeader, parseJsonOutput, splitLines } from './common.js'

/**
 * `storage:list <app>` (dokku-reference/app-settings.md §5.4): the app's deploy-phase mounts.
 * JSON since 0.29.3 (pretty-printed by the bash plugin until 0.37.4, compact since; `entry_name`
 * and `readonly` since 0.38.0); text lines `host:container[:opts]` otherwise.
 */

export interface Mount {
  /** The storage entry (`legacy-…` for colon-form mounts, 0.38.0+); null before entries existed. */
  entry: string | null
  /** A host path, or a docker volume name. */
  hostPath: string
  containerPath: string
  /** `ro` first when read-only, then docker's volume options. */
  options: string[]
  /** The colon form `host:container[:opts]`, as storage:mount took it and storage:unmount wants it. */
  text: string
}

function mount (entry: string | null, hostPath: string, containerPath: string, options: string[]): Mount {
  const opts = [...new Set(options.filter((o) => o !== ''))]
  const text = [hostPath, containerPath, ...(opts.length > 0 ? [opts.join(',')] : [])].join(':')
  return { entry, hostPath, containerPath, options: opts, text }
}

export function parseStorageListJson (stdout: string): Mount[] {
  const data = parseJsonOutput(stdout, 'a list of mounts')
  if (data === null) return []
  if (!Array.isArray(data)) throw new OutputParseError('expected a JSON array of mounts')
  return data.map((row: unknown) => {
    const r = row as { entry_name?: unknown, host_path?: unknown, container_path?: unknown, readonly?: unknown, volume_options?: unknown }
    if (typeof r?.host_path !== 'string' || typeof r.container_path !== 'string') {
      throw new OutputParseError('expected {"host_path","container_path"} mounts')
    }
    const options = typeof r.volume_options === 'string' ? r.volume_options.split(',') : []
    return mount(typeof r.entry_name === 'string' ? r.entry_name : null, r.host_path, r.container_path, [...(r.readonly === true ? ['ro'] : []), ...options])
  })
}

/** Text: an `-----> <app> volume bind-mounts:` header (not always) and one mount per line. */
export function parseStorageListText (stdout: string): Mount[] {
  return splitLines(stdout).flatMap((line) => {
    const trimmed = line.trim()
    if (trimmed === '' || isLogHeader(trimmed)) return []
    const [host, container, options] = trimmed.split(':')
    if (host === undefined || container === undefined || !container.startsWith('/')) {
      throw new OutputParseError(`expected host:container mounts, got: ${trimmed.slice(0, 120)}`)
    }
    return [mount(null, host, container, (options ?? '').split(','))]
  })
}

export function parseStorageList (stdout: string, format: 'json' | 'text'): Mount[] {
  return format === 'json' ? parseStorageListJson(stdout) : parseStorageListText(stdout)
}
