import type { PluginInfo } from '../dokku/parsers/plugins.js'
import type { Host } from '../hosts/host.js'

/** The plugins installed on a host (read only: installing one needs root on the server). */

export type { PluginInfo }

/** Case-insensitive match on the name, the description or the source URL. */
export function matchesPlugin (plugin: PluginInfo, query: string): boolean {
  const q = query.trim().toLowerCase()
  if (q === '') return true
  return [plugin.name, plugin.description, plugin.sourceUrl].some((field) => field.toLowerCase().includes(q))
}

/** Only web links are clickable; anything else from plugin.toml is shown as text. */
function webUrl (url: string): string | null {
  return /^https?:\/\/[^\s"'<>]+$/i.test(url) ? url : null
}

export interface ShownPlugin extends PluginInfo {
  /** The source URL when it is a web address, else null. */
  link: string | null
}

export interface PluginsList {
  /** The query as applied (trimmed). */
  q: string
  /** How many plugins are installed, before the filter. */
  total: number
  thirdParty: ShownPlugin[]
  core: ShownPlugin[]
  /** Before the filter. */
  counts: { thirdParty: number; core: number; disabled: number }
}

/** `plugin:list` (cached for every page that needs it), filtered by `query`, sorted by name. */
export async function list (host: Host, query: string): Promise<PluginsList> {
  const q = query.trim()
  const all = await host.cache.get('plugin:list', 'all', () => host.dokku.listPlugins())
  const shown = all
    .filter((p) => matchesPlugin(p, q))
    .map((p): ShownPlugin => ({ ...p, link: webUrl(p.sourceUrl) }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return {
    q,
    total: all.length,
    thirdParty: shown.filter((p) => !p.core),
    core: shown.filter((p) => p.core),
    counts: { thirdParty: all.filter((p) => !p.core).length, core: all.filter((p) => p.core).length, disabled: all.filter((p) => !p.enabled).length }
  }
}
