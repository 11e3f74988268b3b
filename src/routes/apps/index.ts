import type { FastifyPluginAsync } from 'fastify'

const appsRoutes: FastifyPluginAsync = async () => {}

export default appsRoutes
