import { OutputParseError } from '../errors.js'
import { isLogHeader, parseJsonOutput, splitLines } from './common.js'

export interface PluginInfo {
  name: string
  version: string
  enabled: boolean
  /** From JSON (≥0.38.22); from text, guessed from the `dokku core … plugin` description. */
  core: boolean
  description: string
  /** Only in JSON, for plugins installed by git clone; '' otherwise. */
  sourceUrl: string
  committish: string
  branch: string
}

const CORE_DESCRIPTION = /^dokku core .*plugin$/

/**
 * `plugin:list` text (`plugn list`): `  name version enabled|disabled description`, padded but
 * overflowing, so split on whitespace; the `plugn: x.y.z` first line of ≤0.22 is skipped.
 */
export function parsePluginListText (stdout: string): PluginInfo[] {
  const plugins: PluginInfo[] = []
  for (const line of splitLines(stdout)) {
    const trimmed = line.trim()
    if (trimmed.startsWith('plugn:') || isLogHeader(line)) continue
    const [name, version, status, ...rest] = trimmed.split(/\s+/)
    if (name === undefined || version === undefined || (status !== 'enabled' && status !== 'disabled')) continue
    const description = rest.join(' ')
    plugins.push({
      name, version, enabled: status === 'enabled', core: CORE_DESCRIPTION.test(description), description,
      sourceUrl: '', committish: '', branch: ''
    })
  }
  return plugins
}

/** `plugin:list --format json` (≥0.38.22). */
export function parsePluginListJson (stdout: string): PluginInfo[] {
  const data = parseJsonOutput(stdout, 'a plugin list')
  if (!Array.isArray(data)) throw new OutputParseError('expected a JSON array of plugins')
  return data.map((entry: unknown) => {
    const e = (entry ?? {}) as Record<string, unknown>
    if (typeof e.name !== 'string') throw new OutputParseError('expected plugins with a name')
    const str = (v: unknown) => (typeof v === 'string' ? v : '')
    return {
      name: e.name,
      version: str(e.version),
      enabled: e.enabled === true,
      core: e.core === true,
      description: str(e.description),
      sourceUrl: str(e.source_url),
      committish: str(e.committish),
      branch: str(e.branch)
    }
  })
}
