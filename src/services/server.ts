import { isDokkuError } from '../dokku/client.js'
import type { ClusterNode, K3sCluster } from '../dokku/parsers/scheduler.js'
import { formatVersion } from '../dokku/parsers/version.js'
import type { Host } from '../hosts/host.js'

/**
 * What a host itself runs: the server page, and the scheduler each app deploys with (for the
 * app pages). The page is made of sections, each read on its own: a section dokku refuses
 * shows dokku's message and the others still render. Today: the dokku version, and the
 * scheduler with dokku's k3s cluster; next (issue 11) versions and advisories, global domains,
 * SSH keys and disk, each another section.
 */

export type { ClusterNode, K3sCluster }

/** A section of the page: its data, or dokku's (or ssh's) reason it could not be read. */
export type Section<T> = { ok: true; value: T } | { ok: false; error: string }

/** Reads a section; a dokku failure becomes the section's error, anything else is a bug and propagates. */
async function section<T> (load: () => Promise<T>): Promise<Section<T>> {
  try {
    return { ok: true, value: await load() }
  } catch (err) {
    if (!isDokkuError(err)) throw err
    return { ok: false, error: err.message }
  }
}

export interface DokkuInfo {
  /** `0.38.27`, or what dokku printed for a build without a release number. */
  version: string
  /** As `dokku version` printed it (`1723456789:0.38.27`, `v0.38.27-33-g…`, `~master (…)`). */
  raw: string
  /** A build from the development branch. */
  dev: boolean
  /** How Docklight reaches it: "local dokku", "ssh dokku@host:22". */
  reachedBy: string
}

/** `dokku version` (the client reads it once and keeps it). */
async function dokkuInfo (host: Host): Promise<DokkuInfo> {
  const v = await host.dokku.version()
  return { version: formatVersion(v), raw: v.raw, dev: v.dev, reachedBy: host.info.description }
}

/** Each app's scheduler (`scheduler:report` for every app, cached); null before dokku 0.26, which has no scheduler plugin. */
export async function appSchedulers (host: Host): Promise<Map<string, string> | null> {
  const report = await host.cache.get('scheduler:report', 'all', () => host.dokku.schedulerReportAll())
  return report.installed ? new Map(report.apps.map((a) => [a.app, a.scheduler])) : null
}

/**
 * The scheduler one app deploys with, for its overview. Only decoration: when it cannot be
 * read the page still renders, without it.
 */
export function appScheduler (host: Host, app: string): Promise<string | null> {
  return appSchedulers(host).then((all) => all?.get(app) ?? null, () => null)
}

/** dokku's k3s cluster (`scheduler-k3s:cluster:list`, cached: each call opens a Kubernetes client). */
export function k3sCluster (host: Host): Promise<K3sCluster> {
  return host.cache.get('scheduler-k3s:cluster:list', 'all', () => host.dokku.k3sCluster())
}

export interface SchedulerInfo {
  /** false on a dokku before 0.26: no scheduler plugin, every app deploys with docker-local. */
  supported: boolean
  /** The schedulers in use and their apps, most apps first. */
  schedulers: Array<{ name: string; apps: string[] }>
  cluster: K3sCluster
  /** The cluster's nodes that are not ready. */
  notReady: number
}

async function schedulerInfo (host: Host): Promise<SchedulerInfo> {
  const [byApp, cluster] = await Promise.all([appSchedulers(host), k3sCluster(host)])
  const groups = new Map<string, string[]>()
  for (const [app, scheduler] of byApp ?? []) groups.set(scheduler, [...(groups.get(scheduler) ?? []), app])
  const schedulers = [...groups].map(([name, apps]) => ({ name, apps: apps.sort() }))
    .sort((a, b) => b.apps.length - a.apps.length || (a.name < b.name ? -1 : 1))
  return {
    supported: byApp !== null,
    schedulers,
    cluster,
    notReady: cluster.state === 'nodes' ? cluster.nodes.filter((n) => !n.ready).length : 0
  }
}

export interface ServerPage {
  dokku: Section<DokkuInfo>
  scheduler: Section<SchedulerInfo>
}

/** The server page of a host, its sections read in parallel. */
export async function serverPage (host: Host): Promise<ServerPage> {
  const [dokku, scheduler] = await Promise.all([section(() => dokkuInfo(host)), section(() => schedulerInfo(host))])
  return { dokku, scheduler }
}
