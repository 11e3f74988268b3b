/**
 * `ports:list`, `ports:add`, `ports:remove`, `ports:set`, `ports:clear`, `ports:report`
 * (dokku-reference/app-settings.md §1; dokku's plugins/ports, Go since 0.31.0).
 */
import type { Ctx } from '../context.js'
import { columnize, goJsonStruct, goQuote, sortBytes } from '../format.js'
import { runReport, type ReportDef } from '../report.js'
import { settingsOf } from '../settings-state.js'
import type { SimState } from '../state.js'
import { notACommand, streamNginxBuild, type Handler } from './settings-common.js'

interface PortMap { scheme: string, host: number, container: number }

const text = (m: PortMap) => `${m.scheme}:${m.host}:${m.container}`

/** Go `strconv.Atoi`'s error for a string that is not a number. */
function atoiError (s: string): string | null {
  if (/^[+-]?\d+$/.test(s)) return Math.abs(Number(s)) > 9223372036854775807 ? `strconv.Atoi: parsing ${goQuote(s)}: value out of range` : null
  return `strconv.Atoi: parsing ${goQuote(s)}: invalid syntax`
}

/** `parsePortMapString`: one space-separated string; a bare port is an internal (never stored) map. */
function parsePortMaps (ctx: Ctx, joined: string): PortMap[] {
  const maps: PortMap[] = []
  for (const v of joined.trim().split(' ')) {
    const parts = v.split(':')
    const head = parts.length > 3 ? [parts[0]!, parts[1]!, parts.slice(2).join(':')] : parts
    if (head.length === 1) {
      const err = atoiError(v)
      if (err) ctx.fail(`Invalid port map ${v} [err=${err}]`)
      const host = Number(v)
      if (!(host > 0 && host < 65536)) ctx.fail(`Invalid port map ${v} [hostPort=${host}]`)
      maps.push({ scheme: '__internal__', host, container: 0 })
      continue
    }
    if (head.length !== 3) ctx.fail(`Invalid port map ${v} [len=${head.length}]`)
    for (const p of [head[1]!, head[2]!]) {
      const err = atoiError(p)
      if (err) ctx.fail(`Invalid port map ${v} [err=${err}]`)
    }
    const host = Number(head[1])
    const container = Number(head[2])
    if (!(host > 0 && host < 65536)) ctx.fail(`Invalid port map ${v} [hostPort=${host}]`)
    if (!(container > 0 && container < 65536)) ctx.fail(`Invalid port map ${v} [containerPort=${container}]`)
    maps.push({ scheme: head[0]!, host, container })
  }
  return maps
}

function parseStored (list: readonly string[]): PortMap[] {
  return list.flatMap((v) => {
    const m = v.match(/^([^:]*):(\d+):(\d+)$/)
    return m ? [{ scheme: m[1]!, host: Number(m[2]), container: Number(m[3]) }] : []
  })
}

function reused (maps: readonly PortMap[]): string | null {
  const seen = new Set<string>()
  for (const m of maps) {
    const key = `${m.scheme}:${m.host}`
    if (seen.has(key)) return `The same scheme:host-port is being reused: ${key}`
    seen.add(key)
  }
  return null
}

/** `setPortMaps`: internal maps dropped, the rest sorted. */
function store (s: SimState, app: string, maps: readonly PortMap[]): void {
  const settings = settingsOf(s.apps[app]!)
  const values = sortBytes(maps.filter((m) => m.scheme !== '__internal__').map(text))
  if (values.length === 0) delete settings.ports
  else settings.ports = values
}

/** The configured maps (`ports` property `map`). */
export function configuredPortMaps (s: SimState, app: string): string[] {
  return s.apps[app]?.settings?.ports ?? []
}

/** `getDetectedPortMaps`: the deploy's maps or `http:<proxy-port|80>:5000`, plus https when a certificate exists. */
export function detectedPortMaps (s: SimState, app: string): string[] {
  const a = s.apps[app]!
  const proxy = a.settings?.proxy ?? {}
  const base = Number(proxy['proxy-port'] || s.global.settings?.proxy?.['proxy-port'] || 0) || 80
  let maps = parseStored(a.settings?.portsDetected ?? [])
  if (maps.length === 0) maps = [{ scheme: 'http', host: base, container: 5000 }]
  if (a.cert) {
    const ssl = Number(proxy['proxy-ssl-port'] || s.global.settings?.proxy?.['proxy-ssl-port'] || 0) || 443
    const http80 = maps.filter((m) => m.scheme === 'http' && m.host === 80)
    if (http80.length > 0) maps = [...maps, ...http80.map((m) => ({ scheme: 'https', host: ssl, container: m.container }))]
    else maps = maps.map((m) => (m.scheme === 'http' ? { ...m, scheme: 'https' } : m))
  }
  return maps.map(text)
}

function mapsJson (list: readonly string[]): string {
  const maps = parseStored(list)
  // The parse of an empty list returns a nil slice: `null`, not `[]`.
  if (maps.length === 0) return 'null'
  return '[' + maps.map((m) => goJsonStruct([['container_port', m.container], ['host_port', m.host], ['scheme', m.scheme]])).join(',') + ']'
}

function portsFlags (ctx: Ctx, s: SimState, app: string): Array<[string, string]> {
  const configured = configuredPortMaps(s, app)
  const detected = detectedPortMaps(s, app)
  const flags: Array<[string, string]> = [['--ports-map', configured.join(' ')], ['--ports-map-detected', detected.join(' ')]]
  if (ctx.atLeast('0.38.26')) flags.push(['--ports-map-json', mapsJson(configured)], ['--ports-map-detected-json', mapsJson(detected)])
  return flags
}

function requirePlugin (ctx: Ctx, command: string, args: readonly string[]): void {
  if (!ctx.atLeast('0.31.0')) notACommand(ctx, [command, ...args])
}

async function cmdPortsReport (ctx: Ctx, args: string[]): Promise<void> {
  requirePlugin(ctx, 'ports:report', args)
  const def: ReportDef = {
    reportType: 'ports',
    legacyPrefix: true,
    jsonSince: '0.31.0',
    globalSince: '0.38.0',
    appFlags: (s, app) => portsFlags(ctx, s, app),
    globalFlags: () => []
  }
  await runReport(ctx, 'ports:report', def, args)
}

/** Go subcommands without flags of their own: any `--x` is a pflag error. */
function positional (ctx: Ctx, command: string, args: readonly string[]): string[] {
  return ctx.pflags(command, [], args).positional
}

async function cmdPortsList (ctx: Ctx, args: string[]): Promise<void> {
  requirePlugin(ctx, 'ports:list', args)
  const [app] = positional(ctx, 'ports:list', args)
  const s = await ctx.store.read()
  ctx.requireApp(s, app)
  const maps = parseStored(configuredPortMaps(s, app!))
  if (maps.length === 0) ctx.fail('No port mappings configured for app')
  const lines = maps.map(text)
  if (!ctx.quiet) lines.push('-----> scheme:host port:container port')
  ctx.info1Quiet(`Port mappings for ${app}`)
  ctx.line(columnize(sortBytes(lines).map((l) => l.split(':')), '    '))
}

type Change = 'add' | 'remove' | 'set' | 'clear'

function changeHandler (change: Change): Handler {
  const command = `ports:${change}`
  return async (ctx, args) => {
    requirePlugin(ctx, command, args)
    const [app, ...given] = positional(ctx, command, args)
    await ctx.store.update((s) => {
      ctx.requireApp(s, app)
      const name = app!
      if (change === 'clear') {
        const settings = settingsOf(s.apps[name]!)
        delete settings.ports
        delete settings.portsDetected
        return
      }
      if (given.length === 0) ctx.fail('No port mapping specified')
      // Every argument after the app is joined with one space and re-split on single spaces.
      const maps = parsePortMaps(ctx, given.join(' '))
      const existing = parseStored(configuredPortMaps(s, name))
      if (change === 'remove') {
        const byText = new Set(maps.filter((m) => m.scheme !== '__internal__').map(text))
        const byPort = new Set(maps.filter((m) => m.scheme === '__internal__').map((m) => m.host))
        store(s, name, existing.filter((m) => !byText.has(text(m)) && !byPort.has(m.host)))
        return
      }
      const own = reused(maps)
      if (own) ctx.fail(change === 'add' ? `Error validating new port mappings: ${own}` : `Error validating port mappings: ${own}`)
      if (change === 'add') {
        const all = reused([...existing, ...maps])
        if (all) ctx.fail(`Error validating all port mappings: ${all}`)
        store(s, name, [...existing, ...maps])
      } else {
        store(s, name, maps)
      }
    })
    // post-proxy-ports-update: only nginx-vhosts implements it.
    await streamNginxBuild(ctx, await ctx.store.read(), app!)
  }
}

export const PORTS_COMMANDS: Record<string, Handler> = {
  'ports:list': cmdPortsList,
  'ports:report': cmdPortsReport,
  'ports:add': changeHandler('add'),
  'ports:remove': changeHandler('remove'),
  'ports:set': changeHandler('set'),
  'ports:clear': changeHandler('clear')
}
