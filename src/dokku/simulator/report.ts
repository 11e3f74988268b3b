/**
 * dokku's two `:report` engines: the Go one (`common.ParseReportArgs` + `ReportSingleApp`:
 * sorted keys, pad max(31, longest flag), JSON with Go escaping) and the older bash one
 * (`printf "%-30s %-25s"` in a fixed order, values padded to 25).
 */
import type { Ctx } from './context.js'
import { compareBytes, goJsonString, goJsonStringMap, rightPad, sortBytes } from './format.js'
import type { SimState } from './state.js'

/** Label of a Go report row: flag without `--`, `-`/`.` → space, first letter upper-cased, then `:`. */
export function goLabel (flag: string, uppercaseFirst = true): string {
  const words = flag.replace(/^--/, '').replace(/[-.]/g, ' ')
  return (uppercaseFirst ? words.charAt(0).toUpperCase() + words.slice(1) : words) + ':'
}

/** Label of a bash report row: `${key^}` of the flag with dashes as spaces. */
export function bashLabel (flag: string): string {
  const words = flag.replace(/^--/, '').replace(/-/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1) + ':'
}

/** One bash report row: `dokku_log_verbose "$(printf "%-30s %-25s" …)"`. */
export function bashRow (label: string, value: string, keyWidth = 30, valueWidth = 25): string {
  return '       ' + rightPad(label, keyWidth) + ' ' + rightPad(value, valueWidth)
}

export interface ReportDef {
  /** Header word and JSON prefix: `app`, `ps`, `domains`, `ssl`. */
  reportType: string
  /** Since 0.38.8, JSON keys lose `--<type>-`; legacy plugins also keep the prefixed key. */
  legacyPrefix: boolean
  /** First version with `--format json`; before it `--format` is just another info flag. */
  jsonSince: string
  /** Versions before this use the bash engine (domains/certs were ported to Go in 0.38.22). */
  goSince?: string
  /** Header for `--global` in the bash engine (`Global domains information`). */
  bashGlobalHeader?: string
  /** First version where `--global` is accepted. */
  globalSince: string
  /** Rows for one app (flag → value) in the bash engine's fixed order. */
  appFlags (state: SimState, app: string): Array<[string, string]>
  globalFlags (state: SimState): Array<[string, string]>
  /** A Go row's label, when the plugin's differs from goLabel (resource: lower-case). */
  label? (flag: string): string
  /** Leave flags out of the "valid flags" list (ps hides status flags unless asked for one). */
  hideFromInvalid? (flag: string, infoFlag: string): boolean
}

interface ParsedReportArgs {
  app: string
  format: string
  infoFlag: string
  tooManyFlags: boolean
}

function goPanicIndex (ctx: Ctx, index: number): never {
  ctx.err(`panic: runtime error: index out of range [${index}] with length ${index}\n\ngoroutine 1 [running]:\ngithub.com/dokku/dokku/plugins/common.ParseReportArgs(...)\n`)
  return ctx.exit(2)
}

function parseReportArgs (ctx: Ctx, setName: string, def: ReportDef, args: readonly string[]): ParsedReportArgs {
  const jsonSupported = ctx.atLeast(def.jsonSince)
  const globalSupported = ctx.atLeast(def.globalSince)
  const osArgs: string[] = []
  const infoFlags: string[] = []
  let global = false
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '--format' && jsonSupported) {
      if (i + 1 >= args.length) goPanicIndex(ctx, args.length)
      osArgs.push(a, args[i + 1]!)
      i++
      continue
    }
    if (a === '--global' && globalSupported) { global = true; continue }
    if (a.startsWith('--')) infoFlags.push(a)
    else osArgs.push(a)
  }
  const specs = jsonSupported ? [{ name: 'format', type: 'string' as const, def: 'stdout', usage: 'format: [ stdout | json ]' }] : []
  const parsed = ctx.pflags(setName, specs, osArgs)
  return {
    app: global ? '--global' : (parsed.positional[0] ?? ''),
    format: String(parsed.values.format ?? 'stdout'),
    infoFlag: infoFlags.length === 1 ? infoFlags[0]! : '',
    tooManyFlags: infoFlags.length > 1
  }
}

function jsonKeys (ctx: Ctx, def: ReportDef, flags: Array<[string, string]>): Record<string, string> {
  const data: Record<string, string> = {}
  const strip = ctx.atLeast('0.38.8')
  const prefix = `--${def.reportType}-`
  for (const [flag, value] of flags) {
    if (strip && flag.startsWith(prefix)) {
      data[flag.slice(prefix.length)] = value
      if (def.legacyPrefix) data[flag.slice(2)] = value
    } else {
      data[flag.slice(2)] = value
    }
  }
  return data
}

/** Renders one subject (an app or `--global`) with the Go engine. */
function goSingle (ctx: Ctx, def: ReportDef, subject: string, flags: Array<[string, string]>, format: string, infoFlag: string): void {
  if (ctx.atLeast('0.38.8') && format !== 'stdout' && format !== 'json') {
    ctx.fail(`Format must be "stdout" or "json": ${goJsonString(format)}`)
  }
  if (format !== 'stdout' && infoFlag !== '') ctx.fail('--format flag cannot be specified when specifying an info flag')
  if (format === 'json') {
    ctx.line(goJsonStringMap(jsonKeys(ctx, def, flags)))
    return
  }
  const sorted = [...flags].sort((a, b) => compareBytes(a[0], b[0]))
  if (infoFlag === '') {
    let length = 31
    if (ctx.atLeast('0.25.0')) for (const [f] of sorted) length = Math.max(length, f.length)
    ctx.info2Quiet(`${subject} ${def.reportType} information`)
    for (const [flag, value] of sorted) ctx.verbose(rightPad((def.label ?? goLabel)(flag), length) + value)
    return
  }
  const hit = sorted.find(([f]) => f === infoFlag)
  if (hit) {
    ctx.line(hit[1])
    return
  }
  const valid = sorted.map(([f]) => f).filter((f) => !def.hideFromInvalid?.(f, infoFlag))
  ctx.fail(`Invalid flag passed, valid flags: ${valid.join(', ')}`)
}

/** Renders one subject with the bash engine (fixed order, padded values). */
function bashSingle (ctx: Ctx, def: ReportDef, subject: string, flags: Array<[string, string]>, format: string, infoFlag: string): void {
  if (format === 'json') {
    if (infoFlag !== '') ctx.fail('--format flag cannot be specified when specifying an info flag')
    const data = jsonKeys(ctx, def, flags)
    ctx.line(goJsonStringMap(data))
    return
  }
  if (infoFlag === '') {
    const header = subject === '--global' ? (def.bashGlobalHeader ?? `global ${def.reportType} information`) : `${subject} ${def.reportType} information`
    ctx.info2Quiet(header)
    for (const [flag, value] of flags) ctx.line(bashRow(bashLabel(flag), value))
    return
  }
  const hit = flags.find(([f]) => f === infoFlag)
  if (hit) {
    if (hit[1] !== '') ctx.line(hit[1])
    return
  }
  ctx.fail(`Invalid flag passed, valid flags: ${flags.map(([f]) => f).join(' ')}`)
}

/** `<plugin>:report [<app>|--global] [--format json] [<flag>]` for one of the core reports. */
export async function runReport (ctx: Ctx, command: string, def: ReportDef, args: readonly string[]): Promise<void> {
  const parsed = parseReportArgs(ctx, command, def, args)
  if (parsed.tooManyFlags) return // ParseReportArgs' error is dropped: no output, exit 0
  const state = await ctx.store.read()
  const goEngine = def.goSince === undefined || ctx.atLeast(def.goSince)
  const single = goEngine ? goSingle : bashSingle
  if (parsed.app === '--global') {
    single(ctx, def, '--global', def.globalFlags(state), parsed.format, parsed.infoFlag)
    return
  }
  if (parsed.app !== '') {
    if (!state.apps[parsed.app]) ctx.appMissing(parsed.app)
    single(ctx, def, parsed.app, def.appFlags(state, parsed.app), parsed.format, parsed.infoFlag)
    return
  }
  const apps = sortBytes(Object.keys(state.apps))
  if (apps.length === 0) {
    ctx.warn("You haven't deployed any applications yet")
    return
  }
  for (const app of apps) single(ctx, def, app, def.appFlags(state, app), parsed.format, parsed.infoFlag)
}
