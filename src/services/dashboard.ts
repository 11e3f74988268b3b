import type { Host, HostInfo } from '../hosts/host.js'
import { filterApps, listApps, type AppSummary } from './apps.js'

/** How long the dashboard waits for one host before it shows that host as unreachable. */
export const HOST_TIMEOUT_MS = 10_000
/**
 * How long it waits for a host already known to be unreachable: it is asked again (its answer
 * lands in the cache for the next view), but the page does not wait the full timeout each time.
 */
export const KNOWN_DOWN_TIMEOUT_MS = 1000

/** One host's part of the dashboard: its apps, or why they could not be read. */
export interface HostApps {
  host: HostInfo
  /** Empty when unreachable: its apps are unknown, never "stopped". */
  apps: AppSummary[]
  /** How many apps the host has before the filter. */
  total: number
  /** dokku's or ssh's own message when the host did not answer; null when it did. */
  unreachable: string | null
  /** Names the host's rows: the same while its cached answers stay (see tableVersion). */
  version: string
}

/** A serial per array of rows (listApps returns the same array while its answers stay). Bound: a WeakMap. */
const serials = new WeakMap<object, number>()
let nextSerial = 0
function serialOf (rows: object): number {
  let n = serials.get(rows)
  if (n === undefined) serials.set(rows, n = ++nextSerial)
  return n
}

/**
 * A version of everything the apps table shows (each host's rows or its message, and the
 * filter): the views keep the rendered table per version, so a warm dashboard is not rendered
 * again on every view. Whatever else the table shows must be part of this version.
 */
export function tableVersion (hosts: readonly HostApps[], query: string): string {
  return `${hosts.map((h) => `${h.host.name}:${h.version}`).join('|')}\0${query}`
}

class HostTimeout extends Error {}

function within<T> (promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new HostTimeout()), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * Every host's apps, the hosts read in parallel, each within its own timeout: a host that is
 * down, slow or refusing shows as unreachable with its message, and never holds up the others.
 */
export async function dashboard (hosts: readonly Host[], query: string, timeout?: number): Promise<HostApps[]> {
  return Promise.all(hosts.map(async (host): Promise<HostApps> => {
    const timeoutMs = timeout ?? (host.health.view.state === 'unreachable' ? Math.min(KNOWN_DOWN_TIMEOUT_MS, host.pageTimeoutMs) : host.pageTimeoutMs)
    try {
      const apps = await within(listApps(host), timeoutMs)
      return { host: host.info, apps: filterApps(apps, query), total: apps.length, unreachable: null, version: `r${serialOf(apps)}` }
    } catch (err) {
      const message = err instanceof HostTimeout
        ? `no answer within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}`
        : err instanceof Error ? err.message : String(err)
      if (err instanceof HostTimeout) host.health.markUnreachable(message)
      return { host: host.info, apps: [], total: 0, unreachable: message, version: `down:${message}` }
    }
  }))
}
