import { EventEmitter } from 'node:events'
import type { HistoryRepository, RunStatus } from '../db/history.js'
import { DokkuError } from '../dokku/errors.js'
import { stripAnsi } from '../views/format.js'

/** What a job's body receives: where to stream output, how to learn it was cancelled. */
export interface JobContext {
  historyId: number
  onOutput: (stream: 'stdout' | 'stderr', text: string) => void
  signal: AbortSignal
}

export interface JobSpec {
  /** The app the job changes; two jobs on one app never run at once. */
  app: string
  /** What the user asked for, e.g. "Restart web". */
  label: string
  /** Shown until the command starts and history records its exact argv. */
  command?: string
  /** Applied line by line to live output, for bodies that do not redact their own. */
  redact?: (text: string) => string
  /**
   * The work. Resolving means success (a value with `status` reports its own outcome, as the
   * runner's result does); throwing a DokkuError reports dokku's failure and message.
   */
  run: (ctx: JobContext) => Promise<unknown>
}

export type JobEvent =
  | { type: 'output'; text: string }
  | { type: 'done'; status: RunStatus; exitCode: number | null; error: string | null }

const STATUS_BY_KIND: Partial<Record<DokkuError['kind'], RunStatus>> = {
  timeout: 'timeout', cancelled: 'cancelled', unavailable: 'error'
}

function outcomeOf (result: unknown): { status: RunStatus; exitCode: number | null; error: string | null } {
  if (typeof result === 'object' && result !== null && 'status' in result) {
    const r = result as { status: RunStatus; exitCode?: number | null; error?: string | null }
    return { status: r.status, exitCode: r.exitCode ?? null, error: r.error ?? null }
  }
  return { status: 'success', exitCode: 0, error: null }
}

export interface JobSnapshot {
  id: number
  app: string
  label: string
  command: string
  status: RunStatus
  exitCode: number | null
  error: string | null
  output: string
  startedAt: string
  finishedAt: string | null
}

/** A mutating job is already running on this app. */
export class AppBusyError extends Error {
  readonly statusCode = 409
  constructor (readonly app: string, readonly runningJob: { id: number; label: string }) {
    super(`${runningJob.label} is still running on ${app} (job #${runningJob.id}). Wait for it to finish.`)
    this.name = 'AppBusyError'
  }
}

const MAX_LIVE_OUTPUT = 512 * 1024
const KEEP_FINISHED = 200

class Job extends EventEmitter {
  status: RunStatus = 'running'
  exitCode: number | null = null
  error: string | null = null
  output = ''
  finishedAt: string | null = null
  readonly startedAt = new Date().toISOString()
  readonly abort = new AbortController()
  /** Settles when the job has finished, whatever the outcome. */
  readonly done: Promise<void>
  markDone!: () => void
  private partial = ''

  constructor (readonly id: number, readonly spec: JobSpec) {
    super()
    this.setMaxListeners(0)
    this.done = new Promise((resolve) => { this.markDone = resolve })
  }

  /** Redaction works on whole lines, so live text is held back until its newline arrives. */
  push (text: string): void {
    const lines = (this.partial + stripAnsi(text).replace(/\r\n?/g, '\n')).split('\n')
    this.partial = lines.pop()!
    if (lines.length > 0) this.emitText(lines.map((l) => l + '\n').join(''))
  }

  flush (): void {
    if (this.partial !== '') this.emitText(this.partial)
    this.partial = ''
  }

  private emitText (raw: string): void {
    const text = this.spec.redact ? this.spec.redact(raw) : raw
    if (this.output.length < MAX_LIVE_OUTPUT) this.output += text
    this.emit('event', { type: 'output', text } satisfies JobEvent)
  }

  snapshot (): JobSnapshot {
    return {
      id: this.id,
      app: this.spec.app,
      label: this.spec.label,
      command: this.spec.command ?? this.spec.label,
      status: this.status,
      exitCode: this.exitCode,
      error: this.error,
      output: this.output,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt
    }
  }
}

/**
 * Runs long dokku commands in the background: the request returns at once, the output streams
 * to whoever watches, and the job lives on if the tab closes. Each job is a history row.
 */
export class JobManager {
  private readonly jobs = new Map<number, Job>()
  private readonly runningByApp = new Map<string, Job>()
  private readonly onFinish: Array<(job: JobSnapshot) => void> = []
  private readonly onStart: Array<(job: JobSnapshot) => void> = []

  constructor (private readonly history: HistoryRepository) {}

  /** Starts a job, or throws AppBusyError when the app already has one running. */
  start (spec: JobSpec): JobSnapshot {
    const busy = this.runningByApp.get(spec.app)
    if (busy) throw new AppBusyError(spec.app, { id: busy.id, label: busy.spec.label })

    const id = this.history.start({ command: spec.command ?? spec.label, app: spec.app, kind: 'job', label: spec.label, status: 'running' })
    const job = new Job(id, spec)
    this.jobs.set(id, job)
    this.runningByApp.set(spec.app, job)
    this.forgetOldJobs()

    const snapshot = job.snapshot()
    for (const listener of this.onStart) listener(snapshot)
    void this.execute(job)
    return snapshot
  }

  private async execute (job: Job): Promise<void> {
    try {
      const outcome = outcomeOf(await job.spec.run({
        historyId: job.id,
        signal: job.abort.signal,
        onOutput: (_stream, text) => job.push(text)
      }))
      job.status = outcome.status
      job.exitCode = outcome.exitCode
      job.error = outcome.error
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
      const row = this.history.get(job.id)
      if (row && (row.status === 'running' || row.status === 'queued')) {
        this.history.finish(job.id, { status: 'error', exitCode: null, stdout: job.output, stderr: '', error: job.error, durationMs: 0 })
      }
    } finally {
      job.flush()
      job.finishedAt = new Date().toISOString()
      if (this.runningByApp.get(job.spec.app) === job) this.runningByApp.delete(job.spec.app)
      const snapshot = job.snapshot()
      for (const listener of this.onFinish) listener(snapshot)
      job.emit('event', { type: 'done', status: job.status, exitCode: job.exitCode, error: job.error } satisfies JobEvent)
      job.markDone()
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
    if (snapshot) snapshot.command = this.history.get(id)?.command ?? snapshot.command
    return snapshot
  }

  runningFor (app: string): JobSnapshot | undefined {
    return this.runningByApp.get(app)?.snapshot()
  }

  /** Live events of a job still in memory; returns an unsubscribe function. */
  subscribe (id: number, listener: (event: JobEvent) => void): (() => void) | undefined {
    const job = this.jobs.get(id)
    if (!job) return undefined
    job.on('event', listener)
    return () => job.off('event', listener)
  }

  cancel (id: number): boolean {
    const job = this.jobs.get(id)
    if (!job || job.finishedAt !== null) return false
    job.abort.abort()
    return true
  }

  /** Waits for every running job (tests); with cancel, stops them first (shutdown). */
  async drain (opts: { cancel?: boolean } = {}): Promise<void> {
    const running = [...this.runningByApp.values()]
    if (opts.cancel) for (const job of running) job.abort.abort()
    await Promise.all(running.map((job) => job.done))
  }

  private forgetOldJobs (): void {
    if (this.jobs.size <= KEEP_FINISHED) return
    for (const [id, job] of this.jobs) {
      if (this.jobs.size <= KEEP_FINISHED) break
      if (job.finishedAt !== null) this.jobs.delete(id)
    }
  }
}
