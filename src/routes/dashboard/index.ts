import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import { dashboard, tableVersion } from '../../services/dashboard.js'

const DashboardQuery = Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) })
type DashboardQuery = Static<typeof DashboardQuery>

/**
 * The dashboard: at `/`, every host's apps; at `/hosts/:host/`, that host's alone. Each host
 * is read within its own timeout, so one that hangs shows as unreachable and holds up no other.
 */
const dashboardRoutes: FastifyPluginAsync = async (app) => {
  const hostsOf = (req: FastifyRequest) => req.hostBase === '' ? app.hosts.list : [req.dokkuHost]

  app.get<{ Querystring: DashboardQuery }>('/', { schema: { querystring: DashboardQuery } }, async (req, reply) => {
    const q = req.query.q ?? ''
    const [hosts, health] = await Promise.all([dashboard(hostsOf(req), q), app.serverHealth.read()])
    // The table is rendered once per version of its rows (300 apps: the bulk of the page).
    const table = tableVersion(hosts, q)
    const appsTable = await reply.memoPart('apps-table', { hostApps: hosts, q }, table)
    // The whole page, kept while its table, the filter and the gauges' reading stay the same.
    return reply.render('dashboard', { title: 'Apps', q, health, createForm: {}, appsTable }, { memo: `${table}\0${q}\0${JSON.stringify(health)}` })
  })

  // The table alone: the filter box and the periodic refresh ask for it.
  app.get<{ Querystring: DashboardQuery }>('/dashboard/apps', { schema: { querystring: DashboardQuery } }, async (req, reply) => {
    const q = req.query.q ?? ''
    const hosts = await dashboard(hostsOf(req), q)
    return reply.fragment('apps-table', { hostApps: hosts, q }, { memo: tableVersion(hosts, q) })
  })
}

export default dashboardRoutes
