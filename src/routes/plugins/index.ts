import type { FastifyPluginAsync } from 'fastify'

const pluginsRoutes: FastifyPluginAsync = async () => {}

export default pluginsRoutes
