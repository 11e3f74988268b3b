import type { Statement } from 'better-sqlite3'
import type { Db } from './database.js'

export type RunStatus = 'queued' | 'running' | 'success' | 'failed' | 'timeout' | 'cancelled' | 'error' | 'interrupted'

/** One command Docklight ran (or tried to run), as the audit trail shows it. */
export interface HistoryRecord {
  id: number
  /** The argv as one display string, secrets already redacted. */
  command: string
  app: string | null
  kind: 'command' | 'job'
  /** What the user asked for, e.g. "Restart myapp"; null for plain commands. */
  label: string | null
  status: RunStatus
  exitCode: number | null
  stdout: string
  stderr: string
  /** Why it did not run or finish, in words (missing binary, timeout, …). */
  error: string | null
  createdAt: string
  finishedAt: string | null
  durationMs: number | null
}

export interface NewRun {
  command: string
  app?: string | null
  kind?: 'command' | 'job'
  label?: string | null
  status?: RunStatus
}

export interface RunOutcome {
  status: RunStatus
  exitCode: number | null
  stdout: string
  stderr: string
  error?: string | null
  durationMs: number
}

export interface HistoryQuery {
  app?: string
  status?: RunStatus
  limit?: number
  /** Only rows with an id below this one (keyset pagination, newest first). */
  before?: number
}

/** The only code that reads or writes `command_history`. */
export class HistoryRepository {
  private readonly insertStmt
  private readonly finishStmt
  private readonly statusStmt
  private readonly runningStmt
  private readonly getStmt
  /** list() statements by filter shape (at most eight), each prepared once. */
  private readonly listStmts = new Map<string, Statement>()

  constructor (private readonly db: Db, private readonly now: () => Date = () => new Date()) {
    this.insertStmt = db.prepare(
      `INSERT INTO command_history (command, app, kind, label, status, createdAt)
       VALUES (@command, @app, @kind, @label, @status, @createdAt)`)
    this.finishStmt = db.prepare(
      `UPDATE command_history SET status = @status, exitCode = @exitCode, stdout = @stdout,
         stderr = @stderr, error = @error, finishedAt = @finishedAt, durationMs = @durationMs
       WHERE id = @id`)
    this.statusStmt = db.prepare('UPDATE command_history SET status = ? WHERE id = ?')
    this.runningStmt = db.prepare("UPDATE command_history SET status = 'running', command = ? WHERE id = ?")
    this.getStmt = db.prepare('SELECT * FROM command_history WHERE id = ?')
  }

  start (run: NewRun): number {
    const info = this.insertStmt.run({
      command: run.command,
      app: run.app ?? null,
      kind: run.kind ?? 'command',
      label: run.label ?? null,
      status: run.status ?? 'running',
      createdAt: this.now().toISOString()
    })
    return Number(info.lastInsertRowid)
  }

  setStatus (id: number, status: RunStatus): void {
    this.statusStmt.run(status, id)
  }

  /** A row made ahead of its command (a job) learns the exact command when it starts. */
  markRunning (id: number, command: string): void {
    this.runningStmt.run(command, id)
  }

  finish (id: number, outcome: RunOutcome): void {
    this.finishStmt.run({
      id,
      status: outcome.status,
      exitCode: outcome.exitCode,
      stdout: outcome.stdout,
      stderr: outcome.stderr,
      error: outcome.error ?? null,
      finishedAt: this.now().toISOString(),
      durationMs: Math.round(outcome.durationMs)
    })
  }

  get (id: number): HistoryRecord | undefined {
    return this.getStmt.get(id) as HistoryRecord | undefined
  }

  list (query: HistoryQuery = {}): HistoryRecord[] {
    const where: string[] = []
    const params: Record<string, unknown> = { limit: Math.min(Math.max(query.limit ?? 50, 1), 500) }
    if (query.app !== undefined) { where.push('app = @app'); params.app = query.app }
    if (query.status !== undefined) { where.push('status = @status'); params.status = query.status }
    if (query.before !== undefined) { where.push('id < @before'); params.before = query.before }
    const sql = `SELECT * FROM command_history ${where.length > 0 ? 'WHERE ' + where.join(' AND ') : ''}
                 ORDER BY id DESC LIMIT @limit`
    let stmt = this.listStmts.get(sql)
    if (!stmt) this.listStmts.set(sql, stmt = this.db.prepare(sql))
    return stmt.all(params) as HistoryRecord[]
  }

  /** Runs left "running" or "queued" by a previous process can never finish: say so. */
  markInterrupted (): number {
    return this.db.prepare(
      `UPDATE command_history SET status = 'interrupted', error = 'Docklight restarted while this ran',
         finishedAt = @now WHERE status IN ('running', 'queued')`).run({ now: this.now().toISOString() }).changes
  }
}
