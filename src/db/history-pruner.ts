import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Db } from './database.js'
import type { HistoryRepository } from './history.js'

const DAY_MS = 24 * 60 * 60 * 1000

export interface HistoryPrunerOptions {
  /** Rows created more than this many days ago are deleted (DOCKLIGHT_HISTORY_DAYS). */
  days: number
  /** Beyond the newest this many rows, older ones are deleted (DOCKLIGHT_HISTORY_MAX_ROWS). */
  maxRows: number
  /** The clock that "days" counts back from (tests drive it). */
  now?: () => Date
  /** Rows deleted per transaction: each batch holds the (synchronous) connection for a moment. */
  batchSize?: number
  /** Pages handed back to the file per `incremental_vacuum` step. */
  vacuumPages?: number
  /** The first pass, after start(): soon, but not in the way of the first page loads. */
  firstPassMs?: number
  /** Then one pass every so often. */
  intervalMs?: number
  /** Told after every background pass (the db plugin logs what was pruned). */
  onPass?: (result: PruneResult) => void
  onError?: (err: unknown) => void
}

export interface PruneResult {
  /** Rows deleted for being older than `days`. */
  byAge: number
  /** Rows deleted for being beyond the newest `maxRows`. */
  byRows: number
  /** Delete transactions made (each at most `batchSize` rows). */
  batches: number
  /** Pages the database file got back from `incremental_vacuum`. */
  pagesFreed: number
  /** The pass ended early because the pruner was stopped. */
  stopped: boolean
}

export const PRUNER_DEFAULTS = {
  batchSize: 500,
  vacuumPages: 256,
  firstPassMs: 5_000,
  intervalMs: 60 * 60 * 1000
} as const

/**
 * Keeps history within its retention, in the background: deletes ended rows older than `days`
 * and beyond the newest `maxRows`, a batch per transaction, and between batches gives the
 * event loop back (better-sqlite3 is synchronous: one long DELETE would hold every request).
 * Then it returns the freed pages to the file with `incremental_vacuum`, in steps too.
 * The database's bound is therefore `maxRows` rows (plus runs still going, which are never
 * deleted), reached again within one `intervalMs`.
 */
export class HistoryPruner {
  private readonly now: () => Date
  private readonly batchSize: number
  private readonly vacuumPages: number
  private timer: NodeJS.Timeout | null = null
  private current: Promise<PruneResult> | null = null
  private next: Promise<PruneResult> | null = null
  private stopped = false

  constructor (
    private readonly history: HistoryRepository,
    private readonly db: Db,
    private readonly opts: HistoryPrunerOptions
  ) {
    this.now = opts.now ?? (() => new Date())
    this.batchSize = Math.max(1, Math.floor(opts.batchSize ?? PRUNER_DEFAULTS.batchSize))
    this.vacuumPages = Math.max(1, Math.floor(opts.vacuumPages ?? PRUNER_DEFAULTS.vacuumPages))
  }

  /** The first pass after `firstPassMs`, then one every `intervalMs`; the timers never hold the process open. */
  start (): void {
    if (this.stopped || this.timer) return
    const runThenReschedule = async () => {
      try {
        const result = await this.prune()
        this.opts.onPass?.(result)
      } catch (err) {
        this.opts.onError?.(err)
      }
      if (!this.stopped) schedule(this.opts.intervalMs ?? PRUNER_DEFAULTS.intervalMs)
    }
    const schedule = (ms: number) => {
      this.timer = setTimeout(() => { void runThenReschedule() }, ms)
      this.timer.unref()
    }
    schedule(this.opts.firstPassMs ?? PRUNER_DEFAULTS.firstPassMs)
  }

  /** Whether background passes are scheduled (between start() and stop()). */
  get scheduled (): boolean {
    return this.timer !== null && !this.stopped
  }

  /** No more passes; a pass under way ends after its current batch. Resolves when it has. */
  async stop (): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.next?.catch(() => undefined)
    await this.current?.catch(() => undefined)
  }

  /**
   * A full pass from now on: at once, or right after the pass under way (which may have
   * looked at the table before the caller's change). At most one runs and one waits.
   */
  prune (): Promise<PruneResult> {
    if (this.next) return this.next
    if (!this.current) return this.begin()
    this.next = this.current.catch(() => undefined).then(() => {
      this.next = null
      return this.begin()
    })
    return this.next
  }

  private begin (): Promise<PruneResult> {
    const pass = this.pass().finally(() => { if (this.current === pass) this.current = null })
    this.current = pass
    return pass
  }

  private async pass (): Promise<PruneResult> {
    const result: PruneResult = { byAge: 0, byRows: 0, batches: 0, pagesFreed: 0, stopped: false }
    const cutoff = new Date(this.now().getTime() - this.opts.days * DAY_MS)
    result.byAge = await this.inBatches(result, () => this.history.deleteCreatedBefore(cutoff, this.batchSize))
    // Counted once per pass: rows written while it runs are newer than the cutoff anyway.
    const surplus = this.history.surplusCutoff(this.opts.maxRows)
    if (surplus) result.byRows = await this.inBatches(result, () => this.history.deleteUpTo(surplus, this.batchSize))
    if (!this.stopped) result.pagesFreed = await this.reclaim()
    result.stopped = this.stopped
    return result
  }

  private async inBatches (result: PruneResult, batch: () => number): Promise<number> {
    let total = 0
    while (!this.stopped) {
      const deleted = batch()
      result.batches++
      total += deleted
      if (deleted < this.batchSize) break
      await nextTurn()
    }
    return total
  }

  /** Freed pages back to the file, `vacuumPages` at a time. Returns how many. */
  private async reclaim (): Promise<number> {
    let freed = 0
    while (!this.stopped) {
      const free = this.db.pragma('freelist_count', { simple: true }) as number
      if (free === 0) break
      // Through db.pragma(), which steps the statement to the end: a bare run() of
      // incremental_vacuum frees a single page.
      this.db.pragma(`incremental_vacuum(${Math.min(free, this.vacuumPages)})`)
      const left = this.db.pragma('freelist_count', { simple: true }) as number
      freed += free - left
      if (left >= free) break
      await nextTurn()
    }
    return freed
  }
}
