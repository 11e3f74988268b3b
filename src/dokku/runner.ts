import type { HistoryRepository, RunKind, RunOrigin, RunStatus } from '../db/history.js'
import { currentOrigin } from '../run-context.js'
import { execArgv, type ExecOptions, type ExecResult } from './exec.js'
import { Lane, LaneRefusedError, type LaneOptions } from './lane.js'
import type { Transport } from './transport.js'

/** The only programs Docklight may start. Health figures are read from /proc, not a program. */
export const ALLOWED_PROGRAMS = ['dokku'] as const
export type AllowedProgram = typeof ALLOWED_PROGRAMS[number]

export type LaneName = 'read' | 'job'

export interface RunRequest {
  /** The argv after the program name, already validated by the command that built it. */
  args: readonly string[]
  /** The argv as history shows it, with secrets replaced; defaults to `args`. */
  display?: readonly string[]
  /** Applied to stdout and stderr before they are stored (env values, DSN passwords). */
  redactOutput?: (text: string) => string
  app?: string | null
  /** How history records a run it makes (a row made earlier, by a job, keeps its own). */
  kind?: Exclude<RunKind, 'job'>
  /** Who asked; defaults to the run context's origin (the request, job or watchdog). */
  origin?: RunOrigin
  label?: string | null
  /** A history row made earlier (a queued job); otherwise one is made now. */
  historyId?: number
  /** `job` for long commands (deploys, rebuilds); reads and quick actions use the read lane. */
  lane?: LaneName
  timeoutMs?: number
  signal?: AbortSignal
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void
  /** Called when the run leaves its lane's queue and starts. */
  onStart?: () => void
  /** Log tails: long-lived, outside the lanes (their own cap is per page), output not stored. */
  stream?: boolean
}

export interface RunResult {
  id: number
  status: RunStatus
  exitCode: number | null
  /** Raw output for the parser; history holds the redacted copy. */
  stdout: string
  stderr: string
  error: string | null
  truncated: boolean
  durationMs: number
}

export interface RunnerOptions {
  /** For runs whose command sets no timeout of its own. */
  timeoutMs: number
  /** A ceiling on every run's timeout, whatever the command asks for (tests, impatient hosts). */
  maxTimeoutMs?: number
  maxOutputBytes: number
  lanes: Record<LaneName, LaneOptions>
  killGraceMs?: number
  /** The Dokku host's name, recorded on every row. */
  host?: string
  /** Told about every finished run (the host's health: does it answer?). */
  onReport?: (report: { status: RunStatus; exitCode: number | null; error: string | null; stderr: string }) => void
}

export const DEFAULT_RUNNER_OPTIONS: RunnerOptions = {
  timeoutMs: 60_000,
  maxOutputBytes: 1024 * 1024,
  lanes: {
    // Reads (and quick actions) are what pages wait on: several at once, never behind a job.
    read: { concurrency: 6, queueTimeoutMs: 30_000, maxQueued: 200 },
    // Deploys and rebuilds are heavy on the host: two at once, the rest wait their turn.
    job: { concurrency: 2, queueTimeoutMs: 15 * 60_000, maxQueued: 100 }
  }
}

export class ProgramNotAllowedError extends Error {
  constructor (program: string) {
    super(`program not allowed: ${program}`)
    this.name = 'ProgramNotAllowedError'
  }
}

/** Shell-like rendering of an argv, for people reading history (never executed). */
export function displayArgv (argv: readonly string[]): string {
  return argv.map((a) => /^[A-Za-z0-9_.:=,/@%+<>-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`).join(' ')
}

function statusOf (result: ExecResult): RunStatus {
  switch (result.end) {
    case 'timeout': return 'timeout'
    case 'cancelled': return 'cancelled'
    case 'spawn-error': return 'error'
    default: return result.exitCode === 0 ? 'success' : 'failed'
  }
}

function refusedResult (error: LaneRefusedError): ExecResult {
  return {
    end: error.reason === 'cancelled' ? 'cancelled' : error.reason === 'queue-timeout' ? 'timeout' : 'spawn-error',
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    truncated: false,
    durationMs: 0,
    error: error.message
  }
}

/**
 * Runs allowlisted programs through the transport, one history row per run, written whatever
 * the outcome. Two lanes cap how many run at once, so a busy dashboard cannot fork-bomb the host
 * and ten rebuilds cannot starve a page's reads. A successful read keeps no output in history.
 */
export class Runner {
  readonly lanes: Record<LaneName, Lane>
  /** Every run in progress (bounded by the lanes, plus the log tails' own cap), for close(). */
  private readonly inProgress = new Map<AbortController, Promise<unknown>>()
  private closed = false

  constructor (
    private readonly transport: Transport,
    private readonly history: HistoryRepository,
    private readonly options: RunnerOptions = DEFAULT_RUNNER_OPTIONS
  ) {
    this.lanes = { read: new Lane('read', options.lanes.read), job: new Lane('job', options.lanes.job) }
  }

  get transportDescription (): string { return this.transport.description }

  /** dokku runs on another machine (SSH). */
  get remote (): boolean { return this.transport.remote === true }

  async run (program: AllowedProgram, req: RunRequest): Promise<RunResult> {
    if (!(ALLOWED_PROGRAMS as readonly string[]).includes(program)) throw new ProgramNotAllowedError(program)
    const command = displayArgv([program, ...(req.display ?? req.args)])
    const kind: RunKind = req.historyId !== undefined ? 'job' : req.kind ?? 'action'
    const lane = this.lanes[req.lane ?? (kind === 'job' ? 'job' : 'read')]
    // A free slot is taken at once, so the common case writes no "queued" state at all.
    let release = req.stream ? null : lane.tryAcquire()
    const queued = !req.stream && release === null
    const id = req.historyId ?? this.history.start({
      command,
      app: req.app ?? null,
      host: this.options.host,
      kind,
      origin: req.origin ?? currentOrigin(),
      label: req.label ?? null,
      status: queued ? 'queued' : 'running'
    })

    const timeoutMs = Math.min(req.timeoutMs ?? this.options.timeoutMs, this.options.maxTimeoutMs ?? Infinity)
    // Our own handle on the run, so that close() can stop it whoever started it.
    const stop = new AbortController()
    const onAbort = () => stop.abort()
    if (req.signal?.aborted || this.closed) stop.abort()
    else req.signal?.addEventListener('abort', onAbort, { once: true })
    const running = (async (): Promise<ExecResult> => {
      try {
        if (queued) release = await lane.acquire(stop.signal)
        if (req.historyId !== undefined) this.history.markRunning(id, command)
        else if (queued) this.history.setStatus(id, 'running')
        req.onStart?.()
        return await this.exec({ ...req, signal: stop.signal }, timeoutMs)
      } catch (error) {
        if (!(error instanceof LaneRefusedError)) throw error
        return refusedResult(error)
      } finally {
        release?.()
        req.signal?.removeEventListener('abort', onAbort)
      }
    })()
    this.inProgress.set(stop, running)
    let result: ExecResult
    try {
      result = await running
    } finally {
      this.inProgress.delete(stop)
    }

    const status = statusOf(result)
    const error = result.error ??
      (status === 'timeout' ? `timed out after ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}` : null) ??
      (status === 'cancelled' ? 'cancelled' : null)
    const redact = req.redactOutput ?? ((s: string) => s)
    // Reads are the bulk of all runs: a successful one is worth its status, not its output.
    const keepOutput = !req.stream && !(kind === 'read' && status === 'success')
    this.history.finish(id, {
      status,
      exitCode: result.exitCode,
      stdout: keepOutput ? redact(result.stdout) : '',
      stderr: keepOutput ? redact(result.stderr) : '',
      error,
      durationMs: result.durationMs
    })
    this.options.onReport?.({ status, exitCode: result.exitCode, error, stderr: result.stderr })
    return {
      id,
      status,
      exitCode: result.exitCode,
      stdout: result.stdout,
      stderr: result.stderr,
      error,
      truncated: result.truncated,
      durationMs: result.durationMs
    }
  }

  /**
   * Shutdown: stops every run still going (each process group is killed) and waits until their
   * rows are written. Runs asked for afterwards end at once as cancelled.
   */
  async close (): Promise<void> {
    this.closed = true
    const running = [...this.inProgress]
    for (const [stop] of running) stop.abort()
    await Promise.allSettled(running.map(([, p]) => p))
  }

  private exec (req: RunRequest, timeoutMs: number): Promise<ExecResult> {
    const options: ExecOptions = {
      timeoutMs,
      maxOutputBytes: this.options.maxOutputBytes,
      killGraceMs: this.options.killGraceMs,
      signal: req.signal,
      onOutput: req.onOutput,
      // A log tail's output goes to its listener only: nothing accumulates for hours.
      keepOutput: !req.stream
    }
    if (this.transport.exec) return this.transport.exec(req.args, options, { stream: req.stream === true })
    const prepared = this.transport.prepare(req.args, { stream: req.stream === true })
    return execArgv(prepared.file, prepared.args, { ...options, env: prepared.env })
  }
}
