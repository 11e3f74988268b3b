import { spawn } from 'node:child_process'
import { StringDecoder } from 'node:string_decoder'

export interface ExecOptions {
  /** Kill the whole process group after this many ms. */
  timeoutMs: number
  /** Keep at most this many bytes of each stream; the rest is dropped and flagged. */
  maxOutputBytes: number
  /** Aborting kills the process group (a cancelled job, a closed log tail). */
  signal?: AbortSignal
  env?: NodeJS.ProcessEnv
  /** Live output, for jobs and log tails; called with decoded text as it arrives. */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void
  /** Grace period between SIGTERM and SIGKILL. */
  killGraceMs?: number
  /**
   * false: output goes to `onOutput`, and only its last few KiB are kept, for dokku's error
   * message (log tails that run for hours).
   */
  keepOutput?: boolean
}

export type ExecEnd = 'exited' | 'timeout' | 'cancelled' | 'spawn-error'

export interface ExecResult {
  end: ExecEnd
  exitCode: number | null
  /** The signal that ended the process, when one did. */
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  truncated: boolean
  durationMs: number
  /** For spawn errors: what went wrong, in words (e.g. the program is missing). */
  error?: string
}

const TRUNCATION_NOTE = (limit: number) => `\n[output truncated at ${limit} bytes]\n`

/** Bound: how much of a stream's end a long-lived run keeps (for the error message). */
export const STREAM_TAIL_CHARS = 16 * 1024

/**
 * Bound: the first `limit` bytes of a stream are kept, the rest is only streamed; or, with
 * `keep` false, just its last STREAM_TAIL_CHARS characters.
 */
export class CappedText {
  private readonly decoder = new StringDecoder('utf8')
  private bytes = 0
  text = ''
  truncated = false
  constructor (private readonly limit: number, private readonly keep = true) {}

  /** Adds a chunk and returns its decoded text (for live streaming, even past the cap). */
  push (chunk: Buffer): string {
    const decoded = this.decoder.write(chunk)
    if (!this.keep) {
      this.text += decoded
      if (this.text.length > 2 * STREAM_TAIL_CHARS) this.text = this.text.slice(-STREAM_TAIL_CHARS)
      return decoded
    }
    if (this.truncated) return decoded
    if (this.bytes + chunk.length > this.limit) {
      const room = this.limit - this.bytes
      this.text += new StringDecoder('utf8').write(chunk.subarray(0, room)) + TRUNCATION_NOTE(this.limit)
      this.bytes = this.limit
      this.truncated = true
      return decoded
    }
    this.bytes += chunk.length
    this.text += decoded
    return decoded
  }

  end (): string {
    const rest = this.decoder.end()
    if (!this.truncated) this.text += rest
    return rest
  }
}

/**
 * Runs one program with an argv array and no shell, in its own process group so that a
 * timeout or a cancel ends everything it started (dokku forks docker, git, ssh, …).
 * Never rejects: every way a run can end is described in the result.
 */
export function execArgv (file: string, args: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  const started = performance.now()
  return new Promise((resolve) => {
    const keep = opts.keepOutput !== false
    const out = new CappedText(opts.maxOutputBytes, keep)
    const err = new CappedText(opts.maxOutputBytes, keep)
    let killedFor: 'timeout' | 'cancelled' | null = null
    let settled = false
    let killTimer: NodeJS.Timeout | undefined

    const child = spawn(file, args, {
      shell: false,
      // Its own session and process group (setsid): a timeout or cancel can end everything it
      // started, and dokku's `builds:cancel`, which SIGQUITs a deploy's whole group, never
      // reaches Docklight.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // The transport builds the environment from an allowlist; nothing of ours by default.
      env: opts.env ?? {}
    })

    const killGroup = (why: 'timeout' | 'cancelled') => {
      if (killedFor !== null || settled || child.pid === undefined) return
      killedFor = why
      const signalGroup = (sig: NodeJS.Signals) => {
        try { process.kill(-child.pid!, sig) } catch { /* already gone */ }
      }
      signalGroup('SIGTERM')
      killTimer = setTimeout(() => signalGroup('SIGKILL'), opts.killGraceMs ?? 2000)
      killTimer.unref()
    }

    const timer = setTimeout(() => killGroup('timeout'), opts.timeoutMs)
    const onAbort = () => killGroup('cancelled')
    if (opts.signal?.aborted) queueMicrotask(onAbort)
    else opts.signal?.addEventListener('abort', onAbort, { once: true })

    child.stdout.on('data', (chunk: Buffer) => {
      const text = out.push(chunk)
      if (text !== '') opts.onOutput?.('stdout', text)
    })
    child.stderr.on('data', (chunk: Buffer) => {
      const text = err.push(chunk)
      if (text !== '') opts.onOutput?.('stderr', text)
    })

    const finish = (result: Omit<ExecResult, 'stdout' | 'stderr' | 'truncated' | 'durationMs'>) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      opts.signal?.removeEventListener('abort', onAbort)
      out.end()
      err.end()
      resolve({
        ...result,
        stdout: out.text,
        stderr: err.text,
        truncated: out.truncated || err.truncated,
        durationMs: performance.now() - started
      })
    }

    child.on('error', (e: NodeJS.ErrnoException) => {
      const error = e.code === 'ENOENT'
        ? `program not found: ${file}`
        : e.code === 'EACCES' ? `program not executable: ${file}` : `could not start ${file}: ${e.message}`
      finish({ end: 'spawn-error', exitCode: null, signal: null, error })
    })
    // 'close' waits for the pipes: every byte is read before we report.
    child.on('close', (code, signal) => {
      if (killedFor !== null) {
        // The leader is gone; make sure nothing it left in the group outlives it.
        try { process.kill(-child.pid!, 'SIGKILL') } catch { /* group already empty */ }
        if (killTimer) clearTimeout(killTimer)
      }
      finish({ end: killedFor ?? 'exited', exitCode: code, signal })
    })
  })
}
