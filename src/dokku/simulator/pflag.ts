/**
 * Emulation of spf13/pflag v1.0.10 as dokku's Go subcommands use it (`flag.ExitOnError`):
 * on a bad flag the usage block is printed, then the error, all on stderr, and the process
 * exits 2. `--help`/`-h` (when not defined) print the usage and exit 0.
 */
import { goQuote } from './format.js'

export type FlagType = 'bool' | 'string' | 'int' | 'int64'

export interface FlagSpec {
  name: string
  short?: string
  type: FlagType
  def: string | number | boolean
  usage: string
}

export type FlagValues = Record<string, string | number | boolean>

export interface ParsedFlags {
  values: FlagValues
  positional: string[]
}

/** A pflag failure: what goes to stderr and the exit code. */
export class PflagFailure extends Error {
  constructor (readonly stderr: string, readonly exitCode: number) {
    super(stderr)
    this.name = 'PflagFailure'
  }
}

function typeName (t: FlagType): string {
  switch (t) {
    case 'bool': return ''
    case 'string': return 'string'
    default: return 'int'
  }
}

function isZeroDefault (f: FlagSpec): boolean {
  if (f.type === 'bool') return f.def === false
  if (f.type === 'string') return f.def === ''
  return f.def === 0
}

/** `FlagUsagesWrapped(0)`: sorted by name, usage column aligned one past the longest flag column. */
export function flagUsages (specs: readonly FlagSpec[]): string {
  const sorted = [...specs].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  const lines = sorted.map((f) => {
    let line = f.short ? `  -${f.short}, --${f.name}` : `      --${f.name}`
    const varname = typeName(f.type)
    if (varname !== '') line += ' ' + varname
    let usage = f.usage
    if (!isZeroDefault(f)) {
      usage += f.type === 'string' ? ` (default ${goQuote(String(f.def))})` : ` (default ${String(f.def)})`
    }
    return { head: line, usage }
  })
  const maxlen = Math.max(0, ...lines.map((l) => l.head.length + 1))
  return lines.map((l) => `${l.head} ${' '.repeat(maxlen - l.head.length)} ${l.usage}\n`).join('')
}

export function usageBlock (setName: string, specs: readonly FlagSpec[]): string {
  return `Usage of ${setName}:\n${flagUsages(specs)}`
}

function parseBool (value: string): boolean | null {
  switch (value) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True': return true
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False': return false
    default: return null
  }
}

/** strconv.ParseInt(s, 0, 64); returns an error text on failure. */
function parseGoInt (s: string): number | string {
  const syntax = `strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`
  const m = s.match(/^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/)
  if (!m) return syntax
  let body = m[2]!
  if (body.includes('_')) {
    // Underscores are only allowed with a base prefix, between digits.
    if (!/^0[xXoObB]?/.test(body) || /__|_$/.test(body) || (/^[1-9]/.test(body))) return syntax
  }
  body = body.replace(/_/g, '')
  let big: bigint
  try {
    if (/^0[oO]/.test(body)) big = BigInt('0o' + body.slice(2))
    else if (/^0[0-7]+$/.test(body)) big = BigInt('0o' + body.slice(1))
    else big = BigInt(body)
  } catch {
    return syntax
  }
  if (m[1] === '-') big = -big
  if (big > 9223372036854775807n || big < -9223372036854775808n) return `strconv.ParseInt: parsing ${goQuote(s)}: value out of range`
  return Number(big)
}

/** Parses like pflag with interspersed flags; throws PflagFailure with the exact stderr text. */
export function parsePflags (setName: string, specs: readonly FlagSpec[], args: readonly string[]): ParsedFlags {
  const values: FlagValues = {}
  for (const f of specs) values[f.name] = f.def
  const positional: string[] = []
  const byName = new Map(specs.map((f) => [f.name, f]))
  const byShort = new Map(specs.filter((f) => f.short).map((f) => [f.short!, f]))
  const usage = usageBlock(setName, specs)
  const fail = (message: string): never => { throw new PflagFailure(`${usage}${message}\n`, 2) }
  const help = (): never => { throw new PflagFailure(usage, 0) }

  const set = (f: FlagSpec, value: string): void => {
    const flagName = f.short ? `-${f.short}, --${f.name}` : `--${f.name}`
    const bad = (err: string): never => fail(`invalid argument ${goQuote(value)} for ${goQuote(flagName)} flag: ${err}`)
    if (f.type === 'bool') {
      const b = parseBool(value)
      if (b === null) bad(`strconv.ParseBool: parsing ${goQuote(value)}: invalid syntax`)
      values[f.name] = b as boolean
    } else if (f.type === 'string') {
      values[f.name] = value
    } else {
      const n = parseGoInt(value)
      if (typeof n === 'string') bad(n)
      values[f.name] = n
    }
  }

  const rest = [...args]
  while (rest.length > 0) {
    const s = rest.shift()!
    if (s.length <= 1 || s[0] !== '-') {
      positional.push(s)
      continue
    }
    if (s[1] === '-') {
      if (s.length === 2) { positional.push(...rest); break }
      const nameAndValue = s.slice(2)
      if (nameAndValue[0] === '-' || nameAndValue[0] === '=') fail(`bad flag syntax: ${s}`)
      const eq = nameAndValue.indexOf('=')
      const name = eq === -1 ? nameAndValue : nameAndValue.slice(0, eq)
      const f = byName.get(name)
      if (!f) {
        if (name === 'help') help()
        fail(`unknown flag: --${name}`)
      }
      if (eq !== -1) set(f!, nameAndValue.slice(eq + 1))
      else if (f!.type === 'bool') set(f!, 'true')
      else if (rest.length > 0) set(f!, rest.shift()!)
      else fail(`flag needs an argument: ${s}`)
      continue
    }
    let shorts = s.slice(1)
    while (shorts.length > 0) {
      const c = shorts[0]!
      const f = byShort.get(c)
      if (!f) {
        if (c === 'h') help()
        fail(`unknown shorthand flag: '${c}' in -${shorts}`)
      }
      if (shorts.length > 2 && shorts[1] === '=') {
        set(f!, shorts.slice(2))
        shorts = ''
      } else if (f!.type === 'bool') {
        set(f!, 'true')
        shorts = shorts.slice(1)
      } else if (shorts.length > 1) {
        set(f!, shorts.slice(1))
        shorts = ''
      } else if (rest.length > 0) {
        set(f!, rest.shift()!)
        shorts = ''
      } else {
        fail(`flag needs an argument: '${c}' in -${shorts}`)
      }
    }
  }
  return { values, positional }
}
