import { parseHttpAuthReport, type HttpAuthReport } from '../parsers/maintenance.js'
import { REDACTED, redactValues } from '../redact.js'
import { validateAppName } from '../validate.js'
import { validateAuthPassword, validateAuthUser, validateIpOrCidr } from '../validate-settings.js'
import { isNotInstalled, noParse, TIMEOUTS, type CommandSpec, type PluginResult } from './spec.js'

/** How an admin installs the plugin (as root, on the dokku host). */
export const HTTP_AUTH_INSTALL = 'sudo dokku plugin:install https://github.com/dokku/dokku-http-auth.git http-auth'

/** `dokku http-auth:report <app>` (text only: the plugin has no JSON). Not installed → `{ installed: false }`. */
export function httpAuthReport (app: string): CommandSpec<PluginResult<{ report: HttpAuthReport }>> {
  const name = validateAppName(app)
  return {
    args: ['http-auth:report', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    acceptFailure: isNotInstalled,
    parse: (out) => (out.exitCode !== 0 ? { installed: false } : { installed: true, report: parseHttpAuthReport(name, out.stdout) })
  }
}

/**
 * The plugin takes a password as an argv word (it hands it to `mkpasswd -m sha-512` on the host):
 * history shows `<redacted>` in its place, and output is redacted of it too.
 */
function withPassword (args: string[], password: string): Pick<CommandSpec<void>, 'args' | 'display' | 'redactOutput'> {
  return { args: [...args, password], display: [...args, REDACTED], redactOutput: redactValues([password]) }
}

/**
 * `dokku http-auth:enable <app> [<user> <password>]`. Careful: enabling without a user locks
 * everyone out but the allowed IPs (plugin 0.10.0). An nginx reload, no restart.
 */
export function httpAuthEnable (app: string, user: string | null = null, password: string | null = null): CommandSpec<void> {
  const name = validateAppName(app)
  const label = `Turn HTTP auth on for ${name}`
  if (user === null) return { args: ['http-auth:enable', name], app: name, label, timeoutMs: TIMEOUTS.change, parse: noParse }
  const u = validateAuthUser(user)
  return { ...withPassword(['http-auth:enable', name, u], validateAuthPassword(password)), app: name, label: `${label} (user ${u})`, timeoutMs: TIMEOUTS.change, parse: noParse }
}

/** `dokku http-auth:disable <app>`; the users are kept for the next enable. */
export function httpAuthDisable (app: string): CommandSpec<void> {
  const name = validateAppName(app)
  return { args: ['http-auth:disable', name], app: name, label: `Turn HTTP auth off for ${name}`, timeoutMs: TIMEOUTS.change, parse: noParse }
}

/** `dokku http-auth:add-user <app> <user> <password>` (replaces that user's password if it exists). */
export function httpAuthAddUser (app: string, user: string, password: string): CommandSpec<void> {
  const name = validateAppName(app)
  const u = validateAuthUser(user)
  return { ...withPassword(['http-auth:add-user', name, u], validateAuthPassword(password)), app: name, label: `Add HTTP auth user ${u} to ${name}`, timeoutMs: TIMEOUTS.change, parse: noParse }
}

/** `dokku http-auth:remove-user <app> <user>`. */
export function httpAuthRemoveUser (app: string, user: string): CommandSpec<void> {
  const name = validateAppName(app)
  const u = validateAuthUser(user)
  return { args: ['http-auth:remove-user', name, u], app: name, label: `Remove HTTP auth user ${u} from ${name}`, timeoutMs: TIMEOUTS.change, parse: noParse }
}

/**
 * `dokku http-auth:add-allowed-ip|remove-allowed-ip <app> <address>`. Removing an address that is
 * not listed fails (`Property not found, nothing was removed`). Either one re-renders the config,
 * which turns auth back on if it was off.
 */
export function httpAuthAllowedIp (app: string, address: string, add: boolean): CommandSpec<void> {
  const name = validateAppName(app)
  const ip = validateIpOrCidr(address)
  return {
    args: [add ? 'http-auth:add-allowed-ip' : 'http-auth:remove-allowed-ip', name, ip],
    app: name,
    label: add ? `Allow ${ip} past HTTP auth of ${name}` : `Stop allowing ${ip} past HTTP auth of ${name}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}
