/**
 * The notification channels' and watchdog addresses' input rules (services/notifications.ts):
 * each field refused with its own message before anything is stored, the bounds, and a channel
 * that is gone.
 */
import t from 'tap'
import { MAX_CHANNELS } from '../../src/db/notifications.js'
import { MAX_ADDRESSES } from '../../src/db/watch-settings.js'
import * as n from '../../src/services/notifications.js'
import { build } from '../helpers/build.js'

t.test('channels and addresses: what is refused, and why', async (t) => {
  const { app } = await build(t)
  const ctx = app.alerts
  const hosts = app.hosts.list
  const ok = { name: 'ops', kind: 'webhook', url: 'https://example.com/hook' }
  const refused = (input: n.ChannelInput, field: string, message: RegExp) =>
    t.throws(() => n.addChannel(ctx, input), { field, message }, `${field}: ${message}`)
  refused({ ...ok, name: '' }, 'name', /Give the channel a name/)
  refused({ ...ok, name: 'x'.repeat(61) }, 'name', /at most 60/)
  refused({ ...ok, name: 'a\u0007b' }, 'name', /Give the channel a name/)
  refused({ ...ok, kind: 'email' }, 'kind', /Choose the kind/)
  refused({ ...ok, url: undefined }, 'url', /URL is required/)
  refused({ ...ok, minSeverity: 'loud' }, 'minSeverity', /lowest severity/)
  refused({ ...ok, apps: 'Not_An_App' }, 'apps', /./)
  refused({ ...ok, apps: Array.from({ length: 51 }, (_, i) => `app-${i}`).join(' ') }, 'apps', /At most 50 apps/)
  t.equal(ctx.notifications.channelCount, 0, 'nothing was stored')

  const c = n.addChannel(ctx, { ...ok, apps: 'shop, shop api' })
  t.same([c.minSeverity, c.apps], ['warning', ['shop', 'api']], 'warning and worse by default; each app once')
  t.equal(n.addChannel(ctx, { ...ok, apps: '  ' }).apps, null, 'no app: every app')
  for (let i = ctx.notifications.channelCount; i < MAX_CHANNELS; i++) n.addChannel(ctx, ok)
  refused(ok, 'name', new RegExp(`At most ${MAX_CHANNELS} channels`))

  t.throws(() => n.removeChannel(ctx, 99999), { statusCode: 404, message: /no such channel/ })
  t.throws(() => n.setChannelEnabled(ctx, 99999, false), { statusCode: 404, message: /no such channel/ })
  t.throws(() => n.sendTest(ctx, hosts, 99999), { statusCode: 404, message: /no such channel/ })
  t.equal(n.setChannelEnabled(ctx, c.id, false).enabled, false)
  t.equal(n.removeChannel(ctx, c.id).id, c.id)

  t.same(n.parseAddresses(undefined), [])
  t.same(n.parseAddresses('203.0.113.10 203.0.113.10, 2001:DB8::1'), ['203.0.113.10', '2001:db8::1'])
  t.throws(() => n.parseAddresses(Array.from({ length: MAX_ADDRESSES + 1 }, (_, i) => `192.0.2.${i}`).join(' ')), { field: 'addresses', message: /At most/ })
  t.throws(() => n.setHostAddresses(ctx, hosts, 'nowhere', '192.0.2.1'), { field: 'host', message: /Choose a host/ })
  t.throws(() => n.setHostAddresses(ctx, hosts, undefined, '192.0.2.1'), { field: 'host', message: /Choose a host/ })
  t.same(n.setHostAddresses(ctx, hosts, 'local', ''), [], 'empty: back to the global domain\'s addresses')

  const page = n.notificationSettings(ctx, hosts)
  t.equal(page.channels.length, MAX_CHANNELS - 1)
  t.same(page.addresses, [{ host: 'local', configured: [], inUse: [], source: null }], 'not checked yet: nothing in use')
})
