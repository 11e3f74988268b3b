export interface ReadCacheOptions {
  /** How long an answer is fresh: served as it is. */
  ttlMs: number
  /**
   * How long after that it may still be served while one background load refreshes it
   * (stale-while-revalidate), so a warm page never waits on dokku. 0 turns that off.
   */
  staleMs?: number
  /** Bound: the most answers kept; the least recently used goes first. */
  maxEntries?: number
  now?: () => number
}

interface Entry {
  at: number
  value: Promise<unknown>
  /** The load has succeeded: only a settled answer is served stale. */
  settled: boolean
  refreshing: boolean
  apps: Set<string> | 'all'
}

export const DEFAULT_STALE_MS = 5 * 60_000
export const DEFAULT_MAX_ENTRIES = 1000

/**
 * A cache for read-only dokku answers. Concurrent readers of one key share a single call; an
 * answer past its ttl is served while a single background load refreshes it; a change
 * Docklight makes to an app drops what was read about that app (and any all-apps answer), so a
 * page never shows the state from before our own change, not even a stale one.
 */
export class ReadCache {
  private readonly entries = new Map<string, Entry>()
  private readonly ttlMs: number
  private readonly staleMs: number
  private readonly maxEntries: number
  private readonly now: () => number

  constructor (options: ReadCacheOptions) {
    this.ttlMs = options.ttlMs
    this.staleMs = options.staleMs ?? DEFAULT_STALE_MS
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES
    this.now = options.now ?? Date.now
  }

  get size (): number { return this.entries.size }

  /**
   * `apps` says what the answer is about: the app names, or 'all' for answers that span every
   * app (apps:list, a bulk ps:report).
   */
  get<T> (key: string, apps: string[] | 'all', load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key)
    if (hit) {
      const age = this.now() - hit.at
      if (age < this.ttlMs || (!hit.settled && age < this.ttlMs + this.staleMs)) return this.touch(key, hit).value as Promise<T>
      if (hit.settled && age < this.ttlMs + this.staleMs) {
        if (!hit.refreshing) this.refresh(key, hit, load)
        return this.touch(key, hit).value as Promise<T>
      }
    }
    return this.store(key, apps, load()).value as Promise<T>
  }

  /**
   * Whether `get(key)` would answer at once, from a loaded answer (fresh, or stale and then
   * refreshed in the background), without waiting for dokku. A page may show what is known and
   * leave the rest to a panel that loads later.
   */
  has (key: string): boolean {
    const hit = this.entries.get(key)
    return hit !== undefined && hit.settled && this.now() - hit.at < this.ttlMs + this.staleMs
  }

  private store (key: string, apps: string[] | 'all', value: Promise<unknown>): Entry {
    const entry: Entry = { at: this.now(), value, settled: false, refreshing: false, apps: apps === 'all' ? 'all' : new Set(apps) }
    this.entries.delete(key)
    this.entries.set(key, entry)
    value.then(() => { entry.settled = true }, () => {
      // A failed read is not remembered: the next page view asks dokku again.
      if (this.entries.get(key) === entry) this.entries.delete(key)
    })
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!)
    return entry
  }

  /** One background load; its answer replaces the stale one unless a change dropped it meanwhile. */
  private refresh (key: string, stale: Entry, load: () => Promise<unknown>): void {
    stale.refreshing = true
    const value = load()
    value.then(() => {
      if (this.entries.get(key) !== stale) return
      const fresh = this.store(key, stale.apps === 'all' ? 'all' : [...stale.apps], value)
      fresh.settled = true
    }, () => {
      // dokku failed this time: keep serving the stale answer until it expires, and retry then.
      stale.refreshing = false
    })
  }

  private touch (key: string, entry: Entry): Entry {
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry
  }

  invalidateApp (app: string): void {
    for (const [key, entry] of this.entries) {
      if (entry.apps === 'all' || entry.apps.has(app)) this.entries.delete(key)
    }
  }

  clear (): void {
    this.entries.clear()
  }
}
