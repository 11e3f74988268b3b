import { OutputParseError } from '../errors.js'
import { isLogHeader, parseJsonOutput, splitLines } from './common.js'

/** Env vars by name. Built with Object.fromEntries, so a key like `__proto__` stays a plain key. */
export type EnvVars = Record<string, string>

/**
 * `config:export --format json` (`{"K":"v"}`) or `--format json-list`
 * (`[{"name":"K","value":"v"}]`, `null` when there are none). Exact values, any bytes.
 */
export function parseConfigJson (stdout: string): EnvVars {
  const data = parseJsonOutput(stdout, 'config vars')
  if (data === null) return {}
  if (Array.isArray(data)) {
    return Object.fromEntries(data.map((entry: unknown) => {
      const e = entry as { name?: unknown, value?: unknown }
      if (typeof e?.name !== 'string' || typeof e.value !== 'string') throw new OutputParseError('expected {"name","value"} entries')
      return [e.name, e.value]
    }))
  }
  if (typeof data !== 'object' || !Object.values(data).every((v) => typeof v === 'string')) {
    throw new OutputParseError('expected a JSON object of strings')
  }
  return Object.fromEntries(Object.entries(data as Record<string, string>))
}

// `KEY='value'` with shell single-quoting (`'` written as `'\''`).
const SHELL_PAIR = /([A-Za-z_][A-Za-z0-9_]*)='((?:[^']|'\\'')*)'/g

/**
 * `config:export` in the shell-quoted formats: `exports` (`export K='v'` lines), `shell`
 * (`K='v' K2='v2' `) and `docker-args` (`--env=K='v' …`).
 */
export function parseConfigShell (stdout: string): EnvVars {
  return Object.fromEntries([...stdout.matchAll(SHELL_PAIR)].map((m) => [m[1] ?? '', (m[2] ?? '').replaceAll(`'\\''`, `'`)]))
}

const SHOW_ROW = /^([A-Za-z_][A-Za-z0-9_]*):(?:\s+(.*))?$/

/**
 * `config:show` / `config:export --format pretty`: `KEY:  value` rows under a `=====> app env vars`
 * header. Values are trimmed by dokku, and a multi-line value's extra lines have no key: they are
 * joined back to the value before them (best effort: prefer `parseConfigJson`).
 */
export function parseConfigShow (stdout: string): EnvVars {
  const entries: Array<[string, string]> = []
  for (const line of splitLines(stdout)) {
    if (isLogHeader(line) || line.startsWith(' !')) continue
    const m = line.match(SHOW_ROW)
    const last = entries[entries.length - 1]
    if (m) entries.push([m[1] ?? '', (m[2] ?? '').trimEnd()])
    else if (last && line !== '') last[1] += `\n${line}`
  }
  return Object.fromEntries(entries)
}

/** `config:get <app> KEY`: the raw value and one newline. */
export function parseConfigGet (stdout: string): string {
  return stdout.endsWith('\n') ? stdout.slice(0, -1) : stdout
}

/** `config:keys <app>`: one key a line. */
export function parseConfigKeys (stdout: string): string[] {
  return splitLines(stdout).map((l) => l.trim()).filter((l) => l !== '' && !isLogHeader(l) && !l.startsWith('!'))
}
