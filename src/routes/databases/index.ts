import type { FastifyPluginAsync } from 'fastify'

const databasesRoutes: FastifyPluginAsync = async () => {}

export default databasesRoutes
