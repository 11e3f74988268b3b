import { parseMaintenanceReport, type MaintenanceReport } from '../parsers/maintenance.js'
import { validateAppName } from '../validate.js'
import { isNotInstalled, noParse, TIMEOUTS, type CommandSpec, type PluginResult } from './spec.js'

/** How an admin installs the plugin (as root, on the dokku host). */
export const MAINTENANCE_INSTALL = 'sudo dokku plugin:install https://github.com/dokku/dokku-maintenance.git maintenance'

/** `dokku maintenance:report <app>` as text (the plugin's JSON needs its 0.9.0). Not installed → `{ installed: false }`. */
export function maintenanceReport (app: string): CommandSpec<PluginResult<{ report: MaintenanceReport }>> {
  const name = validateAppName(app)
  return {
    args: ['maintenance:report', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    acceptFailure: isNotInstalled,
    parse: (out) => (out.exitCode !== 0 ? { installed: false } : { installed: true, report: parseMaintenanceReport(name, out.stdout) })
  }
}

/** `dokku maintenance:enable|disable <app>`: an nginx reload, no restart (nginx proxy only). */
export function maintenanceToggle (app: string, enable: boolean): CommandSpec<void> {
  const name = validateAppName(app)
  return {
    args: [enable ? 'maintenance:enable' : 'maintenance:disable', name],
    app: name,
    label: `Turn maintenance mode ${enable ? 'on' : 'off'} for ${name}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}
