import type { HistoryRepository, RunStatus } from '../db/history.js'
import { execArgv, type ExecResult } from './exec.js'
import type { Transport } from './transport.js'

/** The only programs Docklight may start. Health figures are read from /proc, not a program. */
export const ALLOWED_PROGRAMS = ['dokku'] as const
export type AllowedProgram = typeof ALLOWED_PROGRAMS[number]

export interface RunRequest {
  /** The argv after the program name, already validated by the command that built it. */
  args: readonly string[]
  /** The argv as history shows it, with secrets replaced; defaults to `args`. */
  display?: readonly string[]
  /** Applied to stdout and stderr before they are stored (env values, DSN passwords). */
  redactOutput?: (text: string) => string
  app?: string | null
  kind?: 'command' | 'job'
  label?: string | null
  /** A history row made earlier (a queued job); otherwise one is made now. */
  historyId?: number
  timeoutMs?: number
  signal?: AbortSignal
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void
  /** Log tails: long-lived, not held to the concurrency cap, output not stored. */
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
  concurrency: number
  killGraceMs?: number
}

export const DEFAULT_RUNNER_OPTIONS: RunnerOptions = {
  timeoutMs: 60_000,
  maxOutputBytes: 1024 * 1024,
  concurrency: 8
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

/**
 * Runs allowlisted programs through the transport, one history row per run, written whatever
 * the outcome. Caps how many run at once so a busy dashboard cannot fork-bomb the host.
 */
export class Runner {
  private active = 0
  private readonly waiting: Array<() => void> = []

  constructor (
    private readonly transport: Transport,
    private readonly history: HistoryRepository,
    private readonly options: RunnerOptions = DEFAULT_RUNNER_OPTIONS
  ) {}

  get transportDescription (): string { return this.transport.description }

  async run (program: AllowedProgram, req: RunRequest): Promise<RunResult> {
    if (!(ALLOWED_PROGRAMS as readonly string[]).includes(program)) throw new ProgramNotAllowedError(program)
    const command = displayArgv([program, ...(req.display ?? req.args)])
    const id = req.historyId ?? this.history.start({
      command, app: req.app ?? null, kind: req.kind ?? 'command', label: req.label ?? null, status: req.stream ? 'running' : 'queued'
    })

    const timeoutMs = Math.min(req.timeoutMs ?? this.options.timeoutMs, this.options.maxTimeoutMs ?? Infinity)
    if (!req.stream) await this.acquire()
    let result: ExecResult
    try {
      if (req.historyId !== undefined) this.history.markRunning(id, command)
      else this.history.setStatus(id, 'running')
      const prepared = this.transport.prepare(req.args)
      result = await execArgv(prepared.file, prepared.args, {
        timeoutMs,
        maxOutputBytes: this.options.maxOutputBytes,
        killGraceMs: this.options.killGraceMs,
        signal: req.signal,
        env: prepared.env,
        onOutput: req.onOutput
      })
    } finally {
      if (!req.stream) this.release()
    }

    const status = statusOf(result)
    const error = result.error ??
      (status === 'timeout' ? `timed out after ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}` : null) ??
      (status === 'cancelled' ? 'cancelled' : null)
    const redact = req.redactOutput ?? ((s: string) => s)
    this.history.finish(id, {
      status,
      exitCode: result.exitCode,
      stdout: req.stream ? '' : redact(result.stdout),
      stderr: req.stream ? '' : redact(result.stderr),
      error,
      durationMs: result.durationMs
    })
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

  private acquire (): Promise<void> {
    if (this.active < this.options.concurrency) {
      this.active++
      return Promise.resolve()
    }
    return new Promise((resolve) => this.waiting.push(() => { this.active++; resolve() }))
  }

  private release (): void {
    this.active--
    this.waiting.shift()?.()
  }
}
