import type { PortsReport } from '../../dokku/parsers/ports.js'
import type { ResourceReport } from '../../dokku/parsers/resource.js'
import type { Host } from '../../hosts/host.js'
import { httpAuthReport, maintenanceReport, portsReport, proxyReport, resourceReport, storageList, summaryKeys } from './reads.js'

/**
 * The overview's one line of non-default settings ("ports 80→5000, 2 mounts, memory 512m,
 * maintenance on"), each item linking to its section. Only decoration: a setting that cannot be
 * read is left out, never fails the overview. Six cached reads, in parallel.
 */

export interface SummaryItem {
  text: string
  /** The settings section it links to (`#ports`). */
  section: string
}

/** `ports 80→5000` from the configured map (the detected default is not news). */
export function portsItem (report: PortsReport): SummaryItem | null {
  if (report.configured.length === 0) return null
  const pairs = [...new Set(report.configured.map((m) => `${m.hostPort}→${m.containerPort}`))]
  return { text: `ports ${pairs.join(', ')}`, section: 'ports' }
}

/** `memory 512m`, `cpu 0.5 (web)`, `reserve memory 256m`. */
export function resourceItems (report: ResourceReport): SummaryItem[] {
  const items: SummaryItem[] = []
  for (const [kind, byProc] of [['', report.limits], ['reserve ', report.reservations]] as const) {
    for (const [proc, values] of Object.entries(byProc)) {
      for (const [key, value] of Object.entries(values)) {
        items.push({ text: `${kind}${key} ${value}${proc === '_default_' ? '' : ` (${proc})`}`, section: 'resources' })
      }
    }
  }
  return items
}

async function quietly<T> (read: Promise<T>): Promise<T | null> {
  try {
    return await read
  } catch {
    return null
  }
}

export async function summary (host: Host, app: string): Promise<SummaryItem[]> {
  const [ports, proxy, mounts, resources, maintenance, httpAuth] = await Promise.all([
    quietly(portsReport(host, app)), quietly(proxyReport(host, app)), quietly(storageList(host, app)),
    quietly(resourceReport(host, app)), quietly(maintenanceReport(host, app)), quietly(httpAuthReport(host, app))
  ])
  const items: SummaryItem[] = []
  const p = ports && portsItem(ports)
  if (p) items.push(p)
  if (proxy && !proxy.enabled) items.push({ text: 'proxy off', section: 'ports' })
  else if (proxy && proxy.type !== 'nginx') items.push({ text: `proxy ${proxy.type}`, section: 'ports' })
  if (mounts && mounts.length > 0) items.push({ text: mounts.length === 1 ? '1 mount' : `${mounts.length} mounts`, section: 'storage' })
  if (resources) items.push(...resourceItems(resources))
  if (maintenance?.installed && maintenance.report.enabled) items.push({ text: 'maintenance on', section: 'maintenance' })
  if (httpAuth?.installed && httpAuth.report.enabled) items.push({ text: 'HTTP auth on', section: 'http-auth' })
  return items
}

/**
 * The line at once when its six reads are cached; null when they would wait for dokku. The
 * overview then loads the line as a panel of its own (`/apps/:app/settings/summary`), so its
 * first view costs the processes read, not two rounds of the read lane.
 */
export function summaryIfCached (host: Host, app: string): Promise<SummaryItem[]> | null {
  return summaryKeys(app).every((key) => host.cache.has(key)) ? summary(host, app) : null
}
