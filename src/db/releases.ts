import type { Db } from './database.js'

/**
 * Releases: every deploy of an app that Docklight ran or learned of, since dokku keeps none
 * (it knows only the current deploy-source). A row is made when a Docklight deploy starts
 * (`learnedFrom: job`) and finished when it ends; deploys made elsewhere (a `git push`, a CLI
 * `git:from-image`) arrive through dokku's build records (`builds`) or its events log
 * (`events`), matched to what is already known so that one deploy is one row.
 */

/** `unknown`: dokku cannot say (an abandoned build record, Docklight restarted while it ran). */
export type ReleaseStatus = 'running' | 'succeeded' | 'failed' | 'canceled' | 'unknown'
export const RELEASE_STATUSES: readonly ReleaseStatus[] = ['running', 'succeeded', 'failed', 'canceled', 'unknown']

/** Who deployed: Docklight (a page or the API), an SSH key (its NAME), a webhook, or nobody we know. */
export type ActorKind = 'docklight' | 'ssh-key' | 'webhook' | 'unknown'
export type LearnedFrom = 'job' | 'events' | 'builds'
const LEARNED_FROM: readonly LearnedFrom[] = ['job', 'events', 'builds']

export interface Release {
  id: number
  host: string
  app: string
  status: ReleaseStatus
  /**
   * dokku's deploy-source (`git-push`, `git-sync`, `docker-image`, `tar`, `tar.gz`, `zip`), or,
   * for a build record nothing else explains, its build source (`ps:rebuild`, `git-hook`).
   */
  source: string
  /** deploy-source-metadata: the pushed sha, `<repo>#<sha>`, the image as given, the archive URL. */
  metadata: string
  gitRev: string | null
  /** The image reference of an image deploy, and its digest when the reference pins one. */
  image: string | null
  imageDigest: string | null
  actorKind: ActorKind
  /** The SSH key's NAME, the webhook and its delivery, or null. */
  actor: string | null
  learnedFrom: LearnedFrom
  /** dokku's build id (0.38+), once known. */
  buildId: string | null
  /** The events-log group (DOKKU_PID) it was seen in, once matched. */
  eventKey: string | null
  /** The Docklight job (a history id) that ran it. */
  jobId: number | null
  /** The release this one rolled back to. */
  rollbackOf: number | null
  startedAt: string
  finishedAt: string | null
  durationMs: number | null
  error: string | null
}

export type NewRelease = Pick<Release, 'host' | 'app' | 'status' | 'actorKind' | 'learnedFrom' | 'startedAt'> &
  Partial<Omit<Release, 'id' | 'host' | 'app' | 'status' | 'actorKind' | 'learnedFrom' | 'startedAt'>>

export type ReleasePatch = Partial<Omit<Release, 'id' | 'host' | 'app'>>

const COLUMNS = ['status', 'source', 'metadata', 'gitRev', 'image', 'imageDigest', 'actorKind', 'actor', 'learnedFrom', 'buildId',
  'eventKey', 'jobId', 'rollbackOf', 'startedAt', 'finishedAt', 'durationMs', 'error'] as const

/** Bound: releases kept per app and host (the oldest finished ones go first). */
export const MAX_RELEASES_PER_APP = 300

export interface ReleaseFeedQuery {
  host?: string
  app?: string
  /** Only these ways of learning (the activity feed leaves out Docklight's own jobs: history has them). */
  learnedFrom?: readonly LearnedFrom[]
  actor?: string
  /** Keyset: strictly older than (startedAt, id). */
  before?: { at: string; id: number }
  limit: number
}

/** The only code that reads or writes `releases`. */
export class ReleasesRepository {
  constructor (private readonly db: Db) {}

  insert (r: NewRelease): number {
    const row: Record<string, unknown> = { host: r.host, app: r.app }
    for (const c of COLUMNS) row[c] = (r as Record<string, unknown>)[c] ?? (c === 'source' || c === 'metadata' ? '' : null)
    const names = ['host', 'app', ...COLUMNS]
    const info = this.db.prepare(`INSERT INTO releases (${names.join(', ')}) VALUES (${names.map((n) => '@' + n).join(', ')})`).run(row)
    const id = Number(info.lastInsertRowid)
    this.prune(r.host, r.app)
    return id
  }

  update (id: number, patch: ReleasePatch): void {
    const keys = COLUMNS.filter((c) => c in patch)
    if (keys.length === 0) return
    this.db.prepare(`UPDATE releases SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE id = @id`)
      .run({ id, ...Object.fromEntries(keys.map((k) => [k, (patch as Record<string, unknown>)[k] ?? null])) })
  }

  get (id: number): Release | undefined {
    return this.db.prepare('SELECT * FROM releases WHERE id = ?').get(id) as Release | undefined
  }

  byJob (jobId: number): Release | undefined {
    return this.db.prepare('SELECT * FROM releases WHERE jobId = ? ORDER BY id DESC LIMIT 1').get(jobId) as Release | undefined
  }

  byBuild (host: string, app: string, buildId: string): Release | undefined {
    return this.db.prepare('SELECT * FROM releases WHERE host = ? AND app = ? AND buildId = ?').get(host, app, buildId) as Release | undefined
  }

  byEvent (host: string, app: string, eventKey: string): Release | undefined {
    return this.db.prepare('SELECT * FROM releases WHERE host = ? AND app = ? AND eventKey = ?').get(host, app, eventKey) as Release | undefined
  }

  /** The app's releases, newest first (keyset on startedAt, id). */
  list (host: string, app: string, limit = 50, before?: { at: string; id: number }): Release[] {
    const keyset = before ? 'AND (startedAt < @at OR (startedAt = @at AND id < @id))' : ''
    return this.db.prepare(`SELECT * FROM releases WHERE host = @host AND app = @app ${keyset} ORDER BY startedAt DESC, id DESC LIMIT @limit`)
      .all({ host, app, limit: Math.min(Math.max(limit, 1), 500), at: before?.at, id: before?.id }) as Release[]
  }

  /** Releases of an app started in [from, to], for matching what dokku reports to what we know. */
  between (host: string, app: string, from: string, to: string): Release[] {
    return this.db.prepare('SELECT * FROM releases WHERE host = ? AND app = ? AND startedAt >= ? AND startedAt <= ? ORDER BY startedAt, id')
      .all(host, app, from, to) as Release[]
  }

  /** Each app's newest release on a host (one row per app). */
  latestPerApp (host: string): Release[] {
    return this.db.prepare(
      `SELECT r.* FROM releases r
       WHERE r.host = @host AND r.id = (SELECT id FROM releases x WHERE x.host = r.host AND x.app = r.app ORDER BY startedAt DESC, id DESC LIMIT 1)`)
      .all({ host }) as Release[]
  }

  /** The activity feed's releases, newest first. */
  feed (q: ReleaseFeedQuery): Release[] {
    const where: string[] = []
    const params: Record<string, unknown> = { limit: Math.min(Math.max(q.limit, 1), 500) }
    if (q.host !== undefined) { where.push('host = @host'); params.host = q.host }
    if (q.app !== undefined) { where.push('app = @app'); params.app = q.app }
    if (q.actor !== undefined) { where.push('actor = @actor'); params.actor = q.actor }
    if (q.learnedFrom) {
      const ways = LEARNED_FROM.filter((l) => q.learnedFrom!.includes(l))
      where.push(ways.length === 0 ? '0' : `learnedFrom IN (${ways.map((l) => `'${l}'`).join(', ')})`)
    }
    if (q.before) { where.push('(startedAt < @at OR (startedAt = @at AND id < @id))'); params.at = q.before.at; params.id = q.before.id }
    return this.db.prepare(`SELECT * FROM releases ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY startedAt DESC, id DESC LIMIT @limit`)
      .all(params) as Release[]
  }

  /** A deploy that turned out to deploy nothing (`--build-if-changes` with no change). */
  remove (id: number): void {
    this.db.prepare('DELETE FROM releases WHERE id = ?').run(id)
  }

  /** Deploys that were running when the previous process stopped can never finish here. */
  markInterrupted (): number {
    return this.db.prepare(
      "UPDATE releases SET status = 'unknown', error = 'Docklight restarted while this deploy ran' WHERE status = 'running' AND learnedFrom = 'job'").run().changes
  }

  private prune (host: string, app: string): void {
    this.db.prepare(
      `DELETE FROM releases WHERE id IN (
         SELECT id FROM releases WHERE host = @host AND app = @app AND status <> 'running'
         ORDER BY startedAt DESC, id DESC LIMIT -1 OFFSET @keep)`).run({ host, app, keep: MAX_RELEASES_PER_APP })
  }
}
