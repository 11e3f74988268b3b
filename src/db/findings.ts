import type { Statement } from 'better-sqlite3'
import type { Db } from './database.js'

/**
 * The watchdog's findings: what it saw on a host, as long as it sees it. One open row per host
 * and key (a unique partial index); the row stays after the condition ends (resolved), for the
 * "recent" list, within the bounds below. The only code that reads or writes `findings`.
 */

export type Severity = 'info' | 'warning' | 'critical'
export const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical']
export const SEVERITY_RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 }

/** The one-click fixes the watchdog may offer: each is an operation Docklight knows to be safe. */
export type FixKind = 'letsencrypt-renew' | 'letsencrypt-autorenew-renew' | 'letsencrypt-autorenew' | 'app-restart'
export const FIX_KINDS: readonly FixKind[] = ['letsencrypt-renew', 'letsencrypt-autorenew-renew', 'letsencrypt-autorenew', 'app-restart']

export interface FindingFix {
  kind: FixKind
  /** The button's text ("Renew now"). */
  label: string
  app?: string
}

/** What a rule reports: a condition it sees now. */
export interface Candidate {
  rule: string
  /** Unique per host: the same condition keeps the same key from one check to the next. */
  key: string
  app: string | null
  severity: Severity
  title: string
  detail: string
  /** What to do about it, in words. */
  action: string
  fix: FindingFix | null
}

export interface Finding extends Candidate {
  id: number
  host: string
  firstSeen: string
  lastSeen: string
  resolvedAt: string | null
  snoozedUntil: string | null
  /** The severity last sent to the notification channels; null when none was sent. */
  notifiedSeverity: Severity | null
}

/** A finding that opened, got worse or better, or resolved in one check. */
export interface FindingChange {
  type: 'opened' | 'worsened' | 'improved' | 'resolved'
  finding: Finding
  previous: Severity | null
}

export interface FindingQuery {
  host?: string
  app?: string
  severity?: Severity
  /** `open` (the default), `resolved`, or `all`. */
  state?: 'open' | 'resolved' | 'all'
  limit?: number
}

export interface FindingSummary {
  /** Open and not snoozed, by severity. */
  counts: Record<Severity, number>
  total: number
  snoozed: number
  /** The most severe open finding (the oldest among equals); null when there is none. */
  worst: Finding | null
}

/** Bounds: resolved findings are kept this long and at most this many (open ones are bounded by the rules). */
export const RESOLVED_KEEP_DAYS = 30
export const MAX_RESOLVED = 2000
export const MAX_PAGE = 500

interface Row {
  id: number
  host: string
  app: string | null
  rule: string
  findingKey: string
  severity: Severity
  title: string
  detail: string
  action: string
  fix: string | null
  firstSeen: string
  lastSeen: string
  resolvedAt: string | null
  snoozedUntil: string | null
  notifiedSeverity: Severity | null
}

function toFinding (row: Row): Finding {
  let fix: FindingFix | null = null
  if (row.fix !== null) {
    try {
      fix = JSON.parse(row.fix) as FindingFix
    } catch {
      fix = null
    }
  }
  return {
    id: row.id,
    host: row.host,
    app: row.app,
    rule: row.rule,
    key: row.findingKey,
    severity: row.severity,
    title: row.title,
    detail: row.detail,
    action: row.action,
    fix,
    firstSeen: row.firstSeen,
    lastSeen: row.lastSeen,
    resolvedAt: row.resolvedAt,
    snoozedUntil: row.snoozedUntil,
    notifiedSeverity: row.notifiedSeverity
  }
}

const ORDER_OPEN = `CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, firstSeen, id`

/** How long the pages' alert summary and the dashboard's open list are reused without a write. */
export const SUMMARY_MEMO_MS = 1000
const SUMMARY_MEMO_MAX = 64

export class FindingRepository {
  private readonly openForHost
  private readonly insert
  private readonly update
  private readonly resolve
  private readonly getStmt
  private readonly snoozeStmt
  private readonly notifiedStmt
  private readonly summaryStmt
  private readonly worstStmt
  private readonly snoozedStmt
  private readonly forAppStmt
  private readonly pruneAgeStmt
  private readonly pruneSurplusStmt
  /** list() statements by filter shape (3 states × 2³ filters at most), each prepared once. */
  private readonly listStmts = new Map<string, Statement>()

  private readonly memo = new Map<string, { at: number; value: unknown }>()

  constructor (private readonly db: Db) {
    this.openForHost = db.prepare('SELECT * FROM findings WHERE host = ? AND resolvedAt IS NULL')
    this.insert = db.prepare(
      `INSERT INTO findings (host, app, rule, findingKey, severity, title, detail, action, fix, firstSeen, lastSeen)
       VALUES (@host, @app, @rule, @key, @severity, @title, @detail, @action, @fix, @now, @now)`)
    this.update = db.prepare(
      `UPDATE findings SET app = @app, severity = @severity, title = @title, detail = @detail, action = @action, fix = @fix,
         lastSeen = @now WHERE id = @id`)
    this.resolve = db.prepare('UPDATE findings SET resolvedAt = @now WHERE id = @id')
    this.getStmt = db.prepare('SELECT * FROM findings WHERE id = ?')
    this.snoozeStmt = db.prepare('UPDATE findings SET snoozedUntil = ? WHERE id = ? AND resolvedAt IS NULL')
    this.notifiedStmt = db.prepare('UPDATE findings SET notifiedSeverity = ? WHERE id = ?')
    this.summaryStmt = db.prepare(
      `SELECT severity, COUNT(*) AS n FROM findings
       WHERE resolvedAt IS NULL AND (snoozedUntil IS NULL OR snoozedUntil <= ?) AND (? IS NULL OR host = ?) GROUP BY severity`)
    this.worstStmt = db.prepare(
      `SELECT * FROM findings WHERE resolvedAt IS NULL AND (snoozedUntil IS NULL OR snoozedUntil <= ?) AND (? IS NULL OR host = ?)
       ORDER BY ${ORDER_OPEN} LIMIT 1`)
    this.snoozedStmt = db.prepare('SELECT COUNT(*) AS n FROM findings WHERE resolvedAt IS NULL AND snoozedUntil > ? AND (? IS NULL OR host = ?)')
    this.forAppStmt = db.prepare(`SELECT * FROM findings WHERE host = ? AND app = ? AND resolvedAt IS NULL ORDER BY ${ORDER_OPEN}`)
    this.pruneAgeStmt = db.prepare('DELETE FROM findings WHERE resolvedAt IS NOT NULL AND resolvedAt < ?')
    this.pruneSurplusStmt = db.prepare(
      `DELETE FROM findings WHERE resolvedAt IS NOT NULL AND id NOT IN
         (SELECT id FROM findings WHERE resolvedAt IS NOT NULL ORDER BY id DESC LIMIT ?)`)
  }

  /** The open findings of a host. */
  open (host: string): Finding[] {
    return (this.openForHost.all(host) as Row[]).map(toFinding)
  }

  /**
   * One check's result for a host: `checked` names the rules that ran to the end (a rule whose
   * reads failed is not in it, so its findings stay as they were). Each candidate opens a
   * finding or updates the open one with its key; an open finding of a checked rule that no
   * candidate names has resolved, unless its key is in `keep` (a rule that could not judge it
   * this time). Returns what changed, in one transaction.
   */
  apply (host: string, checked: ReadonlySet<string>, candidates: readonly Candidate[], now: Date, keep: ReadonlySet<string> = new Set()): FindingChange[] {
    this.memo.clear()
    const at = now.toISOString()
    return this.db.transaction(() => {
      const changes: FindingChange[] = []
      const open = new Map(this.open(host).map((f) => [f.key, f]))
      const seen = new Set<string>()
      for (const c of candidates) {
        if (seen.has(c.key)) continue
        seen.add(c.key)
        const params = { host, app: c.app, rule: c.rule, key: c.key, severity: c.severity, title: c.title, detail: c.detail, action: c.action, fix: c.fix ? JSON.stringify(c.fix) : null, now: at }
        const existing = open.get(c.key)
        if (!existing) {
          const id = Number(this.insert.run(params).lastInsertRowid)
          changes.push({ type: 'opened', finding: this.get(id)!, previous: null })
          continue
        }
        this.update.run({ ...params, id: existing.id })
        const rank = SEVERITY_RANK[c.severity] - SEVERITY_RANK[existing.severity]
        if (rank !== 0) changes.push({ type: rank > 0 ? 'worsened' : 'improved', finding: this.get(existing.id)!, previous: existing.severity })
      }
      for (const f of open.values()) {
        if (seen.has(f.key) || keep.has(f.key) || !checked.has(f.rule)) continue
        this.resolve.run({ id: f.id, now: at })
        changes.push({ type: 'resolved', finding: this.get(f.id)!, previous: f.severity })
      }
      return changes
    })()
  }

  get (id: number): Finding | undefined {
    const row = this.getStmt.get(id) as Row | undefined
    return row ? toFinding(row) : undefined
  }

  list (query: FindingQuery = {}): Finding[] {
    const where: string[] = []
    const params: unknown[] = []
    const state = query.state ?? 'open'
    if (state === 'open') where.push('resolvedAt IS NULL')
    else if (state === 'resolved') where.push('resolvedAt IS NOT NULL')
    if (query.host !== undefined) { where.push('host = ?'); params.push(query.host) }
    if (query.app !== undefined) { where.push('app = ?'); params.push(query.app) }
    if (query.severity !== undefined) { where.push('severity = ?'); params.push(query.severity) }
    const limit = Math.max(1, Math.min(query.limit ?? 100, MAX_PAGE))
    // Open ones worst first; resolved ones the latest cleared first; all of them newest first.
    const order = state === 'open' ? ORDER_OPEN : state === 'resolved' ? 'resolvedAt DESC, id DESC' : 'id DESC'
    const sql = `SELECT * FROM findings ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${order} LIMIT ?`
    let stmt = this.listStmts.get(sql)
    if (!stmt) this.listStmts.set(sql, stmt = this.db.prepare(sql))
    return (stmt.all(...params, limit) as Row[]).map(toFinding)
  }

  /** Open findings of one app (its pages), worst first; snoozed ones included and marked by the caller. */
  forApp (host: string, app: string): Finding[] {
    // Every tab of the app asks: kept like the summary (until the next write, at most SUMMARY_MEMO_MS).
    return this.remember(`app:${host}\0${app}`, new Date(), () => (this.forAppStmt.all(host, app) as Row[]).map(toFinding)).slice()
  }

  /** Snoozes an open finding until the given time (null: wakes it). False when it is not open. */
  snooze (id: number, until: Date | null): boolean {
    this.memo.clear()
    return this.snoozeStmt.run(until ? until.toISOString() : null, id).changes > 0
  }

  markNotified (id: number, severity: Severity | null): void {
    this.memo.clear()
    this.notifiedStmt.run(severity, id)
  }

  /** Open findings by severity and the worst of them: of every host, or of one. */
  summary (now: Date, host?: string): FindingSummary {
    return this.remember(`summary:${host ?? ''}`, now, () => this.readSummary(now, host))
  }

  /**
   * The dashboard's open findings, worst first. Like `summary`, every dashboard view asks, so
   * it is kept until the next write and for at most SUMMARY_MEMO_MS.
   */
  openFor (now: Date, host: string | undefined, limit: number): Finding[] {
    return this.remember(`open:${host ?? ''}:${limit}`, now, () => this.list({ host, state: 'open', limit }))
  }

  // Every page reads the summary (three queries) and the dashboard its open list: each answer is
  // reused until the next write, and for at most SUMMARY_MEMO_MS (a snooze that runs out shows
  // within that time). Bound: keys are host names (the registry's) with a fixed limit, and the
  // apps whose pages were viewed within that time; never more than SUMMARY_MEMO_MAX entries.
  private remember<T> (key: string, now: Date, read: () => T): T {
    const memo = this.memo.get(key)
    const t = now.getTime()
    if (memo && t >= memo.at && t - memo.at < SUMMARY_MEMO_MS) return memo.value as T
    const value = read()
    if (this.memo.size >= SUMMARY_MEMO_MAX) this.memo.clear()
    this.memo.set(key, { at: t, value })
    return value
  }

  private readSummary (now: Date, host?: string): FindingSummary {
    const at = now.toISOString()
    const h = host ?? null
    const counts: Record<Severity, number> = { info: 0, warning: 0, critical: 0 }
    for (const row of this.summaryStmt.all(at, h, h) as Array<{ severity: Severity; n: number }>) counts[row.severity] = row.n
    const worst = this.worstStmt.get(at, h, h) as Row | undefined
    return {
      counts,
      total: counts.info + counts.warning + counts.critical,
      snoozed: (this.snoozedStmt.get(at, h, h) as { n: number }).n,
      worst: worst ? toFinding(worst) : null
    }
  }

  /** Keeps resolved findings within RESOLVED_KEEP_DAYS and MAX_RESOLVED. */
  prune (now: Date): number {
    this.memo.clear()
    const cutoff = new Date(now.getTime() - RESOLVED_KEEP_DAYS * 86_400_000).toISOString()
    return this.pruneAgeStmt.run(cutoff).changes + this.pruneSurplusStmt.run(MAX_RESOLVED).changes
  }
}

/** Whether a finding is snoozed at `now`. */
export function isSnoozed (finding: Pick<Finding, 'snoozedUntil'>, now: Date): boolean {
  return finding.snoozedUntil !== null && finding.snoozedUntil > now.toISOString()
}
