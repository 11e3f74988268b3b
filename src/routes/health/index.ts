import type { FastifyPluginAsync } from 'fastify'

const healthRoutes: FastifyPluginAsync = async (app) => {
  app.get('/api/health', { config: { public: true } }, async () => ({ status: 'ok' }))

  app.get('/api/server/health', async () => app.serverHealth.read())

  // The dashboard's gauges refresh themselves through this fragment.
  app.get('/server-health', async (_req, reply) => {
    return reply.fragment('server-health', { health: await app.serverHealth.read() })
  })
}

export default healthRoutes
