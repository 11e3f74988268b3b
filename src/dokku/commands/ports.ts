import { InvalidArgumentError } from '../errors.js'
import { parsePortsReport, type PortsReport } from '../parsers/ports.js'
import { versionAtLeast, type DokkuVersion } from '../parsers/version.js'
import { validateAppName } from '../validate.js'
import { validatePortMaps, validatePortRemoval } from '../validate-settings.js'
import { SETTINGS_FEATURES } from './settings-features.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'

/**
 * `dokku ports:report <app> --format json` (0.31.0+; text rows otherwise). Not `ports:list`:
 * it exits 1 when no map is configured and has no JSON (app-settings.md §1.3).
 */
export function portsReport (app: string, version: DokkuVersion): CommandSpec<PortsReport> {
  const name = validateAppName(app)
  const format = versionAtLeast(version, SETTINGS_FEATURES.portsPlugin) ? 'json' : 'text'
  return {
    args: format === 'json' ? ['ports:report', name, '--format', 'json'] : ['ports:report', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parsePortsReport(name, stdout, format)
  }
}

export type PortsChange = 'add' | 'remove' | 'set' | 'clear'

const LABELS: Record<PortsChange, (app: string, list: string) => string> = {
  add: (app, list) => `Map ${list} on ${app}`,
  remove: (app, list) => `Unmap ${list} on ${app}`,
  set: (app, list) => `Set the port map of ${app} to ${list}`,
  clear: (app) => `Clear the port map of ${app}`
}

/**
 * `dokku ports:add|set <app> <scheme:host:container>…`, `ports:remove <app> <map|host-port>…`,
 * `ports:clear <app>`. Each mapping is its own argv word (dokku re-joins and re-splits them on
 * single spaces). With nginx the config is rebuilt and reloaded at once; no restart.
 */
export function portsChange (app: string, change: PortsChange, entries: readonly string[] = []): CommandSpec<void> {
  const name = validateAppName(app)
  let list: string[]
  if (change === 'clear') {
    if (entries.length > 0) throw new InvalidArgumentError('map', 'ports:clear takes no mapping')
    list = []
  } else if (change === 'remove') {
    if (entries.length === 0) throw new InvalidArgumentError('map', 'Give a mapping or a host port to remove')
    list = [...new Set(entries.map((e) => validatePortRemoval(e)))]
  } else {
    list = validatePortMaps(entries)
  }
  return {
    args: [`ports:${change}`, name, ...list],
    app: name,
    label: LABELS[change](name, list.join(' ')),
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}
