import { parseProxyReport, type ProxyReport } from '../parsers/proxy.js'
import { versionAtLeast, type DokkuVersion } from '../parsers/version.js'
import { validateAppName } from '../validate.js'
import { validateProxyType } from '../validate-settings.js'
import { SETTINGS_FEATURES } from './settings-features.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'
import { reportFormat } from './version.js'

/** `dokku proxy:report <app> [--format json]` (json ≥0.23.1). */
export function proxyReport (app: string, version: DokkuVersion): CommandSpec<ProxyReport> {
  const name = validateAppName(app)
  const format = reportFormat(version, 'goReportJson')
  return {
    args: format === 'json' ? ['proxy:report', name, '--format', 'json'] : ['proxy:report', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseProxyReport(name, stdout, format)
  }
}

/**
 * `dokku proxy:set <app> type <type>` (0.38.0+), `proxy:set <app> <type>` before; null goes
 * back to the default (unsets `type`; before 0.38.0, sets nginx). Stores the choice only: the
 * proxy changes at the next deploy or rebuild.
 */
export function proxySetType (app: string, type: string | null, version: DokkuVersion): CommandSpec<void> {
  const name = validateAppName(app)
  const value = type === null ? null : validateProxyType(type)
  const keyed = versionAtLeast(version, SETTINGS_FEATURES.proxySetTypeKey)
  const args = keyed ? ['proxy:set', name, 'type', ...(value === null ? [] : [value])] : ['proxy:set', name, value ?? 'nginx']
  return {
    args,
    app: name,
    label: value === null ? `Reset the proxy type of ${name}` : `Set the proxy type of ${name} to ${value}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}

/**
 * `dokku proxy:enable|disable <app>`: with nginx this restarts the app, and the vhost hooks
 * clear a port map that has an http:80 or https:443 entry (app-settings.md §2.3). A job.
 */
export function proxyToggle (app: string, enable: boolean): CommandSpec<void> {
  const name = validateAppName(app)
  return {
    args: [enable ? 'proxy:enable' : 'proxy:disable', name],
    app: name,
    kind: 'job',
    label: `${enable ? 'Enable' : 'Disable'} the proxy of ${name}`,
    timeoutMs: TIMEOUTS.deploy,
    parse: noParse
  }
}

/** `dokku proxy:build-config <app>`: regenerates and reloads the proxy config (what nginx:set needs). */
export function proxyBuildConfig (app: string): CommandSpec<void> {
  const name = validateAppName(app)
  return { args: ['proxy:build-config', name], app: name, label: `Rebuild the proxy config of ${name}`, timeoutMs: TIMEOUTS.change, parse: noParse }
}
