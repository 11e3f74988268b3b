import type { FastifyPluginAsync } from 'fastify'

const dashboardRoutes: FastifyPluginAsync = async (app) => {
  app.get('/', async (_req, reply) => {
    return reply.render('dashboard', { title: 'Apps', health: await app.serverHealth.read() })
  })
}

export default dashboardRoutes
