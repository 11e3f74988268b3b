import { parsePluginListJson, parsePluginListText, type PluginInfo } from '../parsers/plugins.js'
import type { DokkuVersion } from '../parsers/version.js'
import { TIMEOUTS, type CommandSpec } from './spec.js'
import { supports } from './version.js'

/** `dokku plugin:list [--format json]` (json ≥0.38.22). Allowed for non-root users. */
export function pluginList (version: DokkuVersion): CommandSpec<PluginInfo[]> {
  if (supports(version, 'pluginListJson')) {
    return { args: ['plugin:list', '--format', 'json'], kind: 'read', timeoutMs: TIMEOUTS.read, parse: ({ stdout }) => parsePluginListJson(stdout) }
  }
  return { args: ['plugin:list'], kind: 'read', timeoutMs: TIMEOUTS.read, parse: ({ stdout }) => parsePluginListText(stdout) }
}
