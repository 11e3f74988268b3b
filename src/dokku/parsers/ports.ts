import { OutputParseError } from '../errors.js'
import { parseJsonOutput, words } from './common.js'
import { singleReport, toRecord } from './report.js'

/**
 * `ports:report <app>` (dokku-reference/app-settings.md §1.4): the configured port map (what
 * ports:set/add wrote) and the detected one (written at deploy, never empty). The proxy uses
 * the configured map when there is one, else the detected one.
 */

export interface PortMapping {
  scheme: string
  hostPort: number
  containerPort: number
  /** `http:80:5000`, as dokku takes it back. */
  text: string
}

export interface PortsReport {
  app: string
  configured: PortMapping[]
  detected: PortMapping[]
  /** What the proxy serves: `configured` when it has any mapping, else `detected`. */
  effective: PortMapping[]
  raw: Record<string, string>
}

function mapping (scheme: string, hostPort: number, containerPort: number): PortMapping {
  return { scheme, hostPort, containerPort, text: `${scheme}:${hostPort}:${containerPort}` }
}

/** `http:80:5000 https:443:5000` (sorted by dokku; bare internal ports are never stored). */
export function parsePortMapList (value: string | undefined): PortMapping[] {
  return words(value).flatMap((w) => {
    const m = w.match(/^([^:]*):(\d+):(\d+)$/)
    return m ? [mapping(m[1]!, Number(m[2]), Number(m[3]))] : []
  })
}

/**
 * The `*-json` keys (0.38.26+): a JSON array of `{"container_port","host_port","scheme"}`, or
 * `null` (not `[]`) when no map is configured.
 */
export function parsePortMapJson (value: string): PortMapping[] {
  const data = parseJsonOutput(value, 'a port map')
  if (data === null) return []
  if (!Array.isArray(data)) throw new OutputParseError('expected a JSON array of port mappings')
  return data.map((row: unknown) => {
    const r = row as { scheme?: unknown, host_port?: unknown, container_port?: unknown }
    if (typeof r?.scheme !== 'string' || typeof r.host_port !== 'number' || typeof r.container_port !== 'number') {
      throw new OutputParseError('expected {"container_port","host_port","scheme"} port mappings')
    }
    return mapping(r.scheme, r.host_port, r.container_port)
  })
}

function maps (fields: ReadonlyMap<string, string>, key: 'map' | 'map-detected'): PortMapping[] {
  const json = fields.get(`${key}-json`)
  return json !== undefined && json.trim() !== '' ? parsePortMapJson(json) : parsePortMapList(fields.get(key))
}

/** `ports:report <app> [--format json]`: JSON (0.31.0+; `ports-` keys only before 0.38.8) or text rows. */
export function parsePortsReport (app: string, stdout: string, format: 'json' | 'text'): PortsReport {
  const fields = singleReport(stdout, format, 'ports')
  const configured = maps(fields, 'map')
  const detected = maps(fields, 'map-detected')
  return { app, configured, detected, effective: configured.length > 0 ? configured : detected, raw: toRecord(fields) }
}
