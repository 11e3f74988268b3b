/**
 * `nginx:report`, `nginx:set`, `nginx:access-logs`, `nginx:error-logs`
 * (dokku-reference/app-settings.md §7, misc.md §4; plugins/nginx-vhosts). Values are not
 * validated, as in dokku; only `proxy-keepalive` must be an integer.
 */
import type { Ctx } from '../context.js'
import { runReport, type ReportDef } from '../report.js'
import { globalProp } from '../settings-state.js'
import type { SimState } from '../state.js'
import { appRecord, bashSet, globalRecord, type Handler } from './settings-common.js'

const LOG_ROOT = '/var/log/nginx'

/** Each property and its built-in default (`nginx_vhosts.go` Computed*; 4 KiB pages), with the release that added it. */
const PROPERTIES: Array<[string, (app: string) => string, string]> = [
  ['access-log-format', () => '', '0.0.0'],
  ['access-log-path', (app) => `${LOG_ROOT}/${app}-access.log`, '0.0.0'],
  ['bind-address-ipv4', () => '', '0.0.0'],
  ['bind-address-ipv6', () => '::', '0.0.0'],
  ['client-body-timeout', () => '60s', '0.35.6'],
  ['client-header-timeout', () => '60s', '0.35.6'],
  ['client-max-body-size', () => '1m', '0.0.0'],
  ['disable-custom-config', () => 'false', '0.0.0'],
  ['error-log-path', (app) => `${LOG_ROOT}/${app}-error.log`, '0.0.0'],
  ['hsts-include-subdomains', () => 'true', '0.0.0'],
  ['hsts-max-age', () => '15724800', '0.0.0'],
  ['hsts-preload', () => 'false', '0.0.0'],
  ['hsts', () => 'true', '0.0.0'],
  ['keepalive-timeout', () => '75s', '0.35.6'],
  ['lingering-timeout', () => '5s', '0.35.6'],
  ['nginx-conf-sigil-path', () => 'nginx.conf.sigil', '0.0.0'],
  ['nginx-service-command', () => '', '0.36.0'],
  ['proxy-buffer-size', () => '4k', '0.0.0'],
  ['proxy-buffering', () => 'on', '0.0.0'],
  ['proxy-buffers', () => '8 4k', '0.0.0'],
  ['proxy-busy-buffers-size', () => '8k', '0.0.0'],
  ['proxy-connect-timeout', () => '60s', '0.35.6'],
  ['proxy-keepalive', () => '', '0.37.4'],
  ['proxy-read-timeout', () => '60s', '0.0.0'],
  ['proxy-send-timeout', () => '60s', '0.35.6'],
  ['send-timeout', () => '60s', '0.35.6'],
  ['underscore-in-headers', () => 'off', '0.0.0'],
  ['x-forwarded-for-value', () => '$remote_addr', '0.0.0'],
  ['x-forwarded-port-value', () => '$server_port', '0.0.0'],
  ['x-forwarded-proto-value', () => '$scheme', '0.0.0'],
  ['x-forwarded-ssl', () => '', '0.0.0']
]

function properties (ctx: Ctx): Array<[string, (app: string) => string]> {
  return PROPERTIES.filter(([, , since]) => ctx.atLeast(since)).map(([k, d]) => [k, d])
}

/** The value nginx.conf gets: the app's, else the global one, else the built-in default. */
export function nginxValue (s: SimState, app: string, key: string): string {
  const def = PROPERTIES.find(([k]) => k === key)?.[1]
  return s.apps[app]?.settings?.nginx?.[key] || globalProp(s, 'nginx', key) || (def ? def(app) : '')
}

function nginxFlags (ctx: Ctx, s: SimState, app: string | null): Array<[string, string]> {
  const flags: Array<[string, string]> = []
  for (const [key, def] of properties(ctx)) {
    const global = globalProp(s, 'nginx', key)
    flags.push([`--nginx-global-${key}`, global])
    if (app === null) continue
    const own = s.apps[app]?.settings?.nginx?.[key] ?? ''
    flags.push([`--nginx-${key}`, own], [`--nginx-computed-${key}`, own || global || def(app)])
  }
  if (app !== null) flags.push(['--nginx-last-visited-at', ''])
  return flags
}

async function cmdNginxReport (ctx: Ctx, args: string[]): Promise<void> {
  const def: ReportDef = {
    reportType: 'nginx',
    legacyPrefix: false,
    jsonSince: '0.38.0',
    goSince: '0.38.22',
    globalSince: '0.38.0',
    appFlags: (s, app) => nginxFlags(ctx, s, app),
    globalFlags: (s) => nginxFlags(ctx, s, null)
  }
  await runReport(ctx, 'nginx:report', def, args)
}

async function cmdNginxSet (ctx: Ctx, args: string[]): Promise<void> {
  const [, key = '', value = ''] = args
  if (key === 'proxy-keepalive' && value !== '' && !/^\d+$/.test(value)) ctx.fail('Invalid value for proxy-keepalive: must be an integer')
  await ctx.store.update((s) => {
    // Every key is also a global key since 0.35.2, so the app name is never checked.
    bashSet(ctx, s, args, { keys: properties(ctx).map(([k]) => k), store: appRecord('nginx'), globalStore: globalRecord('nginx'), verifyApp: false })
  })
}

const pad = (n: number) => String(n).padStart(2, '0')
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** nginx's `$time_local` (the host runs in UTC). */
function timeLocal (epoch: number): string {
  const d = new Date(epoch * 1000)
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
}

const PATHS = ['/', '/health', '/api/items?page=2', '/static/app.css', '/login', '/api/items/42', '/favicon.ico']

/** The last 20 lines of the app's log (`tail -n 20`); `-t` would follow, which is not simulated. */
function logsHandler (log: 'access' | 'error'): Handler {
  return async (ctx, args) => {
    const app = args.find((a) => !a.startsWith('-')) ?? ''
    const s = await ctx.store.read()
    const a = ctx.requireApp(s, app)
    if (nginxValue(s, app, `${log}-log-path`) === 'off') ctx.fail(`${log} logs are disabled for this app`)
    if (!a.deployed) return
    const now = ctx.now()
    const host = a.vhosts[0] ?? app
    for (let i = 19; i >= 0; i--) {
      const t = now - i * 37
      if (log === 'access') {
        const path = PATHS[i % PATHS.length]!
        ctx.line(`10.0.${i % 4}.${20 + i} - - [${timeLocal(t)}] "GET ${path} HTTP/1.1" ${i % 9 === 4 ? 404 : 200} ${512 + i * 13} "-" "Mozilla/5.0 (X11; Linux x86_64)" host=${host}`)
      } else {
        const d = new Date(t * 1000)
        ctx.line(`${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} [warn] 1234#1234: *${900 + i} an upstream response is buffered to a temporary file, client: 10.0.${i % 4}.${20 + i}, server: ${host}`)
      }
    }
  }
}

export const NGINX_COMMANDS: Record<string, Handler> = {
  'nginx:report': cmdNginxReport,
  'nginx:set': cmdNginxSet,
  'nginx:access-logs': logsHandler('access'),
  'nginx:error-logs': logsHandler('error')
}
