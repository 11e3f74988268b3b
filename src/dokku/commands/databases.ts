import { parseServiceInfo, parseServiceList, type ServiceInfo, type ServiceListItem } from '../parsers/databases.js'
import {
  validateAppName, validateConfirmation, validateDbPlugin, validateEnvKey, validateServiceName, type DbPlugin
} from '../validate.js'
import { isNotInstalled, noParse, TIMEOUTS, type CommandSpec, type PluginResult } from './spec.js'

// DSN passwords (in :info, :create and :link output) are redacted for every command by the client.

/** `dokku --quiet <db>:list`: names (or the pre-1.10 table); not installed → `{ installed: false }`. */
export function listServices (plugin: DbPlugin): CommandSpec<PluginResult<{ services: ServiceListItem[] }>> {
  const p = validateDbPlugin(plugin)
  return {
    args: ['--quiet', `${p}:list`],
    kind: 'read', timeoutMs: TIMEOUTS.read,
    acceptFailure: isNotInstalled,
    parse: (out) => (out.exitCode !== 0 ? { installed: false } : { installed: true, services: parseServiceList(out.stdout) })
  }
}

/** `dokku <db>:info <svc>`; not installed → `{ installed: false }`. */
export function serviceInfo (plugin: DbPlugin, service: string): CommandSpec<PluginResult<{ info: ServiceInfo }>> {
  const p = validateDbPlugin(plugin)
  const svc = validateServiceName(service)
  return {
    args: [`${p}:info`, svc],
    kind: 'read', timeoutMs: TIMEOUTS.read,
    acceptFailure: isNotInstalled,
    parse: (out) => (out.exitCode !== 0 ? { installed: false } : { installed: true, info: parseServiceInfo(svc, out.stdout) })
  }
}

/** `dokku <db>:create <svc>`: pulls the image if needed, then prints the info block. */
export function createService (plugin: DbPlugin, service: string): CommandSpec<ServiceInfo | null> {
  const p = validateDbPlugin(plugin)
  const svc = validateServiceName(service)
  return {
    args: [`${p}:create`, svc],
    kind: 'job',
    label: `Create ${p} service ${svc}`,
    timeoutMs: TIMEOUTS.deploy,
    // The info block ends the output; a plugin that prints none still succeeded.
    parse: ({ stdout }) => (/ service information\s*$/m.test(stdout) ? parseServiceInfo(svc, stdout) : null)
  }
}

/**
 * `dokku <db>:link <svc> <app> [--alias ALIAS] [--no-restart]`: sets the DSN on the app.
 * databases.md only names `-a`; the plugins' `service_parse_args` (common-functions, identical
 * in all five, read at dokku-postgres f694199) maps the exact words `--alias`, `--querystring`
 * and `--no-restart` to `-a`, `-q`, `-n` before its getopts, so the long forms work (`--alias=X`
 * does not). The flags must follow `<svc> <app>`: those two are read by position.
 */
export function linkService (plugin: DbPlugin, service: string, app: string, options: { alias?: string, noRestart?: boolean } = {}): CommandSpec<void> {
  const p = validateDbPlugin(plugin)
  const svc = validateServiceName(service)
  const name = validateAppName(app)
  const alias = options.alias === undefined ? undefined : validateEnvKey(options.alias, 'alias')
  return {
    args: [`${p}:link`, svc, name, ...(alias === undefined ? [] : ['--alias', alias]), ...(options.noRestart ? ['--no-restart'] : [])],
    app: name,
    kind: options.noRestart ? 'action' : 'job',
    label: `Link ${p} service ${svc} to ${name}`,
    timeoutMs: options.noRestart ? TIMEOUTS.change : TIMEOUTS.deploy,
    parse: noParse
  }
}

/** `dokku <db>:unlink <svc> <app> [--no-restart]`. */
export function unlinkService (plugin: DbPlugin, service: string, app: string, options: { noRestart?: boolean } = {}): CommandSpec<void> {
  const p = validateDbPlugin(plugin)
  const svc = validateServiceName(service)
  const name = validateAppName(app)
  return {
    args: [`${p}:unlink`, svc, name, ...(options.noRestart ? ['--no-restart'] : [])],
    app: name,
    kind: options.noRestart ? 'action' : 'job',
    label: `Unlink ${p} service ${svc} from ${name}`,
    timeoutMs: options.noRestart ? TIMEOUTS.change : TIMEOUTS.deploy,
    parse: noParse
  }
}

/** `dokku --force <db>:destroy <svc>`, only when the user typed the service's name. */
export function destroyService (plugin: DbPlugin, service: string, confirmation: string): CommandSpec<void> {
  const p = validateDbPlugin(plugin)
  const svc = validateServiceName(service)
  validateConfirmation(confirmation, svc)
  return {
    args: ['--force', `${p}:destroy`, svc],
    kind: 'job',
    label: `Destroy ${p} service ${svc}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}
