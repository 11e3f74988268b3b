import type { Statement } from 'better-sqlite3'
import type { Db } from '../db/database.js'

/** How often revocations whose token has expired are dropped, in memory and in SQLite. */
export const PRUNE_INTERVAL_MS = 10 * 60_000

/**
 * A ceiling on remembered logouts. The list normally holds far fewer: only sessions issued
 * within one token lifetime can be in it (an expired token is refused anyway, so its entry
 * goes at the next prune). Logins need the password, so only the admin could reach this; past
 * it, every session is ended instead (see revoke), which fails closed and empties the list.
 */
export const MAX_REVOKED = 10_000

const GENERATION_KEY = 'sessions.generation'
const ENDED_ALL_AT_KEY = 'sessions.endedAllAt'

export interface SessionRevocationsOptions {
  /** The clock, in milliseconds (tests move it). */
  now?: () => number
  maxEntries?: number
}

/**
 * Which sessions have ended before their token expired. Two rules, both answered from memory
 * so that no request reads SQLite:
 * - a logged-out session id is in the revocation list (`revoked_sessions`, mirrored in a Map
 *   loaded at boot) until its token would have expired anyway;
 * - "log out everywhere" raises the session generation (`settings`): a token carries the
 *   generation it was issued in, and any older one is refused. A counter rather than a
 *   not-before time, because a JWT's `iat` has whole seconds: a login in the same second as
 *   "log out everywhere" would be ambiguous, a generation never is.
 */
export class SessionRevocations {
  /** sid → when its token expires (ms since the epoch). Bounded: see MAX_REVOKED. */
  private readonly revoked = new Map<string, number>()
  private gen: number
  private endedAll: number | null
  private readonly now: () => number
  private readonly maxEntries: number
  private readonly sql: {
    insert: Statement<[string, number]>
    prune: Statement<[number]>
    clear: Statement<[]>
    setting: Statement<[string], { value: string }>
    setSetting: Statement<[string, string]>
  }

  constructor (private readonly db: Db, opts: SessionRevocationsOptions = {}) {
    this.now = opts.now ?? Date.now
    this.maxEntries = opts.maxEntries ?? MAX_REVOKED
    this.sql = {
      insert: db.prepare('INSERT OR REPLACE INTO revoked_sessions (sid, expiresAt) VALUES (?, ?)'),
      prune: db.prepare('DELETE FROM revoked_sessions WHERE expiresAt <= ?'),
      clear: db.prepare('DELETE FROM revoked_sessions'),
      setting: db.prepare('SELECT value FROM settings WHERE key = ?'),
      setSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
    }
    const gen = Number(this.sql.setting.get(GENERATION_KEY)?.value ?? 0)
    this.gen = Number.isSafeInteger(gen) && gen >= 0 ? gen : 0
    const endedAll = Number(this.sql.setting.get(ENDED_ALL_AT_KEY)?.value ?? NaN)
    this.endedAll = Number.isFinite(endedAll) ? endedAll : null

    this.sql.prune.run(this.now())
    const rows = db.prepare('SELECT sid, expiresAt FROM revoked_sessions').all() as Array<{ sid: string; expiresAt: number }>
    for (const row of rows) this.revoked.set(row.sid, row.expiresAt)
  }

  /** The generation new sessions are issued in. */
  get generation (): number { return this.gen }

  /** When "log out everywhere" last ran (ms), or null if never. */
  get endedAllAt (): number | null { return this.endedAll }

  /** How many logouts are remembered (for tests and the bound). */
  get size (): number { return this.revoked.size }

  /** True while a session issued in `generation` with this id may be used. */
  isActive (sid: string, generation: number): boolean {
    return generation === this.gen && !this.revoked.has(sid)
  }

  /**
   * Ends one session: kept until `expiresAt` (ms), when its token would be refused anyway.
   * Answers 'all' when the list was full and every session was ended instead.
   */
  revoke (sid: string, expiresAt: number): 'one' | 'all' {
    if (expiresAt <= this.now()) return 'one'
    if (!this.revoked.has(sid) && this.revoked.size >= this.maxEntries) {
      this.prune()
      if (this.revoked.size >= this.maxEntries) {
        this.endAll()
        return 'all'
      }
    }
    this.sql.insert.run(sid, expiresAt)
    this.revoked.set(sid, expiresAt)
    return 'one'
  }

  /**
   * Ends every session issued so far. Their ids no longer need remembering: their generation
   * alone refuses them, so the list is emptied in the same transaction.
   */
  endAll (): void {
    const next = this.gen + 1
    const at = this.now()
    this.db.transaction(() => {
      this.sql.setSetting.run(GENERATION_KEY, String(next))
      this.sql.setSetting.run(ENDED_ALL_AT_KEY, String(at))
      this.sql.clear.run()
    })()
    this.gen = next
    this.endedAll = at
    this.revoked.clear()
  }

  /** Forgets revocations whose token has expired; returns how many. */
  prune (): number {
    const now = this.now()
    this.sql.prune.run(now)
    let removed = 0
    for (const [sid, expiresAt] of this.revoked) {
      if (expiresAt <= now) {
        this.revoked.delete(sid)
        removed++
      }
    }
    return removed
  }
}
