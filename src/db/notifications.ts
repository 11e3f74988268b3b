import type { Db } from './database.js'
import type { Severity } from './findings.js'

/**
 * Notification channels (their URL sealed: this table never holds it in the clear) and every
 * delivery with its outcome. The only code that reads or writes those tables.
 * Bounds: MAX_CHANNELS channels; the newest MAX_DELIVERIES deliveries are kept.
 */

export type ChannelKind = 'webhook' | 'slack' | 'discord' | 'ntfy'
export const CHANNEL_KINDS: readonly ChannelKind[] = ['webhook', 'slack', 'discord', 'ntfy']

export interface Channel {
  id: number
  name: string
  kind: ChannelKind
  /** SecretBox-sealed; opened only to send. */
  sealedUrl: string
  /** Findings below this severity are not sent (resolutions follow what was sent). */
  minSeverity: Severity
  /** Only these apps' findings (host-wide findings always go); null: every app. */
  apps: string[] | null
  enabled: boolean
  createdAt: string
}

export type DeliveryEvent = 'opened' | 'worsened' | 'resolved' | 'test'
export type DeliveryStatus = 'pending' | 'sent' | 'failed'

export interface Delivery {
  id: number
  channelId: number
  findingId: number | null
  event: DeliveryEvent
  /** One line for the list ("critical: certificate of storefront expires in 2 days"). */
  summary: string
  /** The body that is (re)sent: built once, holding nothing secret. */
  payload: string
  status: DeliveryStatus
  attempts: number
  httpStatus: number | null
  error: string | null
  createdAt: string
  updatedAt: string
}

export const MAX_CHANNELS = 20
export const MAX_DELIVERIES = 1000

interface ChannelRow extends Omit<Channel, 'apps' | 'enabled'> { apps: string | null; enabled: number }

function toChannel (row: ChannelRow): Channel {
  let apps: string[] | null = null
  if (row.apps !== null) {
    try {
      const parsed = JSON.parse(row.apps) as unknown
      apps = Array.isArray(parsed) ? parsed.filter((a): a is string => typeof a === 'string') : null
    } catch {
      apps = null
    }
  }
  return { ...row, apps, enabled: row.enabled === 1 }
}

export class NotificationRepository {
  private readonly channelsStmt
  private readonly channelStmt
  private readonly insertChannel
  private readonly deleteChannel
  private readonly enableStmt
  private readonly countChannels
  private readonly insertDelivery
  private readonly updateDelivery
  private readonly deliveryStmt
  private readonly deliveriesStmt
  private readonly pendingStmt
  private readonly pruneStmt

  constructor (private readonly db: Db, private readonly now: () => Date = () => new Date()) {
    this.channelsStmt = db.prepare('SELECT * FROM notification_channels ORDER BY id')
    this.channelStmt = db.prepare('SELECT * FROM notification_channels WHERE id = ?')
    this.insertChannel = db.prepare(
      `INSERT INTO notification_channels (name, kind, sealedUrl, minSeverity, apps, enabled, createdAt)
       VALUES (@name, @kind, @sealedUrl, @minSeverity, @apps, 1, @createdAt)`)
    this.deleteChannel = db.prepare('DELETE FROM notification_channels WHERE id = ?')
    this.enableStmt = db.prepare('UPDATE notification_channels SET enabled = ? WHERE id = ?')
    this.countChannels = db.prepare('SELECT COUNT(*) AS n FROM notification_channels')
    this.insertDelivery = db.prepare(
      `INSERT INTO notification_deliveries (channelId, findingId, event, summary, payload, status, attempts, createdAt, updatedAt)
       VALUES (@channelId, @findingId, @event, @summary, @payload, 'pending', 0, @now, @now)`)
    this.updateDelivery = db.prepare(
      `UPDATE notification_deliveries SET status = @status, attempts = @attempts, httpStatus = @httpStatus, error = @error,
         updatedAt = @now WHERE id = @id`)
    this.deliveryStmt = db.prepare('SELECT * FROM notification_deliveries WHERE id = ?')
    this.deliveriesStmt = db.prepare('SELECT * FROM notification_deliveries ORDER BY id DESC LIMIT ?')
    this.pendingStmt = db.prepare("SELECT * FROM notification_deliveries WHERE status = 'pending' ORDER BY id")
    this.pruneStmt = db.prepare(
      'DELETE FROM notification_deliveries WHERE id NOT IN (SELECT id FROM notification_deliveries ORDER BY id DESC LIMIT ?)')
  }

  channels (): Channel[] {
    return (this.channelsStmt.all() as ChannelRow[]).map(toChannel)
  }

  channel (id: number): Channel | undefined {
    const row = this.channelStmt.get(id) as ChannelRow | undefined
    return row ? toChannel(row) : undefined
  }

  get channelCount (): number {
    return (this.countChannels.get() as { n: number }).n
  }

  addChannel (channel: Pick<Channel, 'name' | 'kind' | 'sealedUrl' | 'minSeverity' | 'apps'>): Channel {
    const id = Number(this.insertChannel.run({
      ...channel, apps: channel.apps === null ? null : JSON.stringify(channel.apps), createdAt: this.now().toISOString()
    }).lastInsertRowid)
    return this.channel(id)!
  }

  removeChannel (id: number): boolean {
    return this.deleteChannel.run(id).changes > 0
  }

  setEnabled (id: number, enabled: boolean): boolean {
    return this.enableStmt.run(enabled ? 1 : 0, id).changes > 0
  }

  addDelivery (delivery: Pick<Delivery, 'channelId' | 'findingId' | 'event' | 'summary' | 'payload'>): Delivery {
    const id = Number(this.insertDelivery.run({ ...delivery, now: this.now().toISOString() }).lastInsertRowid)
    this.pruneStmt.run(MAX_DELIVERIES)
    return this.delivery(id)!
  }

  recordAttempt (id: number, outcome: Pick<Delivery, 'status' | 'attempts' | 'httpStatus' | 'error'>): void {
    this.updateDelivery.run({ ...outcome, id, now: this.now().toISOString() })
  }

  delivery (id: number): Delivery | undefined {
    return this.deliveryStmt.get(id) as Delivery | undefined
  }

  deliveries (limit = 50): Delivery[] {
    return this.deliveriesStmt.all(Math.max(1, Math.min(limit, MAX_DELIVERIES))) as Delivery[]
  }

  /** Deliveries not yet sent nor given up on (they resume after a restart). */
  pending (): Delivery[] {
    return this.pendingStmt.all() as Delivery[]
  }
}
