import { isIP } from 'node:net'
import { SEVERITIES, type Severity } from '../db/findings.js'
import { CHANNEL_KINDS, MAX_CHANNELS, type Channel, type ChannelKind, type Delivery } from '../db/notifications.js'
import { MAX_ADDRESSES } from '../db/watch-settings.js'
import { InvalidArgumentError } from '../dokku/errors.js'
import { validateAppName } from '../dokku/validate.js'
import type { Host } from '../hosts/host.js'
import { maskUrl, validateChannelUrl } from '../notify/urls.js'
import type { AlertsContext } from '../watchdog/context.js'

/**
 * The notification channels and the watchdog's settings on /settings: add a channel (its URL
 * sealed at once, never shown again in the clear), switch it off and on, send a test, remove
 * it; every delivery with its outcome; each host's own addresses for the DNS check.
 */

export const KIND_LABELS: Record<ChannelKind, string> = {
  webhook: 'Webhook (JSON)',
  slack: 'Slack-compatible incoming webhook',
  discord: 'Discord-compatible incoming webhook',
  ntfy: 'ntfy topic'
}

export interface ChannelView {
  id: number
  name: string
  kind: ChannelKind
  kindLabel: string
  maskedUrl: string
  minSeverity: Severity
  apps: string[] | null
  enabled: boolean
  createdAt: string
}

export interface DeliveryView extends Delivery {
  channelName: string
}

export interface NotificationSettings {
  channels: ChannelView[]
  deliveries: DeliveryView[]
  kinds: Array<{ kind: ChannelKind; label: string }>
  severities: readonly Severity[]
  maxChannels: number
  /** Each host's addresses for the DNS rule, and what the watchdog last compared with. */
  addresses: Array<{ host: string; configured: string[]; inUse: string[]; source: string | null }>
}

/** Bound: deliveries the settings page lists. */
export const DELIVERIES_SHOWN = 50

function channelView (ctx: AlertsContext, c: Channel): ChannelView {
  const url = ctx.box.open(c.sealedUrl)
  return {
    id: c.id, name: c.name, kind: c.kind, kindLabel: KIND_LABELS[c.kind], minSeverity: c.minSeverity, apps: c.apps,
    enabled: c.enabled, createdAt: c.createdAt,
    maskedUrl: url === null ? 'cannot be opened (the session secret changed): add it again' : maskUrl(url)
  }
}

export function notificationSettings (ctx: AlertsContext, hosts: readonly Host[]): NotificationSettings {
  const channels = ctx.notifications.channels()
  const names = new Map(channels.map((c) => [c.id, c.name]))
  return {
    channels: channels.map((c) => channelView(ctx, c)),
    deliveries: ctx.notifications.deliveries(DELIVERIES_SHOWN).map((d) => ({ ...d, channelName: names.get(d.channelId) ?? `#${d.channelId}` })),
    kinds: CHANNEL_KINDS.map((kind) => ({ kind, label: KIND_LABELS[kind] })),
    severities: SEVERITIES,
    maxChannels: MAX_CHANNELS,
    addresses: hosts.map((h) => {
      const watch = ctx.watchdog.status(h.name)
      return { host: h.name, configured: ctx.settings.addresses(h.name), inUse: watch?.addresses.list ?? [], source: watch?.addresses.source ?? null }
    })
  }
}

export interface ChannelInput {
  name?: string
  kind?: string
  url?: string
  minSeverity?: string
  apps?: string
}

/** Bound on the app filter of one channel. */
export const MAX_CHANNEL_APPS = 50

function parseApps (raw: string | undefined): string[] | null {
  const parts = (raw ?? '').split(/[\s,]+/).filter((p) => p !== '')
  if (parts.length === 0) return null
  if (parts.length > MAX_CHANNEL_APPS) throw new InvalidArgumentError('apps', `At most ${MAX_CHANNEL_APPS} apps per channel`)
  return [...new Set(parts.map((p) => validateAppName(p, 'apps')))]
}

/** Adds a channel; InvalidArgumentError (naming the field) before anything is stored. */
export function addChannel (ctx: AlertsContext, input: ChannelInput): Channel {
  const name = (input.name ?? '').trim()
  if (name === '' || name.length > 60 || /[\u0000-\u001f\u007f]/.test(name)) throw new InvalidArgumentError('name', 'Give the channel a name (at most 60 characters)')
  const kind = input.kind as ChannelKind
  if (!CHANNEL_KINDS.includes(kind)) throw new InvalidArgumentError('kind', 'Choose the kind of channel')
  const url = validateChannelUrl(input.url, kind)
  const minSeverity = (input.minSeverity ?? 'warning') as Severity
  if (!SEVERITIES.includes(minSeverity)) throw new InvalidArgumentError('minSeverity', 'Choose the lowest severity to send')
  const apps = parseApps(input.apps)
  if (ctx.notifications.channelCount >= MAX_CHANNELS) throw new InvalidArgumentError('name', `At most ${MAX_CHANNELS} channels: remove one first`)
  return ctx.notifications.addChannel({ name, kind, sealedUrl: ctx.box.seal(url), minSeverity, apps })
}

function requireChannel (ctx: AlertsContext, id: number): Channel {
  const c = ctx.notifications.channel(id)
  if (!c) throw Object.assign(new Error('There is no such channel.'), { statusCode: 404 })
  return c
}

export function removeChannel (ctx: AlertsContext, id: number): Channel {
  const c = requireChannel(ctx, id)
  ctx.notifications.removeChannel(id)
  return c
}

export function setChannelEnabled (ctx: AlertsContext, id: number, enabled: boolean): Channel {
  requireChannel(ctx, id)
  ctx.notifications.setEnabled(id, enabled)
  return ctx.notifications.channel(id)!
}

/** "Send test": one test message now (retried like any other); the list shows its outcome. */
export function sendTest (ctx: AlertsContext, hosts: readonly Host[], id: number): Delivery {
  return ctx.notifier.test(requireChannel(ctx, id), hosts[0]?.name ?? 'docklight')
}

/** Parses "203.0.113.10, 2001:db8::1" into addresses; empty means "use the global domain's". */
export function parseAddresses (raw: string | undefined): string[] {
  const parts = (raw ?? '').split(/[\s,]+/).filter((p) => p !== '')
  if (parts.length > MAX_ADDRESSES) throw new InvalidArgumentError('addresses', `At most ${MAX_ADDRESSES} addresses`)
  for (const p of parts) {
    if (isIP(p) === 0) throw new InvalidArgumentError('addresses', `"${p.slice(0, 60)}" is not an IPv4 or IPv6 address`)
  }
  return [...new Set(parts.map((p) => p.toLowerCase()))]
}

export function setHostAddresses (ctx: AlertsContext, hosts: readonly Host[], host: string | undefined, raw: string | undefined): string[] {
  if (!hosts.some((h) => h.name === host)) throw new InvalidArgumentError('host', 'Choose a host')
  const list = parseAddresses(raw)
  ctx.settings.setAddresses(host!, list)
  return list
}
