import { OutputParseError } from '../errors.js'
import { isLogHeader, splitLines, words } from './common.js'
import { parseReportText, toRecord, type Fields } from './report.js'

export interface ServiceListItem {
  name: string
  /** Only the pre-1.10 plugins' table had these; null for the names-only list. */
  version: string | null
  status: string | null
  exposedPorts: string[] | null
  links: string[] | null
}

/**
 * `<db>:list`: names under `=====> Postgres services` (or bare with `--quiet`), or, on plugins
 * before 1.10.0, the `NAME VERSION STATUS EXPOSED PORTS LINKS` table from `column -t`.
 */
export function parseServiceList (stdout: string): ServiceListItem[] {
  const items: ServiceListItem[] = []
  for (const line of splitLines(stdout)) {
    const trimmed = line.trim()
    if (trimmed === '' || isLogHeader(line) || line.startsWith(' !')) continue
    if (/^NAME\s+VERSION\s+STATUS\b/.test(trimmed)) continue
    if (!/\s/.test(trimmed)) {
      items.push({ name: trimmed, version: null, status: null, exposedPorts: null, links: null })
      continue
    }
    // column -t separates cells with two spaces or more; a cell holds single spaces at most.
    const [name = '', version = '', status = '', ports = '', links = ''] = trimmed.split(/\s{2,}/)
    items.push({ name, version, status, exposedPorts: words(ports), links: words(links) })
  }
  return items
}

export interface ServiceInfo {
  service: string
  /** The container's docker state (`running`, `exited`, …) or `missing`. */
  status: string
  /** The image, e.g. `postgres:17.6`; '' without a container. */
  version: string
  /** The connection URL, password included: show with care, never log. */
  dsn: string
  /** `5432->23456` pairs; [] when not exposed (`-`). */
  exposedPorts: string[]
  /** Linked app names; [] when none (`-`). */
  links: string[]
  id: string
  internalIp: string
  configDir: string
  configOptions: string
  dataDir: string
  serviceRoot: string
  initialNetwork: string
  postCreateNetwork: string
  postStartNetwork: string
  raw: Record<string, string>
}

export function serviceInfoFromFields (service: string, fields: Fields): ServiceInfo {
  const get = (k: string) => fields.get(k) ?? ''
  return {
    service,
    status: get('status'),
    version: get('version'),
    dsn: get('dsn'),
    exposedPorts: words(fields.get('exposed-ports')),
    links: words(fields.get('links')),
    id: get('id'),
    internalIp: get('internal-ip'),
    configDir: get('config-dir'),
    configOptions: get('config-options'),
    dataDir: get('data-dir'),
    serviceRoot: get('service-root'),
    initialNetwork: get('initial-network'),
    postCreateNetwork: get('post-create-network'),
    postStartNetwork: get('post-start-network'),
    raw: toRecord(fields)
  }
}

/**
 * `<db>:info <svc>`: `=====> <svc> <plugin> service information`, then `%-20s %-25s` rows.
 * Also reads the info block that `<db>:create` prints at its end.
 */
export function parseServiceInfo (service: string, stdout: string): ServiceInfo {
  const sections = parseReportText(stdout)
  const section = sections.find((s) => s.type.endsWith('service')) ?? sections[0]
  if (!section) throw new OutputParseError('expected a service information block')
  return serviceInfoFromFields(service, section.fields)
}
