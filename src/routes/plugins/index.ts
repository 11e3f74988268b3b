import type { FastifyPluginAsync } from 'fastify'
import { Type, type Static } from 'typebox'
import * as plugins from '../../services/plugins.js'

const PluginsQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) })
type PluginsQuery = Static<typeof PluginsQuery>

const pluginsRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: PluginsQuery }>('/plugins', { schema: { querystring: PluginsQuery } }, async (req, reply) => {
    return reply.render('plugins', { title: 'Plugins', ...(await plugins.list(req.dokkuHost, req.query.q ?? '')) })
  })
}

export default pluginsRoutes
