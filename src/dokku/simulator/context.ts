/**
 * Per-invocation context: output helpers with dokku's prefixes and streams, `--quiet`
 * handling, failures with exit codes, version checks, clock and state access.
 */
import { randomBytes } from 'node:crypto'
import { parsePflags, PflagFailure, type FlagSpec, type ParsedFlags } from './pflag.js'
import type { AppState, LockState, SimState, StateStore } from './state.js'
import { atLeast, type Version } from './version.js'

export interface SimIO {
  stdout (s: string): void
  stderr (s: string): void
  sleep (ms: number): Promise<void>
  /** One line from stdin without its newline; `null` at EOF. Missing means stdin is empty. */
  readLine? (): Promise<string | null>
  /** Aborting stops endless commands (`logs -t`). */
  signal?: AbortSignal
  /** This invocation's process id (deploy locks record it); defaults to the real one. */
  pid?: number
  /** Whether a process still runs (a deploy lock's owner); defaults to kill(pid, 0). */
  processAlive? (pid: number): boolean
  /** Signals a process group, as `builds:cancel` does; defaults to kill(-pid, signal). */
  signalGroup? (pid: number, signal: NodeJS.Signals): void
}

function realProcessAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export type SimEnv = Record<string, string | undefined>

/** Thrown to end a command with an exit code (like `exit N`). */
export class SimExit extends Error {
  constructor (readonly code: number) {
    super(`exit ${code}`)
    this.name = 'SimExit'
  }
}

export interface GlobalFlags {
  quiet: boolean
  force: boolean
  trace: boolean
  noRestart: boolean
  app: string | null
}

export class Ctx {
  /** Since v0.38.0 ps:rebuild/ps:restart send stderr into stdout (build capture). */
  mergeStderr = false
  /** The build capture's log (0.38+): every byte printed while a build record is live. */
  capture: ((text: string) => void) | null = null
  private readonly fixedNow: number | null

  constructor (
    readonly io: SimIO,
    readonly env: SimEnv,
    readonly store: StateStore,
    readonly version: Version,
    readonly globals: GlobalFlags,
    readonly stepMs: number
  ) {
    const n = Number(env.DOKKU_SIM_NOW)
    this.fixedNow = env.DOKKU_SIM_NOW !== undefined && env.DOKKU_SIM_NOW !== '' && Number.isFinite(n) ? n : null
  }

  get quiet (): boolean { return this.globals.quiet }

  /** True when `DOKKU_SIM_NOW` pins the clock (tests): every command then sees the same time. */
  get clockFixed (): boolean { return this.fixedNow !== null }

  /** UNIX seconds (integer). */
  now (): number {
    return Math.floor(this.nowMs() / 1000)
  }

  nowMs (): number {
    return this.fixedNow !== null ? this.fixedNow * 1000 : Date.now()
  }

  atLeast (v: string): boolean {
    return atLeast(this.version, v)
  }

  out (s: string): void {
    this.io.stdout(s)
    this.capture?.(s)
  }
  err (s: string): void {
    if (this.mergeStderr) this.io.stdout(s)
    else this.io.stderr(s)
    this.capture?.(s)
  }
  line (s = ''): void { this.out(s + '\n') }

  info1 (m: string): void { this.line('-----> ' + m) }
  info1Quiet (m: string): void { if (!this.quiet) this.info1(m) }
  info2 (m: string): void { this.line('=====> ' + m) }
  info2Quiet (m: string): void { if (!this.quiet) this.info2(m) }
  verbose (m: string): void { this.line('       ' + m) }
  verboseQuiet (m: string): void { if (!this.quiet) this.verbose(m) }
  warn (m: string): void { this.err(' !     ' + m + '\n') }

  /** `dokku_log_fail`: the message on stderr, then exit (1 by default). */
  fail (m: string, code = 1): never {
    this.warn(m)
    throw new SimExit(code)
  }

  exit (code: number): never {
    throw new SimExit(code)
  }

  /** `App X does not exist`: exit 20 since v0.24.0, 1 before. */
  appMissing (app: string): never {
    return this.fail(`App ${app} does not exist`, this.atLeast('0.24.0') ? 20 : 1)
  }

  /** Checks the app argument: missing → exit 1, unknown → exit 20. */
  requireApp (state: SimState, app: string | undefined): AppState {
    if (app === undefined || app === '') return this.fail('Please specify an app to run the command on')
    const a = state.apps[app]
    if (!a) return this.appMissing(app)
    return a
  }

  /** Go subcommand flag parsing; prints pflag's usage/error and exits 2 (or 0 for --help). */
  pflags (setName: string, specs: readonly FlagSpec[], args: readonly string[]): ParsedFlags {
    try {
      return parsePflags(setName, specs, args)
    } catch (err) {
      if (err instanceof PflagFailure) {
        this.err(err.stderr)
        throw new SimExit(err.exitCode)
      }
      throw err
    }
  }

  /** Waits one progress step (`DOKKU_SIM_STEP_MS`). */
  async step (factor = 1): Promise<void> {
    await this.io.sleep(Math.round(this.stepMs * factor))
  }

  /** Writes lines one by one with a step between them; `!`-prefixed entries go to stderr as warnings. */
  async stream (lines: readonly StreamLine[]): Promise<void> {
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!
      if (typeof l === 'string') this.line(l)
      else this.err(l.err + '\n')
      if (i < lines.length - 1) await this.step()
    }
  }

  /** This invocation's process id. */
  get pid (): number { return this.io.pid ?? process.pid }

  processAlive (pid: number): boolean {
    return (this.io.processAlive ?? realProcessAlive)(pid)
  }

  /** Sends `signal` to the process group led by `pid`; throws like kill(2) when it cannot. */
  signalGroup (pid: number, signal: NodeJS.Signals): void {
    if (this.io.signalGroup) this.io.signalGroup(pid, signal)
    else process.kill(-pid, signal)
  }

  /** True when a lock still holds: manual locks always, deploy locks while their process lives. */
  lockIsLive (lock: LockState | null): boolean {
    return lockIsLive(lock, this.now(), (pid) => this.processAlive(pid))
  }

  /** A deploy-lock record owned by this process. */
  newDeployLock (): LockState {
    return { kind: 'deploy', pid: this.pid, token: randomBytes(8).toString('hex'), at: this.now() }
  }
}

export type StreamLine = string | { err: string }

/** True when a lock still holds: manual locks always, deploy locks while their process lives. */
export function lockIsLive (lock: LockState | null, now: number, alive: (pid: number) => boolean = realProcessAlive): boolean {
  if (!lock) return false
  if (lock.kind === 'manual') return true
  // A deploy lock older than 15 minutes is stale even if its pid was reused meanwhile.
  if (now - lock.at > 900) return false
  return alive(lock.pid)
}
