import type { FastifyPluginAsync } from 'fastify'
import { Type, type Static } from 'typebox'
import { activityPage, turnOnEvents, EVENTS_ON_RECORDS, type ActivityQueryRaw } from '../../services/activity.js'
import { appName, appState } from '../../services/apps.js'
import { AppParams } from '../params.js'

/** The filters as any text: a bad value gets a message next to its field, not a bare 400. */
const ActivityQuery = Type.Object({
  app: Type.Optional(Type.String()),
  kind: Type.Optional(Type.String()),
  who: Type.Optional(Type.String()),
  host: Type.Optional(Type.String()),
  before: Type.Optional(Type.String())
})
const EventsOnBody = Type.Object({ host: Type.String({ maxLength: 40 }), confirm: Type.String({ maxLength: 10 }) })

/** The timeline of every host: `/activity`, and `POST /activity/events-on` (only on the admin's click). */
const activityRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: ActivityQueryRaw }>('/activity', { schema: { querystring: ActivityQuery } }, async (req, reply) => {
    const page = await activityPage(req.query, { base: '/activity', hosts: app.hosts.list, several: app.hosts.several })
    if (Object.keys(page.errors).length > 0) reply.code(422)
    return reply.render('activity', { title: 'Activity', page, eventsOnRecords: EVENTS_ON_RECORDS })
  })

  app.post<{ Body: Static<typeof EventsOnBody> }>('/activity/events-on', { schema: { body: EventsOnBody } }, async (req, reply) => {
    const host = app.hosts.get(req.body.host)
    if (!host || req.body.confirm !== 'yes') return reply.code(400).send('Choose a host and confirm.')
    await turnOnEvents(host)
    reply.toast({ level: 'success', message: `dokku's events log is on for ${host.name}.` })
    return reply.goTo('/activity')
  })
}

/** One app's timeline, on its host. */
export const appActivityRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Params: AppParams; Querystring: ActivityQueryRaw }>('/apps/:app/activity', { schema: { params: AppParams, querystring: ActivityQuery } }, async (req, reply) => {
    const host = req.dokkuHost
    const name = appName(req.params.app)
    const [page, state] = await Promise.all([
      activityPage(req.query, { base: reply.hostPath(`/apps/${name}/activity`), hosts: [host], several: app.hosts.several, app: name }),
      appState(host, name)
    ])
    if (Object.keys(page.errors).length > 0) reply.code(422)
    return reply.render('app-activity', { title: `Activity · ${name}`, appName: name, appState: state, tab: 'activity', page, eventsOnRecords: EVENTS_ON_RECORDS })
  })
}

export default activityRoutes
