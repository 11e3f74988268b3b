import { InvalidArgumentError } from '../../dokku/errors.js'
import type { PortsReport } from '../../dokku/parsers/ports.js'
import type { ProxyReport } from '../../dokku/parsers/proxy.js'
import { PORT_SCHEMES, PROXY_TYPES, validatePortMaps, validatePortRemoval, validateProxyType } from '../../dokku/validate-settings.js'
import type { Host } from '../../hosts/host.js'
import { applied, done, field, soft, type Effect, type Read, type SectionDef } from './common.js'
import { portsReport, proxyReport } from './reads.js'

/**
 * Ports and proxy: the port map (what the proxy forwards where), the proxy type and whether the
 * proxy is on. Port changes reload nginx at once; the other proxies read them at the next deploy.
 * Turning the proxy off or on restarts the app (a job) and, with nginx, clears a port map that
 * has an http:80 or https:443 entry (app-settings.md §2.3).
 */

export { PORT_SCHEMES, PROXY_TYPES }

export interface PortsView {
  ports: Read<PortsReport>
  proxy: Read<ProxyReport>
  effect: Effect
}

export function portsEffect (proxy: Read<ProxyReport>): Effect {
  const type = proxy.ok ? proxy.value.type : 'nginx'
  if (proxy.ok && !proxy.value.enabled) return { kind: 'deploy', text: 'The proxy is off: port changes are stored and apply when it is turned on again.' }
  return type === 'nginx'
    ? { kind: 'now', text: 'Port changes rebuild and reload the nginx config at once; the app keeps running.' }
    : { kind: 'rebuild', text: `Port changes are stored: the ${type} proxy reads them at the next deploy or rebuild.` }
}

export async function read (host: Host, app: string): Promise<PortsView> {
  const [ports, proxy] = await Promise.all([soft(portsReport(host, app)), soft(proxyReport(host, app))])
  return { ports, proxy, effect: portsEffect(proxy) }
}

/** The add form: scheme, host port, container port (one mapping). */
function mappingFrom (form: Record<string, string | undefined>): string {
  const map = `${field(form, 'scheme')}:${field(form, 'host_port')}:${field(form, 'container_port')}`
  return validatePortMaps([map], 'map')[0]!
}

/** The "set all" form: mappings separated by spaces, commas or line breaks. */
function mappingsFrom (text: string): string[] {
  if (text.length > 2000) throw new InvalidArgumentError('maps', 'That is too long')
  return validatePortMaps(text.split(/[\s,]+/).filter((m) => m !== ''), 'maps')
}

const applies = async (host: Host, app: string): Promise<string> => {
  const proxy = await soft(proxyReport(host, app))
  return portsEffect(proxy).kind === 'now' ? 'nginx reloaded.' : 'It applies at the next deploy or rebuild.'
}

export const section: SectionDef<PortsView> = {
  title: 'Ports and proxy',
  read,
  actions: {
    add: async (host, app, form) => {
      const map = mappingFrom(form)
      const warnings = await applied(host, app, () => host.dokku.portsChange(app, 'add', [map]))
      return done(`Mapped ${map}. ${await applies(host, app)}`, warnings)
    },
    set: async (host, app, form) => {
      const maps = mappingsFrom(field(form, 'maps'))
      const warnings = await applied(host, app, () => host.dokku.portsChange(app, 'set', maps))
      return done(`Port map set to ${maps.join(' ')}. ${await applies(host, app)}`, warnings)
    },
    remove: async (host, app, form) => {
      const map = validatePortRemoval(field(form, 'map'))
      const warnings = await applied(host, app, () => host.dokku.portsChange(app, 'remove', [map]))
      return done(`Removed ${map}. ${await applies(host, app)}`, warnings)
    },
    clear: async (host, app) => {
      const warnings = await applied(host, app, () => host.dokku.portsChange(app, 'clear', []))
      return done(`Cleared the port map: the detected one (or http:80:5000) applies. ${await applies(host, app)}`, warnings)
    },
    'proxy-type': async (host, app, form) => {
      const raw = field(form, 'type')
      const type = raw === '' ? null : validateProxyType(raw)
      const warnings = await applied(host, app, () => host.dokku.proxySetType(app, type))
      return done(`${type === null ? 'Proxy type reset to the default' : `Proxy type set to ${type}`}: it changes at the next deploy or rebuild.`, warnings, 'rebuild')
    },
    'proxy-enable': async (host, app) => ({
      kind: 'job',
      job: host.startJob({ app, label: `Enable the proxy of ${app}`, run: (ctx) => host.dokku.proxyToggle(app, true, ctx) })
    }),
    'proxy-disable': async (host, app) => ({
      kind: 'job',
      job: host.startJob({ app, label: `Disable the proxy of ${app}`, run: (ctx) => host.dokku.proxyToggle(app, false, ctx) })
    })
  }
}
