import type { Statement } from 'better-sqlite3'
import { commandGroup } from './command-group.js'
import type { Db } from './database.js'

/** `skipped`: dokku answered that there was nothing to do (an undeployed app's restart). */
export type RunStatus = 'queued' | 'running' | 'success' | 'skipped' | 'failed' | 'timeout' | 'cancelled' | 'error' | 'interrupted'

/**
 * What a row records: `read` (a query: no output kept when it succeeds), `action` (a change
 * made at once) or `job` (a long command that streamed into a job panel).
 */
export type RunKind = 'action' | 'read' | 'job'
export const RUN_KINDS: readonly RunKind[] = ['action', 'read', 'job']

/** Who asked for the run: a browser page, a background job, a webhook, the API or the watchdog. */
export type RunOrigin = 'page' | 'job' | 'webhook' | 'api' | 'watchdog'
export const RUN_ORIGINS: readonly RunOrigin[] = ['page', 'job', 'webhook', 'api', 'watchdog']

/** One command Docklight ran (or tried to run), as lists show it: never its output. */
export interface HistoryRow {
  id: number
  /** The Dokku host it ran on. */
  host: string
  /** The argv as one display string, secrets already redacted. */
  command: string
  app: string | null
  kind: RunKind
  origin: RunOrigin
  /** The dokku plugin of the command (`ps`, `config`, …); null before a job's command starts. */
  group: string | null
  /** What the user asked for, e.g. "Restart myapp"; null for plain commands. */
  label: string | null
  status: RunStatus
  exitCode: number | null
  /** Why it did not run or finish, in words (missing binary, timeout, …). */
  error: string | null
  createdAt: string
  finishedAt: string | null
  durationMs: number | null
}

/** A row with its stored (redacted) output: what the entry page and a finished job show. */
export interface HistoryEntry extends HistoryRow {
  stdout: string
  stderr: string
}

export interface NewRun {
  command: string
  app?: string | null
  host?: string
  kind?: RunKind
  origin?: RunOrigin
  label?: string | null
  status?: RunStatus
}

export interface RunOutcome {
  status: RunStatus
  exitCode: number | null
  /** Stored as given: the caller decides what is worth keeping (and has redacted it). */
  stdout: string
  stderr: string
  error?: string | null
  durationMs: number
}

/** `actions` (the default of the pages) is actions and jobs; `reads` the queries; `all` both. */
export type KindFilter = 'actions' | 'reads' | 'all'

export interface HistoryQuery {
  host?: string
  app?: string
  status?: RunStatus
  kind?: KindFilter
  group?: string
  /** Free text, matched against the command and the label (never the output). */
  q?: string
  limit?: number
  /** Only rows with an id below this one (keyset pagination, newest first). */
  before?: number
}

export const MAX_PAGE = 500

const ROW_COLUMNS = `id, host, command, app, kind, origin, cmdGroup AS "group", label, status, exitCode, error,
  createdAt, finishedAt, durationMs`

/** `%`, `_` and `\` match themselves in a LIKE pattern with `ESCAPE '\'`. */
export function likePattern (text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => '\\' + c)}%`
}

/** The only code that reads or writes `command_history` and `command_output`. */
/** Bound: list() answers kept until the next write. */
export const LIST_MEMO_MAX = 32

export class HistoryRepository {
  private readonly insertStmt
  private readonly finishStmt
  private readonly outputStmt
  private readonly statusStmt
  private readonly runningStmt
  private readonly getStmt
  private readonly getRowStmt
  private readonly interruptStmt
  private readonly skipStmt
  private readonly pruneByAgeStmt
  private readonly surplusStmt
  private readonly pruneUpToStmt
  private readonly countStmt
  /** list() statements by filter shape (at most 2^7), each prepared once. */
  private readonly listStmts = new Map<string, Statement>()
  /**
   * list()'s answers until the next write: an app's overview asks for its recent actions on
   * every view, and a cached page writes no history, so the same query is answered from here.
   * Every write to command_history goes through this class and empties it. Bound:
   * LIST_MEMO_MAX answers (the oldest go first), each at most MAX_PAGE rows without output.
   */
  private readonly listMemo = new Map<string, HistoryRow[]>()

  constructor (private readonly db: Db, private readonly now: () => Date = () => new Date()) {
    this.insertStmt = db.prepare(
      `INSERT INTO command_history (command, app, host, kind, origin, cmdGroup, label, status, createdAt)
       VALUES (@command, @app, @host, @kind, @origin, @group, @label, @status, @createdAt)`)
    this.finishStmt = db.prepare(
      `UPDATE command_history SET status = @status, exitCode = @exitCode, error = @error, finishedAt = @finishedAt,
         durationMs = @durationMs WHERE id = @id`)
    this.outputStmt = db.prepare(
      `INSERT INTO command_output (id, stdout, stderr) VALUES (@id, @stdout, @stderr)
       ON CONFLICT (id) DO UPDATE SET stdout = excluded.stdout, stderr = excluded.stderr`)
    this.statusStmt = db.prepare('UPDATE command_history SET status = ? WHERE id = ?')
    this.runningStmt = db.prepare("UPDATE command_history SET status = 'running', command = ?, cmdGroup = ? WHERE id = ?")
    this.getStmt = db.prepare(
      `SELECT ${ROW_COLUMNS}, coalesce(o.stdout, '') AS stdout, coalesce(o.stderr, '') AS stderr
       FROM command_history h LEFT JOIN command_output o USING (id) WHERE h.id = ?`)
    this.getRowStmt = db.prepare(`SELECT ${ROW_COLUMNS} FROM command_history WHERE id = ?`)
    this.skipStmt = db.prepare("UPDATE command_history SET status = 'skipped', error = @why WHERE id = @id AND status = 'success'")
    this.interruptStmt = db.prepare(
      `UPDATE command_history SET status = 'interrupted', error = @error, finishedAt = coalesce(finishedAt, @now)
       WHERE id = @id`)
    this.pruneByAgeStmt = db.prepare(
      `DELETE FROM command_history WHERE id IN (
         SELECT id FROM command_history WHERE createdAt < @cutoff AND status NOT IN ('running', 'queued')
         ORDER BY createdAt, id LIMIT @limit)`)
    this.surplusStmt = db.prepare(
      'SELECT createdAt, id FROM command_history ORDER BY createdAt DESC, id DESC LIMIT 1 OFFSET @keep')
    this.pruneUpToStmt = db.prepare(
      `DELETE FROM command_history WHERE id IN (
         SELECT id FROM command_history WHERE (createdAt, id) <= (@createdAt, @id) AND status NOT IN ('running', 'queued')
         ORDER BY createdAt, id LIMIT @limit)`)
    this.countStmt = db.prepare('SELECT count(*) AS n FROM command_history')
  }

  start (run: NewRun): number {
    this.listMemo.clear()
    const info = this.insertStmt.run({
      command: run.command,
      app: run.app ?? null,
      host: run.host ?? 'local',
      kind: run.kind ?? 'action',
      origin: run.origin ?? 'page',
      group: commandGroup(run.command),
      label: run.label ?? null,
      status: run.status ?? 'running',
      createdAt: this.now().toISOString()
    })
    return Number(info.lastInsertRowid)
  }

  setStatus (id: number, status: RunStatus): void {
    this.listMemo.clear()
    this.statusStmt.run(status, id)
  }

  /** A row made ahead of its command (a job) learns the exact command when it starts. */
  markRunning (id: number, command: string): void {
    this.listMemo.clear()
    this.runningStmt.run(command, commandGroup(command), id)
  }

  finish (id: number, outcome: RunOutcome): void {
    this.listMemo.clear()
    this.db.transaction(() => {
      this.finishStmt.run({
        id,
        status: outcome.status,
        exitCode: outcome.exitCode,
        error: outcome.error ?? null,
        finishedAt: this.now().toISOString(),
        durationMs: Math.round(outcome.durationMs)
      })
      if (outcome.stdout !== '' || outcome.stderr !== '') this.outputStmt.run({ id, stdout: outcome.stdout, stderr: outcome.stderr })
    })()
  }

  get (id: number): HistoryEntry | undefined {
    return this.getStmt.get(id) as HistoryEntry | undefined
  }

  /** The row without its output. */
  getRow (id: number): HistoryRow | undefined {
    return this.getRowStmt.get(id) as HistoryRow | undefined
  }

  /** dokku succeeded without doing anything (its own words say why): not a success to show. */
  skip (id: number, why: string): void {
    this.listMemo.clear()
    this.skipStmt.run({ id, why })
  }

  /** A run that Docklight gave up on (shutdown): it did not finish, and says why. */
  interrupt (id: number, error: string): void {
    this.listMemo.clear()
    this.interruptStmt.run({ id, error, now: this.now().toISOString() })
  }

  /** Newest first, never reading output; `before` pages by id (keyset), not OFFSET. */
  list (query: HistoryQuery = {}): HistoryRow[] {
    const where: string[] = []
    const params: Record<string, unknown> = { limit: Math.min(Math.max(query.limit ?? 50, 1), MAX_PAGE) }
    if (query.host !== undefined) { where.push('host = @host'); params.host = query.host }
    if (query.app !== undefined) { where.push('app = @app'); params.app = query.app }
    if (query.status !== undefined) { where.push('status = @status'); params.status = query.status }
    if (query.kind === 'actions') where.push("kind IN ('action', 'job')")
    if (query.kind === 'reads') where.push("kind = 'read'")
    if (query.group !== undefined) { where.push('cmdGroup = @group'); params.group = query.group }
    if (query.q !== undefined && query.q !== '') {
      where.push("(command LIKE @q ESCAPE '\\' OR label LIKE @q ESCAPE '\\')")
      params.q = likePattern(query.q)
    }
    if (query.before !== undefined) { where.push('id < @before'); params.before = query.before }
    const sql = `SELECT ${ROW_COLUMNS} FROM command_history ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''}
                 ORDER BY id DESC LIMIT @limit`
    const key = `${sql}\0${JSON.stringify(params)}`
    const kept = this.listMemo.get(key)
    if (kept) return kept.slice()
    let stmt = this.listStmts.get(sql)
    if (!stmt) this.listStmts.set(sql, stmt = this.db.prepare(sql))
    const rows = stmt.all(params) as HistoryRow[]
    if (this.listMemo.size >= LIST_MEMO_MAX) this.listMemo.delete(this.listMemo.keys().next().value!)
    this.listMemo.set(key, rows)
    return rows.slice()
  }

  // ---- retention (used by HistoryPruner) ------------------------------------------------------
  // "Oldest" is by (createdAt, id): the createdAt index covers both, so finding a cutoff and
  // each batch's rows reads that index, never the table's rows. A row still `running` or
  // `queued` is never deleted, however old: its run has not ended. `command_output` rows go
  // with theirs (ON DELETE CASCADE).

  /**
   * Deletes at most `limit` of the oldest ended rows created before `cutoff`, in one statement
   * (one transaction). Returns how many went.
   */
  deleteCreatedBefore (cutoff: Date, limit: number): number {
    this.listMemo.clear()
    return this.pruneByAgeStmt.run({ cutoff: cutoff.toISOString(), limit }).changes
  }

  /**
   * The newest row beyond the newest `keep` rows (by createdAt, then id), or null when there
   * are no more than `keep`: every row at or before it is surplus.
   */
  surplusCutoff (keep: number): { createdAt: string; id: number } | null {
    return (this.surplusStmt.get({ keep }) as { createdAt: string; id: number } | undefined) ?? null
  }

  /** Deletes at most `limit` of the oldest ended rows at or before `cutoff` (from surplusCutoff). */
  deleteUpTo (cutoff: { createdAt: string; id: number }, limit: number): number {
    this.listMemo.clear()
    return this.pruneUpToStmt.run({ createdAt: cutoff.createdAt, id: cutoff.id, limit }).changes
  }

  /** How many rows history holds (an index count). */
  count (): number {
    return (this.countStmt.get() as { n: number }).n
  }

  /** Runs left "running" or "queued" by a previous process can never finish: say so. */
  markInterrupted (): number {
    this.listMemo.clear()
    return this.db.prepare(
      `UPDATE command_history SET status = 'interrupted', error = 'Docklight restarted while this ran',
         finishedAt = @now WHERE status IN ('running', 'queued')`).run({ now: this.now().toISOString() }).changes
  }
}
