import { isDokkuError } from '../dokku/client.js'
import type { PluginResult } from '../dokku/commands/spec.js'
import type { CronJobState, DiskUsage, GlobalDomains } from '../dokku/parsers/host.js'
import type { PluginInfo } from '../dokku/parsers/plugins.js'
import type { ClusterNode, K3sCluster } from '../dokku/parsers/scheduler.js'
import { formatVersion } from '../dokku/parsers/version.js'
import type { Host } from '../hosts/host.js'
import type { JobSnapshot } from '../jobs/manager.js'
import { advisoriesFor, SECURITY_FLOOR, UNNUMBERED_FIXES, UPGRADE_COMMAND, UPGRADE_DOCS, type Advisory } from '../watchdog/advisories.js'
import type { AlertsContext } from '../watchdog/context.js'
import { daysToFull, THRESHOLDS } from '../watchdog/rules.js'
import { parseDomainField } from './domains.js'
import { privilege, sshKeys, type Privilege, type SshKey } from './server-keys.js'

/**
 * What a host itself runs: the server page, and the scheduler each app deploys with (for the
 * app pages). The page is made of sections, each read on its own: a section dokku refuses
 * shows dokku's message and the others still render: the dokku version with the advisories
 * that apply (server.md §8) and the plugins, the schedulers with dokku's k3s cluster, the global
 * domains (§5), the SSH keys (§1, in ./server-keys.ts), the disks with `dokku cleanup` (§7) and
 * the Let's Encrypt renewal job (§4.3).
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
  /** The advisories that apply to it, oldest fix first; `known: false` when the version could not be read. */
  security: { known: boolean; advisories: Advisory[]; floor: string; upgrade: string; docs: string; unnumbered: typeof UNNUMBERED_FIXES }
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
  const security = { ...advisoriesFor(v), floor: SECURITY_FLOOR, upgrade: UPGRADE_COMMAND, docs: UPGRADE_DOCS, unnumbered: UNNUMBERED_FIXES }
  return { version: formatVersion(v), raw: v.raw, dev: v.dev, reachedBy: host.info.description, security }
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

// ---- plugins, global domains, SSH keys, disk, renewal job (issue 11) ----------------------------

/** The plugins and their versions (`plugin:list`, cached: the plugins page shares it). */
function plugins (host: Host): Promise<PluginInfo[]> {
  return host.cache.get('plugin:list', 'all', () => host.dokku.listPlugins())
}

/** The global domains (`domains:report --global`, cached). */
export function globalDomains (host: Host): Promise<GlobalDomains> {
  return host.cache.get('domains:report:--global', 'all', () => host.dokku.globalDomains())
}

export interface KeysInfo {
  keys: SshKey[]
  privilege: Privilege
}

async function keysInfo (host: Host): Promise<KeysInfo> {
  const [keys, who] = await Promise.all([sshKeys(host), privilege(host)])
  return { keys, privilege: who }
}

export interface DiskRow extends DiskUsage {
  level: 'ok' | 'warning' | 'critical'
  /** Days until full at the rate of the kept samples; null without enough of them or while it does not grow. */
  daysToFull: number | null
}

export interface CleanupPreview {
  /** Exited and dead containers dokku knows of (`ps:report`), which cleanup removes. */
  containers: Array<{ app: string; process: string; status: string }>
  /** Those apps are not running them: a stopped app's containers go too (ps:start makes new ones). */
  stoppedApps: string[]
}

export interface DiskInfo {
  rows: DiskRow[]
  /** When the figures were taken (the watchdog's last sample, or now). */
  sampledAt: string
  preview: CleanupPreview | null
  runningJob: JobSnapshot | null
}

/** The job-lock key of `dokku cleanup` (a space: never an app name). */
export const CLEANUP_JOB_KEY = 'dokku cleanup'

/**
 * What `dokku cleanup` would remove, as far as dokku can say: the exited and dead containers it
 * reports per app. Dangling images it cannot list (every one on the host goes, dokku's or not).
 */
export async function cleanupPreview (host: Host): Promise<CleanupPreview> {
  const reports = await host.cache.get('ps:report', 'all', () => host.dokku.psReportAll())
  const containers = reports.flatMap((r) => r.processes
    .filter((p) => p.status === 'exited' || p.status === 'dead')
    .map((p) => ({ app: r.app, process: `${p.type}.${p.index}`, status: p.status })))
  const stoppedApps = reports.filter((r) => r.deployed && !r.restore && r.processes.some((p) => p.status === 'exited')).map((r) => r.app)
  return { containers, stoppedApps }
}

/**
 * The disks: the watchdog's latest samples when they are fresh (no dokku call), else a sample
 * now (for an SSH host a `dokku report`, cached). The forecast comes from the kept samples.
 */
async function diskInfo (host: Host, alerts: AlertsContext): Promise<DiskInfo> {
  const now = alerts.now()
  const latest = alerts.disk.latest(host.name)
  const fresh = latest.length > 0 && latest.every((s) => now.getTime() - s.at < 2 * alerts.watchdog.intervalMs)
  let usage: DiskUsage[]
  let sampledAt: number
  if (fresh) {
    usage = latest.map((s) => ({ filesystem: '', mount: s.mount, sizeBytes: s.sizeBytes, usedBytes: s.usedBytes, availBytes: Math.max(0, s.sizeBytes - s.usedBytes), usePercent: Math.ceil((s.usedBytes / Math.max(1, s.sizeBytes)) * 100) }))
    sampledAt = Math.max(...latest.map((s) => s.at))
  } else {
    usage = await host.cache.get('disk:sample', 'all', () => alerts.diskSampler.sample(host))
    sampledAt = now.getTime()
  }
  const rows = usage.map((d): DiskRow => ({
    ...d,
    level: d.usePercent > THRESHOLDS.diskCriticalPercent ? 'critical' : d.usePercent > THRESHOLDS.diskWarningPercent ? 'warning' : 'ok',
    daysToFull: daysToFull(alerts.disk.recent(host.name, d.mount, now.getTime() - THRESHOLDS.forecastWindowMs), d.sizeBytes, now)
  }))
  const preview = await cleanupPreview(host).catch((err: unknown) => {
    if (isDokkuError(err)) return null
    throw err
  })
  return { rows, sampledAt: new Date(sampledAt).toISOString(), preview, runningJob: host.runningJob(CLEANUP_JOB_KEY) ?? null }
}

/** The renewal job's state (`letsencrypt:cron-job`, cached). */
function renewalJob (host: Host): Promise<PluginResult<{ state: CronJobState }>> {
  return host.cache.get('letsencrypt:cron-job', 'all', () => host.dokku.letsencryptCronJob())
}

export interface ServerPage {
  dokku: Section<DokkuInfo>
  plugins: Section<PluginInfo[]>
  scheduler: Section<SchedulerInfo>
  domains: Section<GlobalDomains>
  keys: Section<KeysInfo>
  disk: Section<DiskInfo>
  renewal: Section<PluginResult<{ state: CronJobState }>>
}

/** The server page of a host, its sections read in parallel. */
export async function serverPage (host: Host, alerts: AlertsContext): Promise<ServerPage> {
  const [dokku, pluginList, scheduler, domains, keys, disk, renewal] = await Promise.all([
    section(() => dokkuInfo(host)),
    section(() => plugins(host)),
    section(() => schedulerInfo(host)),
    section(() => globalDomains(host)),
    section(() => keysInfo(host)),
    section(() => diskInfo(host, alerts)),
    section(() => renewalJob(host))
  ])
  return { dokku, plugins: pluginList, scheduler, domains, keys, disk, renewal }
}

// ---- changes ------------------------------------------------------------------------------------

export type GlobalDomainsChange = 'add' | 'remove' | 'set'

/**
 * Adds, removes or replaces the global domains (one or several, as typed). Existing apps keep
 * their domains: only apps created later, `domains:enable` and `domains:reset` use the new
 * list (server.md §5). Every cached read of the host is dropped: each app's report shows it.
 */
export async function changeGlobalDomains (host: Host, change: GlobalDomainsChange, typed: string | undefined): Promise<string[]> {
  const list = parseDomainField(typed)
  try {
    if (change === 'add') await host.dokku.addGlobalDomains(list)
    else if (change === 'remove') await host.dokku.removeGlobalDomains(list)
    else await host.dokku.setGlobalDomains(list)
  } finally {
    host.cache.clear()
  }
  return list
}

/** `dokku cleanup` as a job; everything cached of the host is dropped when it ends. */
export function cleanup (host: Host): JobSnapshot {
  return host.startJob({
    app: CLEANUP_JOB_KEY,
    label: 'Clean up exited containers and dangling images',
    command: 'dokku cleanup',
    run: async (ctx) => {
      try {
        return await host.dokku.cleanup(ctx)
      } finally {
        host.cache.clear()
      }
    }
  })
}

/** Turns Let's Encrypt's daily renewal job on or off for the whole host. */
export async function setRenewalJob (host: Host, enable: boolean): Promise<void> {
  try {
    await host.dokku.letsencryptCronJobSet(enable)
  } finally {
    host.cache.clear()
  }
}
