import type { FastifyPluginAsync } from 'fastify'
import { Type, type Static } from 'typebox'
import type { RunStatus } from '../../db/history.js'

const STATUSES: RunStatus[] = ['success', 'failed', 'timeout', 'error', 'cancelled', 'running', 'queued', 'interrupted']
const PAGE_SIZE = 50

const HistoryQuery = Type.Object({
  app: Type.Optional(Type.String({ maxLength: 200 })),
  status: Type.Optional(Type.Union([Type.Literal(''), ...STATUSES.map((s) => Type.Literal(s))])),
  before: Type.Optional(Type.Integer({ minimum: 1 }))
})
type HistoryQuery = Static<typeof HistoryQuery>

const historyRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: HistoryQuery }>('/history', { schema: { querystring: HistoryQuery } }, async (req, reply) => {
    const query = { app: req.query.app || undefined, status: (req.query.status || undefined) as RunStatus | undefined }
    const rows = app.history.list({ ...query, before: req.query.before, limit: PAGE_SIZE })
    const nextBefore = rows.length === PAGE_SIZE ? rows[rows.length - 1]!.id : null
    return reply.render('history', { title: 'History', rows, query, statuses: STATUSES, nextBefore })
  })

  app.get<{ Params: { id: number } }>('/history/:id', {
    schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) }
  }, async (req, reply) => {
    const row = app.history.get(req.params.id)
    if (!row) return reply.callNotFound()
    return reply.render('history-entry', { title: `History #${row.id}`, row })
  })
}

export default historyRoutes
