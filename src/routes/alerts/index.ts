import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { Type, type Static } from 'typebox'
import { isFragmentRequest } from '../../plugins/views.js'
import * as alerts from '../../services/alerts.js'
import { InvalidArgumentError } from '../../services/errors.js'

/**
 * The watchdog's findings, for every host: /alerts (open and recent, filtered by host, app and
 * severity), one finding's page with its one-click fix, snoozing, and "check now". Global
 * pages: a finding names its host, and its fix runs there.
 */

const AlertsQuery = Type.Object({
  host: Type.Optional(Type.String({ maxLength: 40 })),
  app: Type.Optional(Type.String({ maxLength: 200 })),
  severity: Type.Optional(Type.String({ maxLength: 20 }))
})
type AlertsQuery = Static<typeof AlertsQuery>
const AlertParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })
type AlertParams = Static<typeof AlertParams>
const SnoozeBody = Type.Object({ for: Type.Optional(Type.String({ maxLength: 10 })) })
type SnoozeBody = Static<typeof SnoozeBody>
const CheckBody = Type.Object({ host: Type.Optional(Type.String({ maxLength: 40 })) })
type CheckBody = Static<typeof CheckBody>

const alertsRoutes: FastifyPluginAsync = async (app) => {
  const ctx = () => app.alerts
  const hosts = () => app.hosts.list

  app.get<{ Querystring: AlertsQuery }>('/alerts', { schema: { querystring: AlertsQuery } }, async (req, reply) => {
    let filter: alerts.AlertsFilter
    try {
      filter = alerts.alertsFilter(hosts(), req.query)
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err
      reply.code(400)
      return reply.render('alerts', { title: 'Alerts', error: err.message, ...alerts.alertsPage(ctx(), hosts(), { host: null, app: null, severity: null }) })
    }
    return reply.render('alerts', { title: 'Alerts', error: null, ...alerts.alertsPage(ctx(), hosts(), filter) })
  })

  const findingPage = (id: number) => ({ title: 'Alert', ...alerts.findingPage(ctx(), hosts(), id), snoozeChoices: Object.keys(alerts.SNOOZE_CHOICES) })

  app.get<{ Params: AlertParams }>('/alerts/:id', { schema: { params: AlertParams } }, async (req, reply) => {
    return reply.render('alert', findingPage(req.params.id))
  })

  // The finding's panel alone: refreshed when a job ends on the page.
  app.get<{ Params: AlertParams }>('/alerts/:id/panel', { schema: { params: AlertParams } }, async (req, reply) => {
    if (!isFragmentRequest(req)) return reply.redirect(`/alerts/${req.params.id}`, 303)
    return reply.fragment('alert-panel', findingPage(req.params.id))
  })

  /** After a change: htmx gets the panel again (and a toast), a plain form goes back to the page. */
  const panel = (reply: FastifyReply, id: number, message: string): Promise<FastifyReply> | FastifyReply => {
    if (!isFragmentRequest(reply.request)) return reply.redirect(`/alerts/${id}`, 303)
    reply.toast({ level: 'success', message })
    return reply.fragment('alert-panel', findingPage(id))
  }

  app.post<{ Params: AlertParams; Body: SnoozeBody }>('/alerts/:id/snooze', { schema: { params: AlertParams, body: SnoozeBody } }, async (req, reply) => {
    const f = alerts.snooze(ctx(), req.params.id, req.body.for)
    return panel(reply, f.id, `Snoozed until ${f.snoozedUntil?.replace('T', ' ').replace(/:\d\d\.\d+Z$/, ' UTC')}.`)
  })

  app.post<{ Params: AlertParams }>('/alerts/:id/unsnooze', { schema: { params: AlertParams } }, async (req, reply) => {
    const f = alerts.unsnooze(ctx(), req.params.id)
    return panel(reply, f.id, 'Awake again.')
  })

  app.post<{ Params: AlertParams }>('/alerts/:id/fix', { schema: { params: AlertParams } }, async (req, reply) => {
    return reply.job(alerts.fix(ctx(), hosts(), req.params.id))
  })

  app.post<{ Body: CheckBody }>('/alerts/check', { schema: { body: CheckBody } }, async (req, reply) => {
    const report = await alerts.checkNow(ctx(), hosts(), req.body.host)
    const changed = report?.changes.length ?? 0
    reply.toast({ level: 'success', message: `Checked ${req.body.host}: ${changed === 0 ? 'nothing changed' : `${changed} change${changed === 1 ? '' : 's'}`}.` })
    return reply.goTo(`/alerts?host=${encodeURIComponent(req.body.host ?? '')}`)
  })
}

export default alertsRoutes
