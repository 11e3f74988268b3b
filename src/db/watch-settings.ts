import type { Db } from './database.js'

/**
 * The watchdog's run-time settings (in `settings`): each host's own addresses, which the DNS
 * rule compares vhosts with. None set: the addresses its global domain resolves to.
 * Bound: at most MAX_ADDRESSES per host.
 */

export const MAX_ADDRESSES = 16
const PREFIX = 'watchdog.addresses.'

export class WatchSettings {
  private readonly getStmt
  private readonly setStmt
  private readonly deleteStmt
  /** Read on every check of every host: kept in memory, written through. */
  private readonly cache = new Map<string, string[]>()

  constructor (db: Db) {
    this.getStmt = db.prepare('SELECT value FROM settings WHERE key = ?')
    this.setStmt = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
    this.deleteStmt = db.prepare('DELETE FROM settings WHERE key = ?')
  }

  addresses (host: string): string[] {
    const cached = this.cache.get(host)
    if (cached) return [...cached]
    const row = this.getStmt.get(PREFIX + host) as { value: string } | undefined
    let list: string[] = []
    if (row) {
      try {
        const parsed = JSON.parse(row.value) as unknown
        if (Array.isArray(parsed)) list = parsed.filter((a): a is string => typeof a === 'string').slice(0, MAX_ADDRESSES)
      } catch {
        list = []
      }
    }
    this.cache.set(host, list)
    return [...list]
  }

  setAddresses (host: string, list: readonly string[]): void {
    const kept = list.slice(0, MAX_ADDRESSES)
    if (kept.length === 0) this.deleteStmt.run(PREFIX + host)
    else this.setStmt.run(PREFIX + host, JSON.stringify(kept))
    this.cache.set(host, [...kept])
  }
}
