/**
 * The official dokku-maintenance (0.10.1) and dokku-http-auth (0.10.0) plugins
 * (dokku-reference/app-settings.md §12, §13): `not a dokku command` unless installed.
 */
import type { Ctx } from '../context.js'
import { bashLabel, bashRow } from '../report.js'
import { pluginInstalled, settingsOf } from '../settings-state.js'
import type { AppState, SimState } from '../state.js'
import { notACommand, type Handler } from './settings-common.js'

function requirePlugin (ctx: Ctx, s: SimState, plugin: string, words: readonly string[]): void {
  if (!pluginInstalled(s, plugin)) notACommand(ctx, words)
}

/** `verify_app_name` in the plugins: no app, then a missing one (exit 20). */
function verifyApp (ctx: Ctx, s: SimState, app: string | undefined): AppState {
  return ctx.requireApp(s, app)
}

/** The bash report helper of both plugins: rows, or one flag's value (`not deployed` when empty). */
function bashReport (ctx: Ctx, header: string, flags: Array<[string, string]>, info: string, emptyOk: (flag: string) => boolean = () => false): void {
  if (info === '') {
    ctx.info2Quiet(header)
    for (const [flag, value] of flags) ctx.line(bashRow(bashLabel(flag), value))
    return
  }
  const hit = flags.find(([f]) => f === info)
  if (!hit) ctx.fail(`Invalid flag passed, valid flags:${flags.map(([f]) => ` ${f}`).join('')}`)
  if (hit![1] !== '') {
    ctx.line(hit![1])
    return
  }
  if (!emptyOk(info)) ctx.fail('not deployed')
}

// ---- maintenance ---------------------------------------------------------------------------------

async function cmdMaintenanceReport (ctx: Ctx, args: string[]): Promise<void> {
  const s = await ctx.store.read()
  requirePlugin(ctx, s, 'maintenance', ['maintenance:report', ...args])
  let format = 'stdout'
  let global = false
  const rest: string[] = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--format') format = args[++i] ?? ''
    else if (args[i] === '--global') global = true
    else rest.push(args[i]!)
  }
  let [app = '', info = ''] = rest
  if (app.startsWith('--')) { info = app; app = '' }
  if (format !== 'stdout' && format !== 'json') ctx.fail(`Invalid format specified: ${format}`)
  if (format === 'json' && info !== '') ctx.fail('--format flag cannot be specified when specifying an info flag')
  const subjects = global ? ['--global'] : app !== '' ? [app] : Object.keys(s.apps).sort()
  for (const subject of subjects) {
    if (subject === '--global') {
      if (format === 'json') ctx.line('{}')
      else if (info === '') ctx.info2Quiet('global maintenance information')
      else ctx.fail(`Invalid flag passed, valid flags:`)
      continue
    }
    const a = verifyApp(ctx, s, subject)
    const flags: Array<[string, string]> = [['--maintenance-enabled', String(a.settings?.maintenance === true)], ['--maintenance-custom-page-sha256', '']]
    if (format === 'json') ctx.line(`{"enabled":"${flags[0]![1]}","custom-page-sha256":""}`)
    else bashReport(ctx, `${subject} maintenance information`, flags, info)
  }
}

function maintenanceToggle (enable: boolean, alias?: string): Handler {
  return async (ctx, args) => {
    const word = alias ?? (enable ? 'maintenance:enable' : 'maintenance:disable')
    const done = await ctx.store.update((s) => {
      requirePlugin(ctx, s, 'maintenance', [word, ...args])
      if (alias) ctx.warn(`Deprecated: Please use ${enable ? 'maintenance:enable' : 'maintenance:disable'}`)
      const a = verifyApp(ctx, s, args[0])
      const settings = settingsOf(a)
      if ((settings.maintenance === true) === enable) return false
      if (enable) settings.maintenance = true
      else delete settings.maintenance
      return true
    })
    const app = args[0]!
    if (!done) {
      ctx.info1(`Maintenance mode already ${enable ? 'enabled' : 'disabled'}`)
      return
    }
    ctx.info1(`${enable ? 'Enabling' : 'Disabling'} maintenance mode for ${app}...`)
    await ctx.step()
    ctx.verbose('Done')
  }
}

// ---- http-auth -----------------------------------------------------------------------------------

type Auth = NonNullable<ReturnType<typeof settingsOf>['httpAuth']>

function auth (a: AppState): Auth {
  const settings = settingsOf(a)
  settings.httpAuth ??= { enabled: false, users: [], allowedIps: [] }
  return settings.httpAuth
}

async function cmdHttpAuthReport (ctx: Ctx, args: string[]): Promise<void> {
  const s = await ctx.store.read()
  requirePlugin(ctx, s, 'http-auth', ['http-auth:report', ...args])
  let [app = '', info = ''] = args
  if (app.startsWith('--')) { info = app; app = '' }
  for (const subject of app !== '' ? [app] : Object.keys(s.apps).sort()) {
    const a = verifyApp(ctx, s, subject)
    const h = a.settings?.httpAuth
    const flags: Array<[string, string]> = [
      ['--http-auth-enabled', String(h?.enabled === true)],
      ['--http-auth-allowed-ips', (h?.allowedIps ?? []).join(' ')],
      ['--http-auth-users', (h?.users ?? []).join(' ')]
    ]
    bashReport(ctx, `${subject} http-auth information`, flags, info, (flag) => flag === '--http-auth-allowed-ips')
  }
}

function httpAuthEnable (alias?: string): Handler {
  return async (ctx, args) => {
    const [app, user = '', password = ''] = args
    const outcome = await ctx.store.update((s) => {
      requirePlugin(ctx, s, 'http-auth', [alias ?? 'http-auth:enable', ...args])
      if (alias) ctx.warn('Deprecated: Please use http-auth:enable')
      const h = auth(verifyApp(ctx, s, app))
      if (h.enabled) return 'already' as const
      h.enabled = true
      if (user !== '' && password !== '') {
        h.users = [...h.users.filter((u) => u !== user), user]
        return 'user' as const
      }
      return 'no-user' as const
    })
    if (outcome === 'already') {
      ctx.info1('Authentication already enabled, use http-auth:add-user or http-auth:remove-user to modify users')
      return
    }
    ctx.info1(`Enabling HTTP auth for ${app}...`)
    if (outcome === 'no-user') ctx.warn('Skipping user initialization')
    await ctx.step()
    ctx.verbose('Done')
  }
}

function httpAuthDisable (alias?: string): Handler {
  return async (ctx, args) => {
    const app = args[0]
    const done = await ctx.store.update((s) => {
      requirePlugin(ctx, s, 'http-auth', [alias ?? 'http-auth:disable', ...args])
      if (alias) ctx.warn('Deprecated: Please use http-auth:disable')
      const h = auth(verifyApp(ctx, s, app))
      if (!h.enabled) return false
      // The htpasswd file is kept: the users come back on the next enable.
      h.enabled = false
      return true
    })
    if (!done) {
      ctx.info1('Authentication already disabled')
      return
    }
    ctx.info1(`Disabling HTTP auth for ${app}...`)
    await ctx.step()
    ctx.verbose('Done')
  }
}

function httpAuthUser (add: boolean): Handler {
  const command = add ? 'http-auth:add-user' : 'http-auth:remove-user'
  return async (ctx, args) => {
    const [app, user = '', password = ''] = args
    await ctx.store.update((s) => {
      requirePlugin(ctx, s, 'http-auth', [command, ...args])
      const h = auth(verifyApp(ctx, s, app))
      if (!h.enabled) ctx.fail('Authentication is disabled')
      if (user === '') ctx.fail('Missing username')
      // A missing password prints "Missing username" too.
      if (add && password === '') ctx.fail('Missing username')
      ctx.info1(add ? `Adding ${user} to basic auth list` : `Removing ${user} from basic auth list`)
      h.users = h.users.filter((u) => u !== user)
      if (add) h.users.push(user)
    })
  }
}

function httpAuthIp (add: boolean): Handler {
  const command = add ? 'http-auth:add-allowed-ip' : 'http-auth:remove-allowed-ip'
  return async (ctx, args) => {
    const [app, address = ''] = args
    const failed = await ctx.store.update((s) => {
      requirePlugin(ctx, s, 'http-auth', [command, ...args])
      // add checks the address before the app; remove the other way round.
      if (add && address === '') ctx.fail('Missing ip address')
      const h = auth(verifyApp(ctx, s, app))
      if (!add && address === '') ctx.fail('Missing ip address')
      ctx.info1(add ? `Adding ${address} to allowed ip list` : `Removing ${address} from allowed ip list`)
      if (add) {
        if (h.allowedIps.includes(address)) return false
        h.allowedIps.push(address)
      } else {
        if (!h.allowedIps.includes(address)) return true
        h.allowedIps = h.allowedIps.filter((ip) => ip !== address)
      }
      // The config is re-rendered, which turns auth on even if it was off.
      h.enabled = true
      return false
    })
    if (failed) {
      ctx.err('Property not found, nothing was removed\n')
      ctx.exit(1)
    }
  }
}

export const MAINTENANCE_COMMANDS: Record<string, Handler> = {
  'maintenance:report': cmdMaintenanceReport,
  'maintenance:enable': maintenanceToggle(true),
  'maintenance:disable': maintenanceToggle(false),
  'maintenance:on': maintenanceToggle(true, 'maintenance:on'),
  'maintenance:off': maintenanceToggle(false, 'maintenance:off'),
  'http-auth:report': cmdHttpAuthReport,
  'http-auth:enable': httpAuthEnable(),
  'http-auth:on': httpAuthEnable('http-auth:on'),
  'http-auth:disable': httpAuthDisable(),
  'http-auth:off': httpAuthDisable('http-auth:off'),
  'http-auth:add-user': httpAuthUser(true),
  'http-auth:remove-user': httpAuthUser(false),
  'http-auth:add-allowed-ip': httpAuthIp(true),
  'http-auth:remove-allowed-ip': httpAuthIp(false)
}
