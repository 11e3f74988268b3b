/**
 * What the settings plugins' simulations share: dokku's two `:set` helpers (Go
 * `CommandPropertySet` and the bash `*:set` scripts, app-settings.md §0), the nginx config
 * rebuild the ports/proxy/nginx changes trigger, and the handler type of the dispatch table.
 */
import type { Ctx } from '../context.js'
import { proxyRebuildLines } from '../deploy.js'
import { sortBytes } from '../format.js'
import { globalProp, settingsOf, type SimGlobalSettings } from '../settings-state.js'
import type { AppState, SimState } from '../state.js'

export type Handler = (ctx: Ctx, args: string[]) => Promise<void> | void

/**
 * dokku's answer to a command it does not have (an older release, a plugin not installed). The
 * same words as simulate.ts's, kept here so these modules do not import the dispatcher.
 */
export function notACommand (ctx: Ctx, words: readonly string[]): never {
  ctx.warn(`\`${words.join(' ')}\` is not a dokku command.`)
  return ctx.fail('See `dokku help` for a list of available commands.')
}

const APP_NAME = /^[a-z0-9][^:A-Z]*$/

/** Where a plugin's properties live: the app's record, or the global one. */
export type PropertyStore = (s: SimState, app: string) => Record<string, string>

/**
 * Go `common.CommandPropertySet`: the checks in dokku's order, `=====> Setting <k> to <v>` or
 * `=====> Unsetting <k>` (quiet-able), and the write. `valid` lists app keys, `global` the keys
 * `--global` may set (they count as valid for apps too, as in dokku).
 */
export function propertySet (ctx: Ctx, s: SimState, opts: {
  app: string
  property: string
  value: string
  valid: readonly string[]
  global: readonly string[]
  store: PropertyStore
  globalStore: (s: SimState) => Record<string, string>
}): void {
  const { app, property, value } = opts
  if (app !== '--global') {
    if (app === '') ctx.fail('Please specify an app to run the command on')
    if (!APP_NAME.test(app)) ctx.fail('App name must begin with lowercase alphanumeric character, and may only contain lowercase alphanumerics, dots, and hyphens')
    ctx.requireApp(s, app)
  }
  if (app === '--global' && !opts.global.includes(property)) ctx.fail('Property cannot be specified globally')
  if (property === '') ctx.fail('No property specified')
  const all = new Set([...opts.valid, ...opts.global])
  if (!all.has(property)) ctx.fail(`Invalid property specified, valid properties include: ${sortBytes(all).join(', ')}`)
  const target = app === '--global' ? opts.globalStore(s) : opts.store(s, app)
  if (value !== '') {
    ctx.info2Quiet(`Setting ${property} to ${value}`)
    target[property] = value
  } else {
    ctx.info2Quiet(`Unsetting ${property}`)
    delete target[property]
  }
}

/** A global record of one plugin's properties, made on first use. */
export function globalRecord (plugin: keyof SimGlobalSettings): (s: SimState) => Record<string, string> {
  return (s) => {
    s.global.settings ??= {}
    s.global.settings[plugin] ??= {}
    return s.global.settings[plugin]!
  }
}

/** An app record of one plugin's properties, made on first use. */
export function appRecord (key: 'proxy' | 'checks' | 'nginx' | 'builder' | 'dockerfile' | 'cronProps'): PropertyStore {
  return (s, app) => {
    const settings = settingsOf(s.apps[app]!)
    settings[key] ??= {}
    return settings[key]!
  }
}

/**
 * A bash `*:set` script (`plugins/checks/subcommands/set`, `nginx-vhosts`, `builder-*`): `$1` is
 * the app or `--global` (only as the first argument), `No key specified`, then the hard-coded key
 * list (not sorted).
 */
export function bashSet (ctx: Ctx, s: SimState, args: readonly string[], opts: {
  keys: readonly string[]
  store: PropertyStore
  globalStore: (s: SimState) => Record<string, string>
  /** Called instead of the app check (nginx:set checks the app only for non-global keys, i.e. never since 0.35.2). */
  verifyApp?: boolean
}): { app: string, key: string, value: string } {
  const [app = '', key = '', value = ''] = args
  if (app !== '--global' && opts.verifyApp !== false) ctx.requireApp(s, app)
  if (key === '') ctx.fail('No key specified')
  if (!opts.keys.includes(key)) ctx.fail(`Invalid key specified, valid keys include: ${opts.keys.join(', ')}`)
  const target = app === '--global' ? opts.globalStore(s) : (s.apps[app] ? opts.store(s, app) : {})
  if (value !== '') {
    ctx.info2Quiet(`Setting ${key} to ${value}`)
    target[key] = value
  } else {
    ctx.info2Quiet(`Unsetting ${key}`)
    delete target[key]
  }
  return { app, key, value }
}

/** The proxy an app uses: its own `type`, else the global one, else nginx. */
export function proxyType (s: SimState, app: string): string {
  return s.apps[app]?.settings?.proxy?.type || globalProp(s, 'proxy', 'type') || 'nginx'
}

export function proxyDisabled (a: AppState): boolean {
  return a.settings?.proxy?.disabled === 'true'
}

/**
 * nginx-vhosts `nginx_build_config` for an app (what ports changes, `proxy:build-config` and
 * the plugins' reloads print): nothing unless nginx serves the app; a line when the proxy is
 * disabled; warnings for a deployed app without web process and for https maps without a
 * certificate.
 */
export function nginxBuildLines (s: SimState, app: string): Array<string | { err: string }> {
  const a = s.apps[app]
  if (!a || proxyType(s, app) !== 'nginx') return []
  if (proxyDisabled(a)) return [`-----> Nginx support is disabled for app (${app})`]
  const out: Array<string | { err: string }> = []
  if (a.deployed && (a.formation.web ?? 0) === 0) out.push({ err: ` !     No web listeners specified for ${app}` })
  if (!a.cert) {
    for (const map of a.settings?.ports ?? []) {
      if (map.startsWith('https:')) out.push({ err: ` !     Ignoring detected https port mapping without an accompanying ssl certificate (${map})` })
    }
  }
  out.push(...proxyRebuildLines(a))
  return out
}

/** Prints the nginx rebuild lines, a step apart. */
export async function streamNginxBuild (ctx: Ctx, s: SimState, app: string): Promise<void> {
  await ctx.stream(nginxBuildLines(s, app))
}
