import type { Db } from './database.js'

/**
 * Disk samples the watchdog keeps for its days-to-full forecast: one row per host, partition
 * and check. Bounds: at most MAX_SAMPLES per partition (a week of 5-minute checks), and none
 * older than KEEP_DAYS, pruned as samples are added.
 */

export interface DiskSample {
  mount: string
  /** UNIX milliseconds. */
  at: number
  usedBytes: number
  sizeBytes: number
}

export const MAX_SAMPLES = 2016
export const KEEP_DAYS = 14
/** Bound on the partitions of one host that are sampled (a host with many mounts keeps the first ones). */
export const MAX_MOUNTS = 20

export class DiskSampleRepository {
  private readonly insert
  private readonly recentStmt
  private readonly latestStmt
  private readonly pruneOld
  private readonly pruneSurplus

  constructor (private readonly db: Db) {
    this.insert = db.prepare('INSERT OR REPLACE INTO disk_samples (host, mount, at, usedBytes, sizeBytes) VALUES (?, ?, ?, ?, ?)')
    this.recentStmt = db.prepare('SELECT mount, at, usedBytes, sizeBytes FROM disk_samples WHERE host = ? AND mount = ? AND at >= ? ORDER BY at')
    this.latestStmt = db.prepare(
      `SELECT mount, at, usedBytes, sizeBytes FROM disk_samples s WHERE host = ?
         AND at = (SELECT MAX(at) FROM disk_samples WHERE host = s.host AND mount = s.mount) ORDER BY mount`)
    this.pruneOld = db.prepare('DELETE FROM disk_samples WHERE host = ? AND at < ?')
    this.pruneSurplus = db.prepare(
      `DELETE FROM disk_samples WHERE host = ? AND mount = ? AND at NOT IN
         (SELECT at FROM disk_samples WHERE host = ? AND mount = ? ORDER BY at DESC LIMIT ?)`)
  }

  /** Records one check's samples and prunes the host's old ones. */
  add (host: string, samples: readonly DiskSample[], now: number): void {
    this.db.transaction(() => {
      for (const s of samples.slice(0, MAX_MOUNTS)) {
        this.insert.run(host, s.mount, s.at, s.usedBytes, s.sizeBytes)
        this.pruneSurplus.run(host, s.mount, host, s.mount, MAX_SAMPLES)
      }
      this.pruneOld.run(host, now - KEEP_DAYS * 86_400_000)
    })()
  }

  /** One partition's samples since `since` (UNIX ms), oldest first. */
  recent (host: string, mount: string, since: number): DiskSample[] {
    return this.recentStmt.all(host, mount, since) as DiskSample[]
  }

  /** The newest sample of each partition of a host. */
  latest (host: string): DiskSample[] {
    return this.latestStmt.all(host) as DiskSample[]
  }
}
