/**
 * `proxy:report`, `proxy:set`, `proxy:enable`, `proxy:disable`, `proxy:build-config`
 * (dokku-reference/app-settings.md §2; dokku's plugins/proxy and the nginx-vhosts hooks).
 */
import type { Ctx } from '../context.js'
import { runReport, type ReportDef } from '../report.js'
import { globalProp, settingsOf } from '../settings-state.js'
import type { SimState } from '../state.js'
import { cmdPsRestart } from './ps.js'
import { appRecord, globalRecord, propertySet, proxyDisabled, proxyType, streamNginxBuild, type Handler } from './settings-common.js'

function proxyFlags (ctx: Ctx, s: SimState, app: string | null): Array<[string, string]> {
  const own = (k: string) => (app === null ? '' : s.apps[app]?.settings?.proxy?.[k] ?? '')
  const glob = (k: string) => globalProp(s, 'proxy', k)
  if (!ctx.atLeast('0.38.8')) {
    // Four keys. Before 0.38.6 the global type defaulted to nginx and `computed` preferred it.
    const global = ctx.atLeast('0.38.6') ? glob('type') : glob('type') || 'nginx'
    const computed = ctx.atLeast('0.38.6') ? own('type') || glob('type') || 'nginx' : global || own('type')
    if (app === null) return [['--proxy-computed-type', computed], ['--proxy-global-type', global]]
    return [['--proxy-computed-type', computed], ['--proxy-enabled', String(!proxyDisabled(s.apps[app]!))], ['--proxy-global-type', global], ['--proxy-type', own('type')]]
  }
  const flags: Array<[string, string]> = [
    ['--proxy-computed-proxy-port', own('proxy-port') || glob('proxy-port')],
    ['--proxy-computed-proxy-ssl-port', own('proxy-ssl-port') || glob('proxy-ssl-port')],
    ['--proxy-computed-type', own('type') || glob('type') || 'nginx'],
    ['--proxy-global-proxy-port', glob('proxy-port')],
    ['--proxy-global-proxy-ssl-port', glob('proxy-ssl-port')],
    ['--proxy-global-type', glob('type')]
  ]
  if (app !== null) {
    const disabled = proxyDisabled(s.apps[app]!)
    flags.push(
      ['--proxy-computed-disabled', String(disabled)],
      ['--proxy-disabled', own('disabled')],
      ['--proxy-enabled', String(!disabled)],
      ['--proxy-proxy-port', own('proxy-port')],
      ['--proxy-proxy-ssl-port', own('proxy-ssl-port')],
      ['--proxy-type', own('type')]
    )
  }
  return flags
}

async function cmdProxyReport (ctx: Ctx, args: string[]): Promise<void> {
  const def: ReportDef = {
    reportType: 'proxy',
    legacyPrefix: true,
    jsonSince: '0.23.1',
    globalSince: '0.38.0',
    appFlags: (s, app) => proxyFlags(ctx, s, app),
    globalFlags: (s) => proxyFlags(ctx, s, null)
  }
  await runReport(ctx, 'proxy:report', def, args)
}

const PROXY_KEYS = ['type', 'proxy-port', 'proxy-ssl-port', 'disabled']
const PROXY_GLOBAL_KEYS = ['type', 'proxy-port', 'proxy-ssl-port']

/** `proxy:set [--global] <app> <key> [<value>]`; an unknown key without a value is taken as the type. */
async function cmdProxySet (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('proxy:set', [{ name: 'global', type: 'bool', def: false, usage: '--global: set a global property' }], args)
  const global = values.global === true
  let [app = '', property = '', value = ''] = global ? ['--global', ...positional] : positional
  if (!ctx.atLeast('0.38.0')) {
    // `proxy:set <app> <type>`: the second word is the type.
    value = property
    property = 'type'
  } else if (!PROXY_KEYS.includes(property) && value === '') {
    if (property.includes(':')) {
      ctx.warn('Detected potential port mapping instead of proxy type')
      ctx.fail('Consider using ports:set command or specifying a valid proxy')
    }
    value = property
    property = 'type'
  }
  await ctx.store.update((s) => {
    propertySet(ctx, s, { app, property, value, valid: PROXY_KEYS, global: PROXY_GLOBAL_KEYS, store: appRecord('proxy'), globalStore: globalRecord('proxy') })
  })
}

/**
 * The nginx vhost hooks around enable/disable (pre-enable-vhost, pre-disable-vhost): stored proxy
 * ports go, and a port map with an http:80 or https:443 entry is cleared entirely.
 */
function clearVhostPorts (s: SimState, app: string, enabling: boolean): void {
  const settings = settingsOf(s.apps[app]!)
  const proxy = settings.proxy ?? {}
  if (enabling ? proxy['proxy-port'] : proxy['proxy-port'] === '80') delete proxy['proxy-port']
  if (enabling ? proxy['proxy-ssl-port'] : proxy['proxy-ssl-port'] === '443') delete proxy['proxy-ssl-port']
  if (enabling) delete settings.portsDetected
  const maps = settings.ports ?? []
  if (maps.some((m) => m.startsWith('http:80:') || m.startsWith('https:443:'))) {
    delete settings.ports
    delete settings.portsDetected
  }
}

function toggle (enable: boolean): Handler {
  const command = enable ? 'proxy:enable' : 'proxy:disable'
  return async (ctx, args) => {
    const { values, positional } = ctx.pflags(command, [
      { name: 'all', type: 'bool', def: false, usage: `--all: ${enable ? 'enable' : 'disable'} proxy for all apps` },
      { name: 'parallel', type: 'int', def: 0, usage: '--parallel: number of apps to run in parallel, -1 to match cpu count' }
    ], args)
    if (values.all === true) ctx.fail(`${command} --all is not simulated`)
    const app = positional[0] ?? ''
    const outcome = await ctx.store.update((s) => {
      const a = ctx.requireApp(s, app)
      if (proxyDisabled(a) !== enable) return 'already' as const
      const proxy = settingsOf(a).proxy ??= {}
      if (enable) delete proxy.disabled
      else proxy.disabled = 'true'
      const nginx = proxyType(s, app) === 'nginx'
      if (nginx) {
        // domains-enable/domains-disable: the vhost hooks, then NO_VHOST and the VHOST file.
        clearVhostPorts(s, app, enable)
        const hadVhosts = a.vhosts.length > 0
        if (enable) {
          a.env.NO_VHOST = '0'
          if (a.vhosts.length === 0 && s.global.vhosts.length > 0) a.vhosts = [`${app}.${s.global.vhosts[0]}`]
        } else {
          a.env.NO_VHOST = '1'
          a.vhosts = []
        }
        return { nginx, hadVhosts }
      }
      return { nginx, hadVhosts: false }
    })
    if (outcome === 'already') {
      ctx.info1(enable ? 'Proxy is already enabled for app' : 'Proxy is already disable for app')
      return
    }
    ctx.info1(enable ? 'Enabling proxy for app' : 'Disabling proxy for app')
    if (!outcome.nginx) return
    if (!enable && outcome.hadVhosts) ctx.info1('App virtual host support disabled')
    // app-restart: a full ps:restart (its output merged since 0.38.0).
    await cmdPsRestart(ctx, [app])
  }
}

async function cmdProxyBuildConfig (ctx: Ctx, args: string[]): Promise<void> {
  const { positional } = ctx.pflags('proxy:build-config', [
    { name: 'all', type: 'bool', def: false, usage: '--all: build config for all apps' },
    { name: 'parallel', type: 'int', def: 0, usage: '--parallel: number of apps to run in parallel, -1 to match cpu count' }
  ], args)
  const app = positional[0] ?? ''
  const s = await ctx.store.read()
  ctx.requireApp(s, app)
  await streamNginxBuild(ctx, s, app)
}

export const PROXY_COMMANDS: Record<string, Handler> = {
  'proxy:report': cmdProxyReport,
  'proxy:set': cmdProxySet,
  'proxy:enable': toggle(true),
  'proxy:disable': toggle(false),
  'proxy:build-config': cmdProxyBuildConfig
}
