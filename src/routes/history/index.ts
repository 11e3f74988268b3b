import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { Type } from 'typebox'
import { appName, appState } from '../../services/apps.js'
import { FilterQuery, historyEntry, historyExport, historyPanel, type HistoryPanel } from '../../services/history.js'
import { AppParams } from '../params.js'

const EXPORT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8'
} as const

function answer (reply: FastifyReply, template: string, data: Record<string, unknown> & { panel: HistoryPanel }): Promise<FastifyReply> {
  if (Object.keys(data.panel.errors).length > 0) reply.code(422)
  return reply.render(template, data)
}

/** The audit trail of every host: /history, its exports and one entry. */
const historyRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: FilterQuery }>('/history', { schema: { querystring: FilterQuery } }, async (req, reply) => {
    return answer(reply, 'history', { title: 'History', panel: historyPanel(app.history, req.query, { base: '/history' }) })
  })

  // Streamed downloads: a keyset batch at a time, as the client reads (see db/history-export.ts).
  for (const format of ['csv', 'json'] as const) {
    app.get<{ Querystring: FilterQuery }>(`/history/export.${format}`, { schema: { querystring: FilterQuery } }, async (req, reply) => {
      const { filename, stream } = historyExport(app.history, format, req.query)
      return reply
        .type(EXPORT_TYPES[format])
        .header('Content-Disposition', `attachment; filename="${filename}"`)
        .header('Cache-Control', 'no-store')
        .send(stream)
    })
  }

  app.get<{ Params: { id: number } }>('/history/:id', {
    schema: { params: Type.Object({ id: Type.Integer({ minimum: 1 }) }) }
  }, async (req, reply) => {
    const row = historyEntry(app.history, req.params.id)
    if (!row) return reply.callNotFound()
    return reply.render('history-entry', { title: `History #${row.id}`, row })
  })
}

/** The same panel on an app's tab (on its host), its app filter fixed. */
export const appHistoryRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Params: AppParams; Querystring: FilterQuery }>('/apps/:app/history', {
    schema: { params: AppParams, querystring: FilterQuery }
  }, async (req, reply) => {
    const host = req.dokkuHost
    const name = appName(req.params.app)
    const state = appState(host, name)
    const panel = historyPanel(app.history, req.query, { base: reply.hostPath(`/apps/${encodeURIComponent(name)}/history`), app: { host: host.name, name } })
    return answer(reply, 'history-app', { title: `History · ${name}`, appName: name, appState: await state, tab: 'history', panel })
  })
}

export default historyRoutes
