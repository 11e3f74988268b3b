import type { FastifyPluginAsync } from 'fastify'
import * as server from '../../services/server.js'

/**
 * The server page of a host: what it runs (dokku's version, its schedulers and k3s cluster).
 * Each section renders what it could read, or dokku's reason it could not.
 */
const serverRoutes: FastifyPluginAsync = async (app) => {
  app.get('/server', async (req, reply) => {
    return reply.render('server', { title: 'Server', ...(await server.serverPage(req.dokkuHost)) })
  })
}

export default serverRoutes
