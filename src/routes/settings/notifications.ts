import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { Type, type Static } from 'typebox'
import { isFragmentRequest, type Toast } from '../../plugins/views.js'
import { InvalidArgumentError } from '../../services/errors.js'
import * as notifications from '../../services/notifications.js'

/**
 * The /settings sections of issue 11: notification channels (add, switch off and on, send a
 * test, remove; every delivery's outcome) and the watchdog's host addresses. htmx gets the
 * section again; a plain form goes back to /settings (303), or, refused, gets a page with the
 * section and its error (422), the URL typed never echoed.
 */

export const NOTIFICATION_SECTIONS = [
  { id: 'notifications', title: 'Notifications', partial: 'settings-notifications' },
  { id: 'watchdog', title: 'Watchdog', partial: 'settings-watchdog' }
] as const

const ChannelBody = Type.Object({
  name: Type.Optional(Type.String({ maxLength: 200 })),
  kind: Type.Optional(Type.String({ maxLength: 20 })),
  url: Type.Optional(Type.String({ maxLength: 4096 })),
  minSeverity: Type.Optional(Type.String({ maxLength: 20 })),
  apps: Type.Optional(Type.String({ maxLength: 8192 }))
})
type ChannelBody = Static<typeof ChannelBody>
const ChannelParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })
type ChannelParams = Static<typeof ChannelParams>
const EnableBody = Type.Object({ enabled: Type.Optional(Type.String({ maxLength: 5 })) })
type EnableBody = Static<typeof EnableBody>
const AddressesBody = Type.Object({ host: Type.Optional(Type.String({ maxLength: 40 })), addresses: Type.Optional(Type.String({ maxLength: 4096 })) })
type AddressesBody = Static<typeof AddressesBody>

type Section = typeof NOTIFICATION_SECTIONS[number]['id']

const notificationsRoutes: FastifyPluginAsync = async (app) => {
  const data = (forms: Record<string, unknown> = {}) => ({ notifications: notifications.notificationSettings(app.alerts, app.hosts.list), forms })

  /** The section again (htmx), or back to the page (a plain form). */
  const updated = (reply: FastifyReply, section: Section, toast: Toast): Promise<FastifyReply> | FastifyReply => {
    if (!isFragmentRequest(reply.request)) return reply.redirect(`/settings#${section}`, 303)
    reply.toast(toast)
    return reply.fragment(`settings-${section}`, data())
  }

  const refused = (reply: FastifyReply, section: Section, forms: Record<string, unknown>): Promise<FastifyReply> => reply.invalid({
    partial: `settings-${section}`,
    page: 'settings',
    data: { title: 'Settings', sections: NOTIFICATION_SECTIONS.filter((s) => s.id === section), ...data(forms) }
  })

  app.post<{ Body: ChannelBody }>('/settings/notifications', { schema: { body: ChannelBody } }, async (req, reply) => {
    try {
      const channel = notifications.addChannel(app.alerts, req.body)
      return updated(reply, 'notifications', { level: 'success', message: `Channel "${channel.name}" added. Send it a test.` })
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err
      // What was typed comes back, except the URL: it is a secret, and is typed again.
      const { url: _url, ...typed } = req.body
      return refused(reply, 'notifications', { channel: { ...typed, error: err.message, field: err.field } })
    }
  })

  app.post<{ Params: ChannelParams }>('/settings/notifications/:id/test', { schema: { params: ChannelParams } }, async (req, reply) => {
    const delivery = notifications.sendTest(app.alerts, app.hosts.list, req.params.id)
    return updated(reply, 'notifications', { level: 'info', message: `Test message #${delivery.id} queued: its outcome shows in the list.` })
  })

  app.post<{ Params: ChannelParams; Body: EnableBody }>('/settings/notifications/:id/enabled', {
    schema: { params: ChannelParams, body: EnableBody }
  }, async (req, reply) => {
    const channel = notifications.setChannelEnabled(app.alerts, req.params.id, req.body.enabled === 'true')
    return updated(reply, 'notifications', { level: 'success', message: `"${channel.name}" is ${channel.enabled ? 'on' : 'off'}.` })
  })

  app.post<{ Params: ChannelParams }>('/settings/notifications/:id/delete', { schema: { params: ChannelParams } }, async (req, reply) => {
    const channel = notifications.removeChannel(app.alerts, req.params.id)
    return updated(reply, 'notifications', { level: 'success', message: `Channel "${channel.name}" removed.` })
  })

  app.post<{ Body: AddressesBody }>('/settings/watchdog/addresses', { schema: { body: AddressesBody } }, async (req, reply) => {
    try {
      const list = notifications.setHostAddresses(app.alerts, app.hosts.list, req.body.host, req.body.addresses)
      return updated(reply, 'watchdog', { level: 'success', message: list.length > 0 ? `${req.body.host}: DNS is compared with ${list.join(', ')}.` : `${req.body.host}: DNS is compared with what its global domain resolves to.` })
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err
      return refused(reply, 'watchdog', { addresses: { host: req.body.host, value: (req.body.addresses ?? '').slice(0, 500), error: err.message } })
    }
  })
}

export default notificationsRoutes
