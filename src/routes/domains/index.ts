import type { FastifyPluginAsync } from 'fastify'

const domainsRoutes: FastifyPluginAsync = async () => {}

export default domainsRoutes
