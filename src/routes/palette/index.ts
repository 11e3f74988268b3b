import type { FastifyPluginAsync } from 'fastify'
import { entries } from '../../services/palette.js'

/** `/palette.json`: what the command palette lists (every host's apps, pages and actions). */
const paletteRoutes: FastifyPluginAsync = async (app) => {
  app.get('/palette.json', async (_req, reply) => {
    // Private (app names), and cheap to ask again: no browser cache keeps it.
    reply.header('Cache-Control', 'no-store')
    return { entries: await entries(app.hosts.list, app.hosts.several) }
  })
}

export default paletteRoutes
