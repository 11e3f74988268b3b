import type { Db } from './database.js'

/**
 * What dokku's events log said happened, one row per command (its DOKKU_PID) and app: a deploy,
 * a config change (key names only), an app created or destroyed, domains changed. Kept here
 * because `dokku events` shows only its last 100 lines, and one deploy writes hundreds.
 */
export type EventKind = 'deploy' | 'config' | 'app' | 'domains'
export const EVENT_KINDS: readonly EventKind[] = ['deploy', 'config', 'app', 'domains']

export interface StoredEvent {
  id: number
  host: string
  /** `<DOKKU_PID>:<app>`: the group, growing while its command writes lines. */
  groupKey: string
  app: string | null
  pid: number
  kind: EventKind
  summary: string
  /** JSON: what the summary was made from (keys, domains, source…), never a value. */
  detail: string
  /** The SSH key's NAME; null for a local run. */
  who: string | null
  at: string
  /** The Docklight run it was, when it was one of ours (the feed shows that run instead). */
  historyId: number | null
  /** The release it recorded (the feed shows the release instead). */
  releaseId: number | null
}

export type EventGroupInput = Omit<StoredEvent, 'id' | 'historyId' | 'releaseId'>

/** Bound: event rows kept per host. */
export const MAX_EVENTS_PER_HOST = 5000
/** A DOKKU_PID seen again after this long is another command (pids wrap). */
const SAME_GROUP_MS = 6 * 60 * 60_000

export interface EventFeedQuery {
  host?: string
  app?: string
  kinds?: readonly EventKind[]
  who?: string
  before?: { at: string; id: number }
  limit: number
}

/** The only code that reads or writes `dokku_events`. */
export class DokkuEventsRepository {
  constructor (private readonly db: Db) {}

  /** Adds a group, or grows the one it continues; returns the row id and whether it was new. */
  upsert (group: EventGroupInput): { id: number; created: boolean } {
    return this.db.transaction(() => {
      const existing = this.db.prepare('SELECT id, at FROM dokku_events WHERE host = ? AND groupKey = ?').get(group.host, group.groupKey) as { id: number; at: string } | undefined
      if (existing && Math.abs(Date.parse(existing.at) - Date.parse(group.at)) < SAME_GROUP_MS) {
        this.db.prepare('UPDATE dokku_events SET kind = @kind, summary = @summary, detail = @detail, who = coalesce(@who, who) WHERE id = @id')
          .run({ id: existing.id, kind: group.kind, summary: group.summary, detail: group.detail, who: group.who })
        return { id: existing.id, created: false }
      }
      if (existing) this.db.prepare("UPDATE dokku_events SET groupKey = groupKey || '#' || id WHERE id = ?").run(existing.id)
      const info = this.db.prepare(
        `INSERT INTO dokku_events (host, groupKey, app, pid, kind, summary, detail, who, at)
         VALUES (@host, @groupKey, @app, @pid, @kind, @summary, @detail, @who, @at)`).run(group)
      this.db.prepare(
        `DELETE FROM dokku_events WHERE id IN (
           SELECT id FROM dokku_events WHERE host = @host ORDER BY at DESC, id DESC LIMIT -1 OFFSET @keep)`).run({ host: group.host, keep: MAX_EVENTS_PER_HOST })
      return { id: Number(info.lastInsertRowid), created: true }
    })()
  }

  /** Marks a group as one of Docklight's own runs. */
  linkRun (id: number, historyId: number): void {
    this.db.prepare('UPDATE dokku_events SET historyId = ? WHERE id = ?').run(historyId, id)
  }

  /** Marks a group as the record of a release. */
  linkRelease (id: number, releaseId: number): void {
    this.db.prepare('UPDATE dokku_events SET releaseId = ? WHERE id = ?').run(releaseId, id)
  }

  get (id: number): StoredEvent | undefined {
    return this.db.prepare('SELECT * FROM dokku_events WHERE id = ?').get(id) as StoredEvent | undefined
  }

  /** Newest first, without Docklight's own runs (history lists those) and recorded releases. */
  feed (q: EventFeedQuery): StoredEvent[] {
    const where: string[] = ['historyId IS NULL', 'releaseId IS NULL']
    const params: Record<string, unknown> = { limit: Math.min(Math.max(q.limit, 1), 500) }
    if (q.host !== undefined) { where.push('host = @host'); params.host = q.host }
    if (q.app !== undefined) { where.push('app = @app'); params.app = q.app }
    if (q.who !== undefined) { where.push('who = @who'); params.who = q.who }
    if (q.kinds) {
      const kinds = EVENT_KINDS.filter((k) => q.kinds!.includes(k))
      where.push(kinds.length === 0 ? '0' : `kind IN (${kinds.map((k) => `'${k}'`).join(', ')})`)
    }
    if (q.before) { where.push('(at < @at OR (at = @at AND id < @id))'); params.at = q.before.at; params.id = q.before.id }
    return this.db.prepare(`SELECT * FROM dokku_events WHERE ${where.join(' AND ')} ORDER BY at DESC, id DESC LIMIT @limit`).all(params) as StoredEvent[]
  }

  /** The SSH key names seen on a host (for the feed's "who" filter), at most `limit`. */
  names (host?: string, limit = 50): string[] {
    const rows = this.db.prepare(
      `SELECT DISTINCT who FROM dokku_events WHERE who IS NOT NULL ${host === undefined ? '' : 'AND host = @host'} ORDER BY who LIMIT @limit`)
      .all({ host, limit }) as Array<{ who: string }>
    return rows.map((r) => r.who)
  }
}
