import type { FastifyPluginAsync } from 'fastify'
import { Type, type Static } from 'typebox'
import { filterApps, loadDashboard } from '../apps/model.js'

const DashboardQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) })
type DashboardQuery = Static<typeof DashboardQuery>

const dashboardRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: DashboardQuery }>('/', { schema: { querystring: DashboardQuery } }, async (req, reply) => {
    const q = req.query.q ?? ''
    const [apps, health] = await Promise.all([loadDashboard(app), app.serverHealth.read()])
    return reply.render('dashboard', { title: 'Apps', apps: filterApps(apps, q), total: apps.length, q, health, createForm: {} })
  })

  // The table alone: the filter box and the periodic refresh ask for it.
  app.get<{ Querystring: DashboardQuery }>('/dashboard/apps', { schema: { querystring: DashboardQuery } }, async (req, reply) => {
    const q = req.query.q ?? ''
    const apps = await loadDashboard(app)
    return reply.fragment('apps-table', { apps: filterApps(apps, q), total: apps.length, q })
  })
}

export default dashboardRoutes
