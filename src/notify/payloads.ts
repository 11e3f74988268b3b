import type { Finding } from '../db/findings.js'
import type { ChannelKind, DeliveryEvent } from '../db/notifications.js'

/**
 * What each kind of channel is sent, built once per delivery (and stored, so a retry sends the
 * same bytes). Built only from a finding's public fields: its words, host, app and times;
 * never a config value, a channel URL or any other secret.
 */

export interface NotifyMessage {
  event: DeliveryEvent
  finding: Finding
  /** The finding's page, when Docklight knows its own address (DOCKLIGHT_PUBLIC_URL). */
  link: string | null
}

/** A request body and the headers that go with it. */
export interface Payload {
  headers: Record<string, string>
  body: string
}

/** Bound on a message's text (Discord takes 2000 characters, ntfy 4096 bytes). */
export const MAX_TEXT = 1800

function clip (text: string, max = MAX_TEXT): string {
  return text.length <= max ? text : text.slice(0, max - 1) + '…'
}

const VERB: Record<DeliveryEvent, string> = { opened: 'New', worsened: 'Worse', resolved: 'Resolved', test: 'Test' }

/** "[critical] demo-b: The certificate of storefront expires in 2 days" (the one-line summary). */
export function summaryOf (m: NotifyMessage): string {
  if (m.event === 'test') return 'Test message from Docklight'
  const state = m.event === 'resolved' ? 'resolved' : m.finding.severity
  return clip(`[${state}] ${m.finding.host}: ${m.finding.title}`, 300)
}

function lines (m: NotifyMessage): string[] {
  if (m.event === 'test') return ['Docklight can reach this channel. Alerts from the watchdog will arrive here.']
  const f = m.finding
  if (m.event === 'resolved') return [`${f.title}: no longer seen (first seen ${f.firstSeen}).`]
  return [f.detail, `What to do: ${f.action}`]
}

/** Slack mrkdwn and Discord markdown read `<`, `>`, `&` (Slack) and `*_~|\`` (Discord) as markup. */
function slackEscape (text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function discordEscape (text: string): string {
  return text.replace(/([\\*_~`|>])/g, '\\$1').replace(/@/g, '@\u200b')
}

const ICON: Record<string, string> = { critical: '🔴', warning: '🟠', info: '🔵', resolved: '✅', test: '🔔' }

function icon (m: NotifyMessage): string {
  return ICON[m.event === 'resolved' || m.event === 'test' ? m.event : m.finding.severity] ?? ''
}

/** The generic webhook: a JSON document for machines. */
function webhook (m: NotifyMessage): Payload {
  const f = m.finding
  const doc = {
    source: 'docklight',
    event: m.event,
    summary: summaryOf(m),
    finding: m.event === 'test' ? null : {
      id: f.id, host: f.host, app: f.app, rule: f.rule, key: f.key, severity: f.severity,
      title: f.title, detail: clip(f.detail), action: clip(f.action),
      firstSeen: f.firstSeen, lastSeen: f.lastSeen, resolvedAt: f.resolvedAt
    },
    link: m.link
  }
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(doc) }
}

function slack (m: NotifyMessage): Payload {
  const head = `${icon(m)} *${slackEscape(`${VERB[m.event]}: ${summaryOf(m)}`)}*`
  const body = lines(m).map(slackEscape).join('\n')
  const link = m.link ? `\n<${m.link}|Open in Docklight>` : ''
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: clip(`${head}\n${body}${link}`) }) }
}

function discord (m: NotifyMessage): Payload {
  const head = `${icon(m)} **${discordEscape(`${VERB[m.event]}: ${summaryOf(m)}`)}**`
  const body = lines(m).map(discordEscape).join('\n')
  const link = m.link ? `\n${m.link}` : ''
  // No @everyone, @here or role pings, whatever the text holds.
  return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: clip(`${head}\n${body}${link}`), allowed_mentions: { parse: [] } }) }
}

/** Header values are ASCII: anything else becomes `?`. */
function ascii (text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?')
}

const NTFY_PRIORITY: Record<string, string> = { critical: '5', warning: '4', info: '3', resolved: '3', test: '3' }
const NTFY_TAGS: Record<string, string> = { critical: 'rotating_light', warning: 'warning', info: 'information_source', resolved: 'white_check_mark', test: 'bell' }

/** ntfy: the message as the body, its title, priority, tags and link as headers. */
function ntfy (m: NotifyMessage): Payload {
  const state = m.event === 'resolved' || m.event === 'test' ? m.event : m.finding.severity
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    title: ascii(clip(`${VERB[m.event]}: ${summaryOf(m)}`, 250)),
    priority: NTFY_PRIORITY[state] ?? '3',
    tags: NTFY_TAGS[state] ?? 'bell'
  }
  if (m.link) headers.click = m.link
  return { headers, body: clip(lines(m).join('\n')) }
}

const BUILDERS: Record<ChannelKind, (m: NotifyMessage) => Payload> = { webhook, slack, discord, ntfy }

export function payloadFor (kind: ChannelKind, message: NotifyMessage): Payload {
  return BUILDERS[kind](message)
}

/** A stand-in finding for "send test". */
export function testFinding (host: string, now: Date): Finding {
  const at = now.toISOString()
  return {
    id: 0, host, app: null, rule: 'test', key: 'test', severity: 'info', title: 'Test message', detail: '', action: '', fix: null,
    firstSeen: at, lastSeen: at, resolvedAt: null, snoozedUntil: null, notifiedSeverity: null
  }
}
