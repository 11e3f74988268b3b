/** `config`, `config:show`, `config:get`, `config:keys`, `config:export`, `config:set`, `config:unset`, `config:clear`. */
import { SimExit, type Ctx } from '../context.js'
import { releaseAndDeployLines, runDeploy, applyDeploy } from '../deploy.js'
import { columnize, goJsonStringMap, goJsonStruct, singleQuoteEscape, sortBytes } from '../format.js'
import type { FlagSpec } from '../pflag.js'
import type { SimState } from '../state.js'

export const KEY_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/

const GLOBAL: FlagSpec = { name: 'global', type: 'bool', def: false, usage: '--global: use the global environment' }
const MERGED: FlagSpec = { name: 'merged', type: 'bool', def: false, usage: '--merged: merge app environment and global environment' }
const NO_RESTART: FlagSpec = { name: 'no-restart', type: 'bool', def: false, usage: '--no-restart: no restart' }

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64_MAP = new Map([...B64].map((c, i) => [c.charCodeAt(0), i]))

/**
 * Go's `base64.StdEncoding.DecodeString`: padding required, `\r`/`\n` ignored, and the same
 * `illegal base64 data at input byte N` offsets on bad input.
 */
export function goBase64Decode (input: string): { ok: true, bytes: Buffer } | { ok: false, error: string } {
  const src = Buffer.from(input, 'utf8')
  const out: number[] = []
  const corrupt = (n: number) => ({ ok: false as const, error: `illegal base64 data at input byte ${n}` })
  let si = 0
  const isNl = (b: number | undefined) => b === 0x0a || b === 0x0d
  while (si < src.length) {
    const dbuf = [0, 0, 0, 0]
    let dlen = 4
    let trailing = -1
    let j = 0
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return { ok: true, bytes: Buffer.from(out) }
        return corrupt(si - j)
      }
      const inp = src[si]!
      si++
      const v = B64_MAP.get(inp)
      if (v !== undefined) { dbuf[j] = v; continue }
      if (isNl(inp)) { j--; continue }
      if (inp !== 0x3d) return corrupt(si - 1)
      // padding
      if (j === 0 || j === 1) return corrupt(si - 1)
      if (j === 2) {
        while (si < src.length && isNl(src[si])) si++
        if (si === src.length) return corrupt(src.length)
        if (src[si] !== 0x3d) return corrupt(si - 1)
        si++
      }
      while (si < src.length && isNl(src[si])) si++
      if (si < src.length) trailing = si
      dlen = j
      break
    }
    const val = (dbuf[0]! << 18) | (dbuf[1]! << 12) | (dbuf[2]! << 6) | dbuf[3]!
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff]
    out.push(...bytes.slice(0, dlen - 1))
    if (trailing !== -1) return corrupt(trailing)
    if (dlen < 4) break
  }
  return { ok: true, bytes: Buffer.from(out) }
}

/** joho/godotenv `Marshal`: ints unquoted and normalised, other values double-quoted and escaped, lines sorted. */
export function godotenvMarshal (env: Record<string, string>): string {
  const lines = Object.entries(env).map(([k, v]) => {
    if (/^[+-]?\d+$/.test(v)) {
      const n = BigInt(v)
      if (n <= 9223372036854775807n && n >= -9223372036854775808n) return `${k}=${n.toString()}`
    }
    let e = v
    for (const c of ['\\', '\n', '\r', '"', '!', '$', '`']) {
      const rep = c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\' + c
      e = e.split(c).join(rep)
    }
    return `${k}="${e}"`
  })
  return sortBytes(lines).join('\n')
}

interface Target { app: string, global: boolean }

function target (ctx: Ctx, state: SimState, global: boolean, positional: string[]): Target {
  if (global) return { app: '--global', global: true }
  ctx.requireApp(state, positional[0])
  return { app: positional[0]!, global: false }
}

function envOf (state: SimState, t: Target, merged = false): Record<string, string> {
  if (t.global) return { ...state.global.env }
  const appEnv = state.apps[t.app]!.env
  return merged ? { ...state.global.env, ...appEnv } : { ...appEnv }
}

function prettyRows (env: Record<string, string>): string[][] {
  return sortBytes(Object.keys(env)).map((k) => [`${k}:`, env[k]!])
}

export async function cmdConfigShow (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('config:show', [GLOBAL, { ...MERGED, usage: "--merged: display the app's environment merged with the global environment" }], args)
  const state = await ctx.store.read()
  const t = target(ctx, state, values.global === true, positional)
  const env = envOf(state, t, values.merged === true)
  ctx.info2Quiet(`${t.global ? 'global' : t.app} env vars`)
  ctx.line(columnize(prettyRows(env)))
}

export async function cmdConfigGet (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('config:get', [GLOBAL, { name: 'quoted', type: 'bool', def: false, usage: '--quoted: get the value quoted' }], args)
  const global = values.global === true
  if (!global && (positional[0] ?? '') === '') ctx.fail('Please specify an app to run the command on')
  const keys = global ? positional : positional.slice(1)
  if (keys.length === 0) ctx.fail('Expected: key')
  if (keys.length > 1) ctx.fail(`Unexpected argument(s): [${keys.slice(1).join(' ')}]`)
  const state = await ctx.store.read()
  const t = target(ctx, state, global, positional)
  const env = envOf(state, t)
  const v = env[keys[0]!]
  if (v === undefined) ctx.exit(1)
  ctx.line(values.quoted === true ? `'${singleQuoteEscape(v!)}'` : v!)
}

export async function cmdConfigKeys (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('config:keys', [GLOBAL, MERGED], args)
  const state = await ctx.store.read()
  const t = target(ctx, state, values.global === true, positional)
  for (const k of sortBytes(Object.keys(envOf(state, t, values.merged === true)))) ctx.line(k)
}

export function exportEnv (env: Record<string, string>, format: string): string | null {
  const keys = sortBytes(Object.keys(env))
  const quoted = (prefix: string, sep: string) => keys.map((k) => `${prefix}${k}='${singleQuoteEscape(env[k]!)}'`).join(sep)
  switch (format) {
    case 'exports': return quoted('export ', '\n') + '\n'
    case 'envfile': return godotenvMarshal(env) + '\n'
    case 'docker-args': return quoted('--env=', ' ') + '\n'
    case 'docker-args-keys': return keys.map((k) => `--env=${k}`).join(' ') + '\n'
    case 'shell': return quoted('', ' ') + ' '
    case 'pretty': return columnize(prettyRows(env)) + '\n'
    case 'json': return goJsonStringMap(env) + '\n'
    case 'json-list': return (keys.length === 0 ? 'null' : '[' + keys.map((k) => goJsonStruct([['name', k], ['value', env[k]!]])).join(',') + ']') + '\n'
    case 'pack-keys': return keys.map((k) => `--env ${k}`).join(' ') + '\n'
    default: return null
  }
}

export async function cmdConfigExport (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('config:export', [
    GLOBAL,
    MERGED,
    { name: 'format', type: 'string', def: 'exports', usage: '--format: [ docker-args | docker-args-keys | exports | envfile | json | json-list | pack-keys | pretty | shell ] which format to export as)' }
  ], args)
  const state = await ctx.store.read()
  const t = target(ctx, state, values.global === true, positional)
  const format = String(values.format)
  const text = exportEnv(envOf(state, t, values.merged === true), format)
  if (text === null) ctx.fail(`Unknown export format: ${format}`)
  ctx.out(text!)
}

/** The restart block of config:set/unset: only for deployed apps with restore on. */
export async function restartForConfig (ctx: Ctx, app: string, noRestart: boolean): Promise<void> {
  if (noRestart || app === '--global') return
  const state = await ctx.store.read()
  const a = state.apps[app]
  if (!a || !a.deployed || !a.restore) return
  ctx.info1(`Restarting app ${app}`)
  try {
    await runDeploy<true>(ctx, app, {
      takesLock: false,
      build: { source: 'config-redeploy' },
      plan: () => true,
      lines: (snap, _p, seq) => releaseAndDeployLines(app, snap, seq),
      apply: (x, _p, now) => applyDeploy(app, x, null, now)
    })
  } catch (err) {
    if (!(err instanceof SimExit)) throw err
    ctx.warn(`Failure while restarting app: exit status ${err.code}`)
  }
}

/** Prints the `Setting config vars` block (quiet-able). */
export function printSetBlock (ctx: Ctx, pairs: Record<string, string>): void {
  if (ctx.quiet) return
  ctx.info1('Setting config vars')
  ctx.line(columnize(prettyRows(pairs), '       '))
}

export async function cmdConfigSet (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('config:set', [
    { name: 'encoded', type: 'bool', def: false, usage: '--encoded: interpret VALUEs as base64' },
    GLOBAL,
    NO_RESTART
  ], args)
  const global = values.global === true
  const app = global ? '--global' : (positional[0] ?? '')
  if (app === '') ctx.fail('Please specify an app to run the command on')
  const rawPairs = global ? positional : positional.slice(1)
  const pairs: Record<string, string> = {}
  await ctx.store.update((s) => {
    if (!global) ctx.requireApp(s, app)
    if (rawPairs.length === 0) ctx.fail('At least one env pair must be given')
    for (const p of rawPairs) {
      const eq = p.indexOf('=')
      if (eq === -1) ctx.fail(`Invalid env pair: ${p}`)
      const key = p.slice(0, eq)
      let value = p.slice(eq + 1)
      if (!KEY_RE.test(key)) ctx.fail(`Invalid key name: '${key}'`)
      if (values.encoded === true) {
        const dec = goBase64Decode(value)
        if (!dec.ok) ctx.fail(`${dec.error} for key '${key}'`)
        value = (dec as { bytes: Buffer }).bytes.toString('utf8')
      }
      pairs[key] = value
    }
    const env = global ? s.global.env : s.apps[app]!.env
    Object.assign(env, pairs)
  })
  printSetBlock(ctx, pairs)
  await restartForConfig(ctx, app, values['no-restart'] === true)
}

async function unsetKeys (ctx: Ctx, app: string, global: boolean, keys: string[] | null, noRestart: boolean): Promise<void> {
  const result = await ctx.store.update((s) => {
    if (!global) ctx.requireApp(s, app)
    const env = global ? s.global.env : s.apps[app]!.env
    const wanted = keys ?? sortBytes(Object.keys(env))
    if (wanted.length === 0 && keys !== null) ctx.fail('At least one key must be given')
    const lines: string[] = []
    for (const k of wanted) {
      if (k in env) {
        delete env[k]
        lines.push(`Unsetting ${k}`)
      } else {
        lines.push(`Skipping ${k}, it is not set in the environment`)
      }
    }
    return lines
  })
  for (const l of result) ctx.info1(l)
  await restartForConfig(ctx, app, noRestart)
}

export async function cmdConfigUnset (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('config:unset', [GLOBAL, NO_RESTART], args)
  const global = values.global === true
  const app = global ? '--global' : (positional[0] ?? '')
  if (app === '') ctx.fail('Please specify an app to run the command on')
  await unsetKeys(ctx, app, global, global ? positional : positional.slice(1), values['no-restart'] === true)
}

export async function cmdConfigClear (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('config:clear', [GLOBAL, NO_RESTART], args)
  const global = values.global === true
  const app = global ? '--global' : (positional[0] ?? '')
  if (app === '') ctx.fail('Please specify an app to run the command on')
  await unsetKeys(ctx, app, global, null, values['no-restart'] === true)
}
