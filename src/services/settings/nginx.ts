import { InvalidArgumentError } from '../../dokku/errors.js'
import type { NginxReport, NginxValue } from '../../dokku/parsers/nginx.js'
import { NGINX_KEYS, validateNginxValue, type NginxKey } from '../../dokku/validate-settings.js'
import type { Host } from '../../hosts/host.js'
import { applied, done, field, nothingChanged, soft, type Effect, type Read, type SectionDef } from './common.js'
import { nginxReport, proxyReport } from './reads.js'

/**
 * The nginx keys admins edit. dokku checks none of these values (they go verbatim into
 * nginx.conf), so Docklight does; a change is `nginx:set` per key, then one
 * `proxy:build-config` so it applies at once (nginx:set alone applies nothing).
 */

export { NGINX_KEYS }
export type { NginxKey }

/** What each key means, for the form. */
export const NGINX_LABELS: Record<NginxKey, string> = {
  'client-max-body-size': 'Largest request body (0 = no limit)',
  'proxy-read-timeout': 'Proxy read timeout',
  'proxy-send-timeout': 'Proxy send timeout',
  'proxy-connect-timeout': 'Proxy connect timeout',
  hsts: 'HSTS',
  'hsts-include-subdomains': 'HSTS: include subdomains',
  'hsts-preload': 'HSTS: preload',
  'hsts-max-age': 'HSTS max age (seconds)',
  'access-log-path': 'Access log path (off to turn it off)',
  'error-log-path': 'Error log path (off to turn it off)'
}

export interface NginxRow extends NginxValue {
  key: NginxKey
  label: string
  kind: typeof NGINX_KEYS[NginxKey]
}

export interface NginxView {
  nginx: Read<NginxReport>
  rows: NginxRow[]
  /** The proxy is not nginx: these settings are stored but nothing reads them. */
  otherProxy: string | null
  effect: Effect
}

export const NGINX_EFFECT: Effect = { kind: 'now', text: 'Saving rebuilds the nginx config (proxy:build-config) and reloads it at once; the app keeps running.' }

export async function read (host: Host, app: string): Promise<NginxView> {
  const [nginx, proxy] = await Promise.all([soft(nginxReport(host, app)), soft(proxyReport(host, app))])
  const props = nginx.ok ? nginx.value.properties : {}
  const rows = (Object.keys(NGINX_KEYS) as NginxKey[]).map((key): NginxRow => ({
    key, label: NGINX_LABELS[key], kind: NGINX_KEYS[key], ...(props[key] ?? { value: '', global: '', computed: '' })
  }))
  const otherProxy = proxy.ok && proxy.value.type !== 'nginx' ? proxy.value.type : null
  return { nginx, rows, otherProxy, effect: NGINX_EFFECT }
}

export type NginxLog = 'access' | 'error'

/** The last lines of the app's nginx access or error log (`nginx:access-logs`, read fresh). */
export async function logTail (host: Host, app: string, log: string | undefined): Promise<{ log: NginxLog; lines: string[] }> {
  if (log !== undefined && log !== 'access' && log !== 'error') throw new InvalidArgumentError('log', 'The log is access or error')
  const which: NginxLog = log === 'error' ? 'error' : 'access'
  return { log: which, lines: await host.dokku.nginxLogs(app, which) }
}

export const section: SectionDef<NginxView> = {
  title: 'Nginx',
  read,
  actions: {
    /** Every key of the form, prefilled with the app's own values: the ones that differ are set (or unset when emptied). */
    set: async (host, app, form) => {
      const wanted = new Map<NginxKey, string | null>()
      for (const key of Object.keys(NGINX_KEYS) as NginxKey[]) {
        if (form[key] === undefined) continue
        const raw = field(form, key)
        wanted.set(key, raw === '' ? null : validateNginxValue(key, raw))
      }
      const current = (await nginxReport(host, app)).properties
      const changes = [...wanted].filter(([key, value]) => (value ?? '') !== (current[key]?.value ?? ''))
      if (changes.length === 0) nothingChanged('client-max-body-size')
      const warnings = await applied(host, app, async () => {
        const outcomes = []
        for (const [key, value] of changes) outcomes.push(await host.dokku.nginxSet(app, key, value))
        outcomes.push(await host.dokku.proxyBuildConfig(app))
        return outcomes
      })
      const shown = changes.map(([key, value]) => `${key} ${value ?? 'reset'}`).join(', ')
      return done(`Nginx: ${shown}. Config rebuilt and reloaded.`, warnings)
    }
  }
}
