import type { Host } from '../hosts/host.js'
import { listApps } from './apps.js'

/**
 * What the command palette (Ctrl/⌘-K, public/js/palette.js) can jump to: every page, every app
 * on every host, and the actions on an app (restart X, open config of Y). One list, read once
 * when the palette opens; the script filters it as the user types.
 */

export interface PaletteEntry {
  /** What the user reads and types against, e.g. "Open config of node-js-app". */
  label: string
  /** Where it goes (GET) or what it posts to (POST). */
  url: string
  /** `page` and `app` navigate; `action` posts a form (a job starts). */
  kind: 'page' | 'app' | 'action'
  method?: 'post'
  /** A second line: the host, when there are several. */
  hint?: string
}

/** Bound: the palette lists at most this many entries (about 400 apps' worth). */
export const MAX_ENTRIES = 4000
/** How long one host may take to list its apps before the palette goes on without them. */
const HOST_TIMEOUT_MS = 3000

const PAGES: Array<[string, string, boolean]> = [
  ['Apps (dashboard)', '/', false],
  ['Create an app', '/new-app', true],
  ['Databases', '/databases', true],
  ['TLS certificates', '/letsencrypt', true],
  ['Plugins', '/plugins', true],
  ['Server', '/server', true],
  ['Activity', '/activity', false],
  ['History', '/history', false],
  ['Alerts', '/alerts', false],
  ['Settings', '/settings', false]
]

/** The tabs of an app the palette offers, as "Open <tab> of <app>". */
const APP_TABS: Array<[string, string]> = [
  ['config', '/config'], ['domains', '/domains'], ['deploy', '/deploy'], ['settings', '/settings'],
  ['logs', '/logs'], ['history', '/history']
]

function withTimeout<T> (promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<null>((resolve) => { timer = setTimeout(() => resolve(null), ms) })
  return Promise.race([promise.catch(() => null), late]).finally(() => clearTimeout(timer))
}

/**
 * The entries for these hosts. With several hosts, host pages and apps carry their host's
 * prefix and name; a host that is down or slow just adds no apps.
 */
export async function entries (hosts: readonly Host[], several: boolean): Promise<PaletteEntry[]> {
  const out: PaletteEntry[] = []
  const base = (h: Host) => several ? `/hosts/${h.name}` : ''
  for (const [label, path, perHost] of PAGES) {
    if (!perHost || !several) out.push({ label, url: path, kind: 'page' })
    else for (const h of hosts) out.push({ label: `${label} on ${h.name}`, url: `${base(h)}${path}`, kind: 'page', hint: h.name })
  }
  const lists = await Promise.all(hosts.map((h) => withTimeout(listApps(h), HOST_TIMEOUT_MS)))
  hosts.forEach((h, i) => {
    for (const a of lists[i] ?? []) {
      const url = `${base(h)}/apps/${a.name}`
      const hint = several ? h.name : undefined
      out.push({ label: a.name, url, kind: 'app', hint })
      for (const [tab, path] of APP_TABS) out.push({ label: `Open ${tab} of ${a.name}`, url: url + path, kind: 'page', hint })
      out.push({ label: `Restart ${a.name}`, url: `${url}/restart`, kind: 'action', method: 'post', hint })
      out.push({ label: `Rebuild ${a.name}…`, url: `${url}/rebuild`, kind: 'page', hint })
      if (a.state === 'running' || a.state === 'mixed') out.push({ label: `Stop ${a.name}…`, url: `${url}/stop`, kind: 'page', hint })
      else if (a.state !== 'undeployed') out.push({ label: `Start ${a.name}`, url: `${url}/start`, kind: 'action', method: 'post', hint })
    }
  })
  return out.slice(0, MAX_ENTRIES)
}
