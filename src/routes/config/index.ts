import type { FastifyPluginAsync } from 'fastify'

const configRoutes: FastifyPluginAsync = async () => {}

export default configRoutes
