import { EventEmitter } from 'node:events'
import type { HistoryRepository, RunOrigin, RunStatus } from '../db/history.js'
import { DokkuError } from '../dokku/errors.js'
import { currentOrigin, withOrigin } from '../run-context.js'
import { stripAnsi } from '../views/format.js'

/** What a job's body receives: where to stream output, how to learn it was cancelled. */
export interface JobContext {
  historyId: number
  onOutput: (stream: 'stdout' | 'stderr', text: string) => void
  /** The body's command left its lane's queue and started. */
  onStart: () => void
  signal: AbortSignal
}

/** What a cancel request did, in the user's words, and whether to stop our own process. */
export interface CancelVerdict {
  /** Kill the local process (dokku itself, or ssh) now. */
  abort: boolean
  message: string
}

export interface JobSpec {
  /** The Dokku host it runs on (recorded on its row; part of the lock). */
  host: string
  /** That host is another machine (SSH): killing our process does not stop dokku there. */
  remote: boolean
  /** The app the job changes; two jobs on one app of one host never run at once. */
  app: string
  /** What the user asked for, e.g. "Restart web". */
  label: string
  /** Shown until the command starts and history records its exact argv. */
  command?: string
  /** Applied line by line to live output, for bodies that do not redact their own. */
  redact?: (text: string) => string
  /** Where to go once it succeeded (a destroyed app's page no longer exists). */
  next?: { href: string; text: string }
  /**
   * Stops the command where it runs (dokku's `builds:cancel` for deploys). Without one, a cancel
   * kills the local process.
   */
  cancel?: () => Promise<CancelVerdict>
  /**
   * The work. Resolving means success (a value with `status` reports its own outcome, as the
   * runner's result does); throwing a DokkuError reports dokku's failure and message.
   */
  run: (ctx: JobContext) => Promise<unknown>
}

export type JobEvent =
  | { type: 'output'; text: string }
  | { type: 'status'; status: RunStatus }
  | { type: 'done'; status: RunStatus; exitCode: number | null; error: string | null }

const STATUS_BY_KIND: Partial<Record<DokkuError['kind'], RunStatus>> = {
  timeout: 'timeout', cancelled: 'cancelled', unavailable: 'error'
}

function outcomeOf (result: unknown): { status: RunStatus; exitCode: number | null; error: string | null } {
  // A command dokku had nothing to do for (a CommandOutcome with its words) is not a success.
  if (typeof result === 'object' && result !== null && typeof (result as { nothingToDo?: unknown }).nothingToDo === 'string') {
    return { status: 'skipped', exitCode: 0, error: (result as { nothingToDo: string }).nothingToDo }
  }
  if (typeof result === 'object' && result !== null && 'status' in result) {
    const r = result as { status: RunStatus; exitCode?: number | null; error?: string | null }
    return { status: r.status, exitCode: r.exitCode ?? null, error: r.error ?? null }
  }
  return { status: 'success', exitCode: 0, error: null }
}

export interface JobSnapshot {
  id: number
  host: string
  app: string
  label: string
  command: string
  status: RunStatus
  exitCode: number | null
  error: string | null
  output: string
  startedAt: string
  finishedAt: string | null
  next?: { href: string; text: string }
}

/** The lock of one app on one host (a NUL never appears in either name). */
function lockKey (host: string, app: string): string {
  return `${host}\0${app}`
}

/** A mutating job is already running on this app. */
export class AppBusyError extends Error {
  readonly statusCode = 409
  constructor (readonly app: string, readonly runningJob: { id: number; label: string }) {
    super(`${runningJob.label} is still running on ${app} (job #${runningJob.id}). Wait for it to finish.`)
    this.name = 'AppBusyError'
  }
}

/** Bound: a job keeps at most this much output in memory (history keeps its own copy). */
export const MAX_JOB_OUTPUT = 512 * 1024
/** Bound: a line longer than this is cut (a progress bar without newlines, binary noise). */
export const MAX_PARTIAL_LINE = 64 * 1024
/** Bounds on finished jobs kept in memory for late watchers; older ones are read from history. */
const KEEP_FINISHED = 50
const MAX_FINISHED_BYTES = 8 * 1024 * 1024

const truncationNote = (limit: number) => `\n[output truncated at ${Math.round(limit / 1024)} KiB; the job goes on]\n`

class Job extends EventEmitter {
  status: RunStatus = 'queued'
  exitCode: number | null = null
  error: string | null = null
  output = ''
  finishedAt: string | null = null
  readonly startedAt = new Date().toISOString()
  readonly abort = new AbortController()
  /** Settles when the job has finished, whatever the outcome. */
  readonly done: Promise<void>
  markDone!: () => void
  /** A cancel went through: however the process then ends, the job ends as cancelled. */
  cancelRequested = false
  /** A cancel being decided (asking dokku to stop the command takes a call). */
  cancelling: Promise<CancelVerdict> | null = null
  private partial = ''
  private truncated = false

  constructor (readonly id: number, readonly spec: JobSpec) {
    super()
    this.setMaxListeners(0)
    this.done = new Promise((resolve) => { this.markDone = resolve })
  }

  setStatus (status: RunStatus): void {
    if (this.status === status) return
    this.status = status
    this.emit('event', { type: 'status', status } satisfies JobEvent)
  }

  /** Redaction works on whole lines, so live text is held back until its newline arrives. */
  push (text: string): void {
    const lines = (this.partial + stripAnsi(text).replace(/\r\n?/g, '\n')).split('\n')
    this.partial = lines.pop()!
    if (this.partial.length > MAX_PARTIAL_LINE) {
      lines.push(this.partial.slice(0, MAX_PARTIAL_LINE) + ' [line cut]')
      this.partial = ''
    }
    if (lines.length > 0) this.emitText(lines.map((l) => l + '\n').join(''))
  }

  /** A line of Docklight's own (a cancel notice), set apart from dokku's output. */
  note (text: string): void {
    this.flush()
    this.emitText(`[docklight] ${text}\n`)
  }

  flush (): void {
    if (this.partial !== '') this.emitText(this.partial)
    this.partial = ''
  }

  private emitText (raw: string): void {
    const text = this.spec.redact ? this.spec.redact(raw) : raw
    if (!this.truncated) {
      if (this.output.length + text.length <= MAX_JOB_OUTPUT) this.output += text
      else {
        this.output += text.slice(0, Math.max(0, MAX_JOB_OUTPUT - this.output.length)) + truncationNote(MAX_JOB_OUTPUT)
        this.truncated = true
      }
    }
    this.emit('event', { type: 'output', text } satisfies JobEvent)
  }

  snapshot (): JobSnapshot {
    return {
      id: this.id,
      host: this.spec.host,
      app: this.spec.app,
      label: this.spec.label,
      command: this.spec.command ?? this.spec.label,
      status: this.status,
      exitCode: this.exitCode,
      error: this.error,
      output: this.output,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt,
      next: this.spec.next
    }
  }
}

/**
 * Runs long dokku commands in the background: the request returns at once, the output streams
 * to whoever watches, and the job lives on if the tab closes. Each job is a history row. A job
 * waits as `queued` until the job lane has room.
 */
export class JobManager {
  private readonly jobs = new Map<number, Job>()
  private readonly runningByApp = new Map<string, Job>()
  private readonly onFinish: Array<(job: JobSnapshot) => void> = []
  private readonly onStart: Array<(job: JobSnapshot) => void> = []
  private closing = false

  constructor (private readonly history: HistoryRepository) {}

  /** Starts a job, or throws AppBusyError when the app already has one queued or running. */
  start (spec: JobSpec): JobSnapshot {
    if (this.closing) throw Object.assign(new Error('Docklight is shutting down: no new jobs.'), { statusCode: 503 })
    const key = lockKey(spec.host, spec.app)
    const busy = this.runningByApp.get(key)
    if (busy) throw new AppBusyError(spec.app, { id: busy.id, label: busy.spec.label })

    const origin: RunOrigin = currentOrigin()
    const id = this.history.start({
      command: spec.command ?? spec.label, app: spec.app, host: spec.host, kind: 'job', origin, label: spec.label, status: 'queued'
    })
    const job = new Job(id, spec)
    this.jobs.set(id, job)
    this.runningByApp.set(key, job)

    for (const listener of this.onStart) listener(job.snapshot())
    // What the body runs besides its own command (a follow-up read) is the job's doing.
    void withOrigin('job', () => this.execute(job))
    // Taken after the body began: a command that found a free slot at once is already running.
    return job.snapshot()
  }

  private async execute (job: Job): Promise<void> {
    try {
      const outcome = outcomeOf(await job.spec.run({
        historyId: job.id,
        signal: job.abort.signal,
        onStart: () => job.setStatus('running'),
        onOutput: (_stream, text) => job.push(text)
      }))
      job.exitCode = outcome.exitCode
      job.error = outcome.error
      job.status = outcome.status
      if (outcome.status === 'skipped') this.history.skip(job.id, outcome.error ?? 'nothing to do')
    } catch (err) {
      if (err instanceof DokkuError) {
        // dokku ran and failed: the runner has already closed the history row.
        job.status = STATUS_BY_KIND[err.kind] ?? 'failed'
        job.exitCode = err.exitCode
        job.error = err.message
        return
      }
      // The body refused to run (bad input found late, dokku missing): the row still closes.
      job.status = 'error'
      job.error = err instanceof Error ? err.message : String(err)
      const row = this.history.getRow(job.id)
      if (row && (row.status === 'running' || row.status === 'queued')) {
        this.history.finish(job.id, { status: 'error', exitCode: null, stdout: job.output, stderr: '', error: job.error, durationMs: 0 })
      }
    } finally {
      await job.cancelling?.catch(() => undefined)
      // builds:cancel SIGQUITs the deploy itself, so it may end "failed" before our abort lands.
      if (job.cancelRequested && job.status !== 'success' && job.status !== 'cancelled') {
        job.status = 'cancelled'
        this.history.setStatus(job.id, 'cancelled')
      }
      job.flush()
      job.finishedAt = new Date().toISOString()
      const key = lockKey(job.spec.host, job.spec.app)
      if (this.runningByApp.get(key) === job) this.runningByApp.delete(key)
      const snapshot = job.snapshot()
      for (const listener of this.onFinish) listener(snapshot)
      job.emit('event', { type: 'done', status: job.status, exitCode: job.exitCode, error: job.error } satisfies JobEvent)
      job.markDone()
      this.forgetOldJobs()
    }
  }

  /** Called as every job starts. */
  onJobStarted (listener: (job: JobSnapshot) => void): void {
    this.onStart.push(listener)
  }

  /** Called after every job, e.g. to drop cached reads of the app it changed. */
  onJobFinished (listener: (job: JobSnapshot) => void): void {
    this.onFinish.push(listener)
  }

  /** A job this process ran or runs; older ones are read from history by the routes. */
  get (id: number): JobSnapshot | undefined {
    const snapshot = this.jobs.get(id)?.snapshot()
    // History holds the exact (redacted) argv once the command has started.
    if (snapshot) snapshot.command = this.history.getRow(id)?.command ?? snapshot.command
    return snapshot
  }

  runningFor (host: string, app: string): JobSnapshot | undefined {
    return this.runningByApp.get(lockKey(host, app))?.snapshot()
  }

  /** Live events of a job still in memory; returns an unsubscribe function. */
  subscribe (id: number, listener: (event: JobEvent) => void): (() => void) | undefined {
    const job = this.jobs.get(id)
    if (!job) return undefined
    job.on('event', listener)
    return () => job.off('event', listener)
  }

  /**
   * Asks a job to stop. A queued job is dropped from its queue. A running one is stopped where
   * it runs when its spec knows how (dokku's `builds:cancel`); the verdict says what happened,
   * plainly, and the job's output says it too. Undefined: no such job, or it already ended.
   */
  async cancel (id: number): Promise<CancelVerdict | undefined> {
    const job = this.jobs.get(id)
    if (!job || job.finishedAt !== null) return undefined
    // One cancel at a time; the job's end waits for it, so its notice is always in the output.
    job.cancelling ??= this.decideCancel(job).then((verdict) => {
      job.note(verdict.message)
      if (verdict.abort) {
        job.cancelRequested = true
        job.abort.abort()
      } else {
        job.cancelling = null
      }
      return verdict
    })
    return job.cancelling
  }

  private async decideCancel (job: Job): Promise<CancelVerdict> {
    if (job.status === 'queued') return { abort: true, message: `Cancelled ${job.spec.label} before it started.` }
    if (job.spec.cancel) {
      try {
        return await job.spec.cancel()
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err)
        return job.spec.remote
          ? { abort: false, message: `Could not ask dokku to stop ${job.spec.label} (${why}); it runs to its end on the server.` }
          : { abort: true, message: `Could not ask dokku to stop it (${why}); stopping dokku's process here.` }
      }
    }
    if (job.spec.remote) return { abort: false, message: `dokku has no way to stop ${job.spec.label} on the server once it has started: it runs to its end.` }
    return { abort: true, message: `Stopping ${job.spec.label}: dokku's process and everything it started are being ended.` }
  }

  /** Waits for every running job (tests). */
  async drain (): Promise<void> {
    await Promise.all([...this.runningByApp.values()].map((job) => job.done))
  }

  /**
   * Shutdown: no new jobs; running ones get `graceMs` to finish, then are cancelled (where they
   * run, when their spec knows how) and recorded as interrupted.
   */
  async shutdown (graceMs: number): Promise<{ finished: number; interrupted: number }> {
    this.closing = true
    const running = [...this.runningByApp.values()]
    let timer: NodeJS.Timeout | undefined
    const grace = new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs) })
    await Promise.race([Promise.all(running.map((job) => job.done)), grace])
    clearTimeout(timer)
    const left = running.filter((job) => job.finishedAt === null)
    await Promise.all(left.map(async (job) => {
      const verdict = job.status === 'running' && job.spec.cancel ? await job.spec.cancel().catch(() => null) : null
      if (verdict && job.finishedAt === null) job.note(verdict.message)
      job.abort.abort()
      await job.done
      job.status = 'interrupted'
      this.history.interrupt(job.id, `Docklight shut down while this ran${verdict ? ` (${verdict.message})` : ''}`)
    }))
    return { finished: running.length - left.length, interrupted: left.length }
  }

  private forgetOldJobs (): void {
    let finished = 0
    let bytes = 0
    // Newest first: keep the most recent finished jobs within both bounds.
    for (const [id, job] of [...this.jobs].reverse()) {
      if (job.finishedAt === null) continue
      finished++
      bytes += job.output.length
      if (finished > KEEP_FINISHED || bytes > MAX_FINISHED_BYTES) this.jobs.delete(id)
    }
  }
}
