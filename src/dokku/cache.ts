/**
 * A short-lived cache for read-only dokku answers. Concurrent readers of one key share a single
 * call; a change Docklight makes to an app drops what was read about that app (and any
 * all-apps answer), so a page never shows the state from before our own change.
 */
export class ReadCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown>; apps: Set<string> | 'all' }>()

  constructor (private readonly ttlMs: number, private readonly now: () => number = Date.now) {}

  /**
   * `apps` says what the answer is about: the app names, or 'all' for answers that span every
   * app (apps:list, a bulk ps:report).
   */
  get<T> (key: string, apps: string[] | 'all', load: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key)
    if (hit && this.now() - hit.at < this.ttlMs) return hit.value as Promise<T>
    const value = load()
    const entry = { at: this.now(), value, apps: apps === 'all' ? 'all' as const : new Set(apps) }
    this.entries.set(key, entry)
    // A failed read is not remembered: the next page view asks dokku again.
    value.catch(() => { if (this.entries.get(key) === entry) this.entries.delete(key) })
    return value
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
