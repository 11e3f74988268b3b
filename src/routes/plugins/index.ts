import type { FastifyPluginAsync } from 'fastify'
import { Type, type Static } from 'typebox'
import type { PluginInfo } from '../../dokku/parsers/plugins.js'

const PluginsQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) })
type PluginsQuery = Static<typeof PluginsQuery>

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

const pluginsRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: PluginsQuery }>('/plugins', { schema: { querystring: PluginsQuery } }, async (req, reply) => {
    const q = (req.query.q ?? '').trim()
    const all = await app.readCache.get('listPlugins', 'all', () => app.dokku.listPlugins())
    const shown = all
      .filter((p) => matchesPlugin(p, q))
      .map((p) => ({ ...p, link: webUrl(p.sourceUrl) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    return reply.render('plugins', {
      title: 'Plugins',
      q,
      total: all.length,
      thirdParty: shown.filter((p) => !p.core),
      core: shown.filter((p) => p.core),
      counts: { thirdParty: all.filter((p) => !p.core).length, core: all.filter((p) => p.core).length, disabled: all.filter((p) => !p.enabled).length }
    })
  })
}

export default pluginsRoutes
