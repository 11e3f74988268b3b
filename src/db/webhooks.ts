import type { Db } from './database.js'

/** One app's deploy webhook on one host. The secret is stored sealed (SecretBox), never in clear. */
export interface Webhook {
  host: string
  app: string
  sealedSecret: string
  /** The repository `git:sync` fetches (the payload never chooses it). */
  repoUrl: string
  /** Pushes to this branch deploy; others are ignored. */
  branch: string
  createdAt: string
}

export type DeliveryProvider = 'github' | 'generic'

/**
 * What became of a delivery: `started` (a deploy job), `ignored` (another event or branch),
 * `duplicate` (a delivery id seen before), `unauthorized` (wrong or missing signature),
 * `rate-limited`, `invalid` (a body we cannot read), `busy` (the app already has a job),
 * `failed` (dokku refused to start it).
 */
export type DeliveryOutcome = 'started' | 'ignored' | 'duplicate' | 'unauthorized' | 'rate-limited' | 'invalid' | 'busy' | 'failed'

export interface Delivery {
  id: number
  host: string
  app: string
  provider: DeliveryProvider
  deliveryId: string | null
  event: string | null
  ref: string | null
  sha: string | null
  outcome: DeliveryOutcome
  reason: string
  jobId: number | null
  historyId: number | null
  receivedAt: string
}

export type NewDelivery = Omit<Delivery, 'id' | 'receivedAt'> & { receivedAt?: string }

/** Bound: deliveries kept per app and host (older ones go as new ones arrive). */
export const MAX_DELIVERIES_PER_APP = 200

/** Outcomes that mean the delivery was accepted: its id, seen again, is a replay. */
const ACCEPTED: readonly DeliveryOutcome[] = ['started', 'ignored', 'busy', 'failed']

/** The only code that reads or writes `webhooks` and `webhook_deliveries`. */
export class WebhooksRepository {
  constructor (private readonly db: Db, private readonly now: () => Date = () => new Date()) {}

  get (host: string, app: string): Webhook | undefined {
    return this.db.prepare('SELECT * FROM webhooks WHERE host = ? AND app = ?').get(host, app) as Webhook | undefined
  }

  /** Creates or replaces the app's webhook (a new secret ends the old one). */
  save (hook: Omit<Webhook, 'createdAt'>): Webhook {
    const createdAt = this.now().toISOString()
    this.db.prepare(
      `INSERT INTO webhooks (host, app, sealedSecret, repoUrl, branch, createdAt) VALUES (@host, @app, @sealedSecret, @repoUrl, @branch, @createdAt)
       ON CONFLICT (host, app) DO UPDATE SET sealedSecret = excluded.sealedSecret, repoUrl = excluded.repoUrl, branch = excluded.branch, createdAt = excluded.createdAt`)
      .run({ ...hook, createdAt })
    return { ...hook, createdAt }
  }

  remove (host: string, app: string): boolean {
    return this.db.prepare('DELETE FROM webhooks WHERE host = ? AND app = ?').run(host, app).changes > 0
  }

  record (d: NewDelivery): Delivery {
    const receivedAt = d.receivedAt ?? this.now().toISOString()
    const info = this.db.prepare(
      `INSERT INTO webhook_deliveries (host, app, provider, deliveryId, event, ref, sha, outcome, reason, jobId, historyId, receivedAt)
       VALUES (@host, @app, @provider, @deliveryId, @event, @ref, @sha, @outcome, @reason, @jobId, @historyId, @receivedAt)`)
      .run({ ...d, receivedAt })
    this.db.prepare(
      `DELETE FROM webhook_deliveries WHERE id IN (
         SELECT id FROM webhook_deliveries WHERE host = @host AND app = @app ORDER BY id DESC LIMIT -1 OFFSET @keep)`)
      .run({ host: d.host, app: d.app, keep: MAX_DELIVERIES_PER_APP })
    return { ...d, id: Number(info.lastInsertRowid), receivedAt }
  }

  /** Whether an accepted delivery already had this id (a replay is then a no-op). */
  seen (host: string, app: string, provider: DeliveryProvider, deliveryId: string): boolean {
    return this.db.prepare(
      `SELECT 1 FROM webhook_deliveries WHERE host = ? AND app = ? AND provider = ? AND deliveryId = ?
       AND outcome IN (${ACCEPTED.map((o) => `'${o}'`).join(', ')}) LIMIT 1`).get(host, app, provider, deliveryId) !== undefined
  }

  deliveries (host: string, app: string, limit = 20): Delivery[] {
    return this.db.prepare('SELECT * FROM webhook_deliveries WHERE host = ? AND app = ? ORDER BY id DESC LIMIT ?')
      .all(host, app, Math.min(Math.max(limit, 1), MAX_DELIVERIES_PER_APP)) as Delivery[]
  }

  /** The activity feed's deliveries, newest first (keyset on receivedAt, id). */
  feed (q: { host?: string; app?: string; before?: { at: string; id: number }; limit: number }): Delivery[] {
    const where: string[] = []
    const params: Record<string, unknown> = { limit: Math.min(Math.max(q.limit, 1), 500) }
    if (q.host !== undefined) { where.push('host = @host'); params.host = q.host }
    if (q.app !== undefined) { where.push('app = @app'); params.app = q.app }
    if (q.before) { where.push('(receivedAt < @at OR (receivedAt = @at AND id < @id))'); params.at = q.before.at; params.id = q.before.id }
    return this.db.prepare(`SELECT * FROM webhook_deliveries ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY receivedAt DESC, id DESC LIMIT @limit`)
      .all(params) as Delivery[]
  }
}
