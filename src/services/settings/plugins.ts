import { HTTP_AUTH_INSTALL } from '../../dokku/commands/http-auth.js'
import { MAINTENANCE_INSTALL } from '../../dokku/commands/maintenance.js'
import { InvalidArgumentError } from '../../dokku/errors.js'
import type { HttpAuthReport, MaintenanceReport } from '../../dokku/parsers/maintenance.js'
import { validateAuthPassword, validateAuthUser, validateIpOrCidr } from '../../dokku/validate-settings.js'
import type { Host } from '../../hosts/host.js'
import { applied, checked, done, field, soft, type Effect, type Read, type SectionDef } from './common.js'
import { httpAuthReport, maintenanceReport } from './reads.js'

/**
 * The official maintenance and http-auth plugins. Both change nginx's config and reload it at
 * once (nginx proxy only); neither restarts the app. When a plugin is not installed the section
 * shows the command an admin runs as root on the dokku host. Passwords go to dokku as one argv
 * word (the plugin hashes them with mkpasswd) and are never stored, shown or logged by Docklight.
 */

export { HTTP_AUTH_INSTALL, MAINTENANCE_INSTALL }

/** A plugin's state: installed with its report, or the install command. */
export type PluginView<T> = { installed: true, report: T } | { installed: false, install: string }

export interface MaintenanceView {
  maintenance: Read<PluginView<MaintenanceReport>>
  effect: Effect
}

export const PLUGIN_EFFECT: Effect = { kind: 'now', text: 'Changes here reload nginx at once (nginx proxy only); the app keeps running.' }

export async function readMaintenance (host: Host, app: string): Promise<MaintenanceView> {
  const maintenance = await soft(maintenanceReport(host, app).then((r): PluginView<MaintenanceReport> =>
    r.installed ? { installed: true, report: r.report } : { installed: false, install: MAINTENANCE_INSTALL }))
  return { maintenance, effect: PLUGIN_EFFECT }
}

export const maintenanceSection: SectionDef<MaintenanceView> = {
  title: 'Maintenance',
  read: readMaintenance,
  actions: {
    enable: async (host, app) => {
      const warnings = await applied(host, app, () => host.dokku.maintenanceToggle(app, true))
      return done(`Maintenance mode is on: visitors of ${app} get the maintenance page (503).`, warnings)
    },
    disable: async (host, app) => {
      const warnings = await applied(host, app, () => host.dokku.maintenanceToggle(app, false))
      return done(`Maintenance mode is off: ${app} serves its visitors again.`, warnings)
    }
  }
}

export interface HttpAuthView {
  httpAuth: Read<PluginView<HttpAuthReport>>
  effect: Effect
}

export async function readHttpAuth (host: Host, app: string): Promise<HttpAuthView> {
  const httpAuth = await soft(httpAuthReport(host, app).then((r): PluginView<HttpAuthReport> =>
    r.installed ? { installed: true, report: r.report } : { installed: false, install: HTTP_AUTH_INSTALL }))
  return { httpAuth, effect: PLUGIN_EFFECT }
}

/** A user and password from the form, both or neither. */
function credentials (user: string, password: string | undefined): { user: string, password: string } | null {
  if (user === '' && (password ?? '') === '') return null
  return { user: validateAuthUser(user), password: validateAuthPassword(password ?? '') }
}

export const httpAuthSection: SectionDef<HttpAuthView> = {
  title: 'HTTP auth',
  read: readHttpAuth,
  actions: {
    /**
     * With a first user, or without one only when users or allowed IPs exist already: the
     * plugin's 0.10.0 otherwise locks everyone out (auth_basic with an empty user list).
     */
    enable: async (host, app, form) => {
      const first = credentials(field(form, 'user'), form.password)
      if (first === null && !checked(form, 'no_user')) {
        const r = await httpAuthReport(host, app)
        if (r.installed && r.report.users.length === 0 && r.report.allowedIps.length === 0) {
          throw new InvalidArgumentError('user', 'Add a first user (or allow an IP first): with no user at all, HTTP auth locks everyone out.')
        }
      }
      const warnings = await applied(host, app, () => host.dokku.httpAuthEnable(app, first?.user ?? null, first?.password ?? null))
      return done(`HTTP auth is on for ${app}${first ? ` (user ${first.user})` : ''}.`, warnings.filter((w) => w !== 'Skipping user initialization'))
    },
    disable: async (host, app) => {
      const warnings = await applied(host, app, () => host.dokku.httpAuthDisable(app))
      return done(`HTTP auth is off for ${app}; its users are kept for next time.`, warnings)
    },
    'add-user': async (host, app, form) => {
      const user = validateAuthUser(field(form, 'user'))
      const password = validateAuthPassword(form.password ?? '')
      const warnings = await applied(host, app, () => host.dokku.httpAuthAddUser(app, user, password))
      return done(`Added ${user} (or changed their password).`, warnings)
    },
    'remove-user': async (host, app, form) => {
      const user = validateAuthUser(field(form, 'user'))
      const warnings = await applied(host, app, () => host.dokku.httpAuthRemoveUser(app, user))
      return done(`Removed ${user}.`, warnings)
    },
    'add-ip': async (host, app, form) => {
      const ip = validateIpOrCidr(field(form, 'ip'))
      const warnings = await applied(host, app, () => host.dokku.httpAuthAllowedIp(app, ip, true))
      return done(`${ip} gets in without a password. (This turns HTTP auth on if it was off.)`, warnings)
    },
    'remove-ip': async (host, app, form) => {
      const ip = validateIpOrCidr(field(form, 'ip'))
      const warnings = await applied(host, app, () => host.dokku.httpAuthAllowedIp(app, ip, false))
      return done(`${ip} needs a password again.`, warnings)
    }
  }
}
