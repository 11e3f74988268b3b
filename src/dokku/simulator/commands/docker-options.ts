/**
 * `docker-options:report`, `docker-options:add`, `docker-options:remove`, `docker-options:clear`
 * (dokku-reference/app-settings.md §8; the Go plugin since 0.38.0). Options are split on flag
 * boundaries and stored sorted; the parser is not interspersed, so `--process` comes first.
 */
import type { Ctx } from '../context.js'
import { compareBytes, goJsonString, rightPad, sortBytes } from '../format.js'
import { bashLabel, bashRow, goLabel } from '../report.js'
import { settingsOf, type SimDockerOptions } from '../settings-state.js'
import type { SimState } from '../state.js'
import type { Handler } from './settings-common.js'

const PHASES = ['build', 'deploy', 'run'] as const
type Phase = typeof PHASES[number]

function options (s: SimState, app: string): SimDockerOptions {
  return s.apps[app]?.settings?.dockerOptions ?? { build: [], deploy: [], run: [], process: {} }
}

/** ≤0.37: the bash report (`%-30s %-25s`, fixed order, no JSON: `--format` is just another flag). */
async function bashReport (ctx: Ctx, args: string[]): Promise<void> {
  const app = args.find((a) => !a.startsWith('--')) ?? ''
  const info = args.find((a) => a.startsWith('--')) ?? ''
  const s = await ctx.store.read()
  ctx.requireApp(s, app)
  const o = options(s, app)
  const flags: Array<[string, string]> = PHASES.map((p) => [`--docker-options-${p}`, o[p].join(' ')])
  if (info !== '') {
    const hit = flags.find(([f]) => f === info)
    if (!hit) ctx.fail(`Invalid flag passed, valid flags: ${flags.map(([f]) => f).join(' ')}`)
    if (hit![1] !== '') ctx.line(hit![1])
    return
  }
  ctx.info2Quiet(`${app} docker options information`)
  for (const [flag, value] of flags) ctx.line(bashRow(bashLabel(flag), value))
}

async function cmdReport (ctx: Ctx, args: string[]): Promise<void> {
  if (!ctx.atLeast('0.38.0')) return bashReport(ctx, args)
  const infoFlags = args.filter((a) => a.startsWith('--') && a !== '--format' && !a.startsWith('--format='))
  const formatAt = args.indexOf('--format')
  const format = formatAt >= 0 ? args[formatAt + 1] ?? '' : 'stdout'
  const app = args.find((a, i) => !a.startsWith('--') && (formatAt < 0 || i !== formatAt + 1)) ?? ''
  const s = await ctx.store.read()
  ctx.requireApp(s, app)
  const o = options(s, app)
  const flags: Array<[string, string]> = [
    ...PHASES.map((p): [string, string] => [`--docker-options-${p}`, o[p].join(' ')]),
    ...Object.entries(o.process).map(([p, list]): [string, string] => [`--docker-options-deploy.${p}`, list.join(' ')])
  ]
  flags.sort((a, b) => compareBytes(a[0], b[0]))
  if (ctx.atLeast('0.38.8') && format !== 'stdout' && format !== 'json') ctx.fail(`Format must be "stdout" or "json": ${goJsonString(format)}`)
  if (format === 'json' && infoFlags.length > 0) ctx.fail('--format flag cannot be specified when specifying an info flag')
  if (format === 'json') {
    // The plugin's own JSON: stripped + legacy keys, and (0.38.22+) `*-list` arrays.
    const entries: Array<[string, string]> = []
    for (const [flag, value] of flags) {
      const short = flag.replace(/^--docker-options-/, '')
      entries.push([short, goJsonString(value)], [flag.slice(2), goJsonString(value)])
    }
    if (ctx.atLeast('0.38.22')) {
      for (const p of PHASES) entries.push([`${p}-list`, `[${o[p].map(goJsonString).join(',')}]`])
      for (const [proc, list] of Object.entries(o.process)) entries.push([`deploy.${proc}-list`, `[${list.map(goJsonString).join(',')}]`])
    }
    entries.sort((a, b) => compareBytes(a[0], b[0]))
    ctx.line('{' + entries.map(([k, v]) => `${goJsonString(k)}:${v}`).join(',') + '}')
    return
  }
  if (infoFlags.length === 1) {
    const hit = flags.find(([f]) => f === infoFlags[0])
    if (!hit) ctx.fail(`Invalid flag passed, valid flags: ${flags.map(([f]) => f).join(', ')}`)
    ctx.line(hit![1])
    return
  }
  ctx.info2Quiet(`${app} ${ctx.atLeast('0.38.8') ? 'docker-options' : 'docker options'} information`)
  const width = Math.max(31, ...flags.map(([f]) => f.length))
  for (const [flag, value] of flags) ctx.verbose(rightPad(goLabel(flag), width) + value)
}

/** `SplitOptionString`: shell words (no expansion), a new option at each word that starts with `-`. */
function splitOptions (text: string): string[] {
  const words = text.trim().split(/\s+/).filter((w) => w !== '')
  const out: string[] = []
  for (const w of words) {
    if (w.startsWith('-') || out.length === 0) out.push(w)
    else out[out.length - 1] += ` ${w}`
  }
  return out
}

interface Parsed { processes: string[], app: string, phases: Phase[], option: string }

/** Non-interspersed flags (`--process` only before the app), then app, phases and the option words. */
function parse (ctx: Ctx, args: readonly string[], verb: 'add' | 'remove' | 'clear'): Parsed {
  const rest = [...args]
  const processes: string[] = []
  while (rest[0] === '--process' || rest[0]?.startsWith('--process=')) {
    const a = rest.shift()!
    const value = a === '--process' ? rest.shift() ?? '' : a.slice('--process='.length)
    if (value === '') ctx.fail('--process value must not be empty')
    processes.push(value)
  }
  const app = rest.shift() ?? ''
  const phaseArg = rest.shift() ?? ''
  let option = rest.join(' ')
  // A `--process` in the option text is lifted out and honoured.
  option = option.replace(/(^|\s)--process[= ](\S+)/g, (_m, lead: string, p: string) => { processes.push(p); return lead }).trim()
  const phases = phaseArg === '' ? (verb === 'clear' ? [...PHASES] : []) : phaseArg.split(',')
  if (phases.length === 0 || phases.some((p) => !(PHASES as readonly string[]).includes(p))) ctx.fail('Phase(s) must be one of [build deploy run]')
  for (const p of processes) {
    if (p === '_default_') ctx.fail('"_default_" is reserved and cannot be used as a --process value')
    for (const phase of phases) if (phase !== 'deploy') ctx.fail(`--process is only supported for the deploy phase, got "${phase}"`)
  }
  return { processes: [...new Set(processes)], app, phases: phases as Phase[], option }
}

function change (verb: 'add' | 'remove'): Handler {
  return async (ctx, args) => {
    if (!ctx.atLeast('0.38.0')) ctx.fail('docker-options:' + verb + ' is simulated for dokku 0.38.0 and newer only')
    const parsed = parse(ctx, args, verb)
    await ctx.store.update((s) => {
      const a = ctx.requireApp(s, parsed.app)
      if (parsed.option === '') ctx.fail(verb === 'add' ? 'Please specify docker options to add to the phase' : 'Please specify docker options to remove from the phase')
      const split = splitOptions(parsed.option)
      const o = settingsOf(a).dockerOptions ??= { build: [], deploy: [], run: [], process: {} }
      const apply = (list: string[]) => sortBytes(verb === 'add' ? [...new Set([...list, ...split])] : list.filter((x) => !split.includes(x)))
      if (parsed.processes.length > 0) {
        for (const p of parsed.processes) {
          if (!a.procfile.includes(p)) ctx.warn(`Process type "${p}" is not declared in the Procfile for ${parsed.app}`)
          o.process[p] = apply(o.process[p] ?? [])
          if (o.process[p]!.length === 0) delete o.process[p]
        }
      } else {
        for (const phase of parsed.phases) o[phase] = apply(o[phase])
      }
    })
    // add and remove print nothing on success.
  }
}

async function cmdClear (ctx: Ctx, args: string[]): Promise<void> {
  const explicit = args.filter((a) => !a.startsWith('--')).length > 1
  const parsed = parse(ctx, args, 'clear')
  await ctx.store.update((s) => {
    const a = ctx.requireApp(s, parsed.app)
    const o = settingsOf(a).dockerOptions ??= { build: [], deploy: [], run: [], process: {} }
    if (parsed.processes.length > 0) {
      for (const p of parsed.processes) {
        ctx.info1(`Clearing docker-options for ${parsed.app} on phase deploy for process ${p}`)
        delete o.process[p]
      }
      return
    }
    if (!explicit) {
      ctx.info1(`Clearing docker-options for ${parsed.app} on all phases`)
      a.settings!.dockerOptions = { build: [], deploy: [], run: [], process: {} }
      return
    }
    for (const phase of parsed.phases) {
      ctx.info1(`Clearing docker-options for ${parsed.app} on phase ${phase}`)
      o[phase] = []
    }
  })
}

export const DOCKER_OPTIONS_COMMANDS: Record<string, Handler> = {
  'docker-options:report': cmdReport,
  'docker-options:add': change('add'),
  'docker-options:remove': change('remove'),
  'docker-options:clear': cmdClear
}
