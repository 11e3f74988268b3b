import type { FastifyPluginAsync } from 'fastify'

const logsRoutes: FastifyPluginAsync = async () => {}

export default logsRoutes
