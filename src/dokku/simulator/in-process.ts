/**
 * The simulator as a transport that runs each dokku call in this process instead of spawning
 * `cli.js`: what the route tests use, where a child per call cost nearly all their time.
 *
 * Each call still behaves as the process `execArgv` would spawn: the same ExecOptions, the same
 * ExecResult (timeout, cancel, output cap, live output, exit code or killing signal), and its
 * own process id. Killing a call (a timeout, a cancel, a `builds:cancel` signal) ends it as a
 * signal ends a process: it halts at its next wait and no code of it runs after that, so a
 * deploy it was running never lands and the deploy lock it held is left behind, stale.
 */
import { CappedText, type ExecEnd, type ExecOptions, type ExecResult } from '../exec.js'
import { LocalTransport, simulatorCli, type Transport } from '../transport.js'
import type { SimEnv, SimIO } from './context.js'
import { simulate } from './simulate.js'

/**
 * Fake process ids start above Linux's largest pid_max (2^22), so none is ever a real
 * process's, and a lock record holding one reads as fake.
 */
export const FIRST_FAKE_PID = 10_000_000
const LAST_FAKE_PID = 2 ** 31 - 1

/** Signals whose default action is to ignore them; every other one ends the call. */
const IGNORED_SIGNALS: ReadonlySet<string> = new Set(['SIGCHLD', 'SIGCONT', 'SIGURG', 'SIGWINCH'])

/**
 * The process table of in-process calls: pid → how to signal it. Bound: only calls still
 * running are in it (each leaves when it ends), and the runner's lanes cap those.
 */
const live = new Map<number, (signal: NodeJS.Signals) => void>()
let lastPid = FIRST_FAKE_PID - 1

function nextPid (): number {
  do lastPid = lastPid >= LAST_FAKE_PID ? FIRST_FAKE_PID : lastPid + 1
  while (live.has(lastPid))
  return lastPid
}

function noSuchProcess (): NodeJS.ErrnoException {
  return Object.assign(new Error('kill ESRCH'), { code: 'ESRCH', errno: -3, syscall: 'kill' })
}

/** Whether an in-process call with this pid still runs (what kill(pid, 0) tells of a process). */
export function inProcessAlive (pid: number): boolean {
  return live.has(pid)
}

/**
 * Signals the in-process call whose group `pid` leads (each call leads its own, as `execArgv`
 * starts each child in its own session). Throws like kill(2) when there is no such call.
 */
export function signalInProcessGroup (pid: number, signal: NodeJS.Signals): void {
  const kill = live.get(pid)
  if (!kill) throw noSuchProcess()
  if (!IGNORED_SIGNALS.has(signal)) kill(signal)
}

const halted = (): Promise<never> => new Promise<never>(() => {})

/** A program run in this process: what `main` of a process would be, given its io; resolves to its exit code. */
export type InProcessProgram = (io: SimIO) => Promise<number>

/**
 * Runs one simulator call in this process, honouring every ExecOptions field as `execArgv`
 * does; `opts.env` is the simulator's whole environment (DOKKU_SIM_*). Never rejects.
 */
export function execInProcess (args: readonly string[], opts: ExecOptions): Promise<ExecResult> {
  return runInProcess((io) => simulate(args, opts.env ?? {}, io), opts)
}

/**
 * Runs `program` as if it were a spawned child: its own fake pid, its output streamed and
 * capped, ended by a timeout, a cancel or a signal (`signalInProcessGroup`). Never rejects.
 */
export function runInProcess (program: InProcessProgram, opts: ExecOptions): Promise<ExecResult> {
  const started = performance.now()
  const keep = opts.keepOutput !== false
  const out = new CappedText(opts.maxOutputBytes, keep)
  const err = new CappedText(opts.maxOutputBytes, keep)

  return new Promise((resolve) => {
    const pid = nextPid()
    /** io.signal: aborted once the call is killed (commands that poll it stop too). */
    const killed = new AbortController()
    let killedFor: 'timeout' | 'cancelled' | null = null
    let deathSignal: NodeJS.Signals | null = null
    let settled = false
    /** Ends the pending sleeps early (their timers), when the call is killed mid-wait. */
    const waits = new Set<() => void>()
    let graceTimer: NodeJS.Timeout | undefined

    const finish = (end: ExecEnd, exitCode: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return
      settled = true
      live.delete(pid)
      clearTimeout(timer)
      clearTimeout(graceTimer)
      opts.signal?.removeEventListener('abort', onAbort)
      out.end()
      err.end()
      resolve({
        end,
        exitCode,
        signal,
        stdout: out.text,
        stderr: err.text,
        truncated: out.truncated || err.truncated,
        durationMs: performance.now() - started
      })
    }
    // A killed call reports like a process a signal ended: no exit code, the signal.
    const finishKilled = () => finish(killedFor ?? 'exited', null, deathSignal)

    const kill = (signal: NodeJS.Signals, why: 'timeout' | 'cancelled' | null) => {
      if (settled || deathSignal !== null) return
      killedFor = why
      deathSignal = signal
      killed.abort()
      if (waits.size > 0) {
        // It is waiting (a progress step, a follow interval): it ends here and now.
        for (const stop of waits) stop()
        waits.clear()
        finishKilled()
        return
      }
      // It is between waits (reading the state file): it ends at its next wait or when it
      // returns; after the grace it is reported dead anyway, as execArgv's SIGKILL would.
      graceTimer = setTimeout(() => {
        deathSignal = 'SIGKILL'
        finishKilled()
      }, opts.killGraceMs ?? 2000)
    }

    const timer = setTimeout(() => kill('SIGTERM', 'timeout'), opts.timeoutMs)
    const onAbort = () => kill('SIGTERM', 'cancelled')

    const write = (text: CappedText, stream: 'stdout' | 'stderr', s: string) => {
      // A killed process prints nothing more.
      if (settled || deathSignal !== null) return
      const decoded = text.push(Buffer.from(s, 'utf8'))
      if (decoded === '' || !opts.onOutput) return
      try {
        opts.onOutput(stream, decoded)
      } catch (e) {
        // Not the simulator's failure: thrown where execArgv's stream listener would throw it.
        queueMicrotask(() => { throw e })
      }
    }

    const io: SimIO = {
      stdout: (s) => write(out, 'stdout', s),
      stderr: (s) => write(err, 'stderr', s),
      sleep: (ms) => {
        if (deathSignal !== null) {
          finishKilled()
          return halted()
        }
        return new Promise<void>((resolveSleep) => {
          const stop = () => clearTimeout(sleeping)
          const sleeping = setTimeout(() => {
            waits.delete(stop)
            resolveSleep()
          }, ms)
          waits.add(stop)
        })
      },
      // The runner's children read /dev/null.
      readLine: () => {
        if (deathSignal !== null) {
          finishKilled()
          return halted()
        }
        return Promise.resolve(null)
      },
      signal: killed.signal,
      pid,
      processAlive: inProcessAlive,
      signalGroup: signalInProcessGroup
    }

    if (opts.signal?.aborted) {
      // Cancelled before it could start (execArgv kills such a child at once).
      queueMicrotask(() => {
        deathSignal = 'SIGTERM'
        killedFor = 'cancelled'
        finishKilled()
      })
      return
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    live.set(pid, (signal) => kill(signal, null))

    // As a promise whatever happens: a program that throws at once fails like one that rejects.
    new Promise<number>((resolveMain) => resolveMain(program(io))).then(
      // A process's exit status is its code's low byte.
      (code) => deathSignal !== null ? finishKilled() : finish('exited', code & 0xff, null),
      (e: unknown) => {
        // What node prints for an uncaught error before it exits 1.
        io.stderr(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`)
        if (deathSignal !== null) finishKilled()
        else finish('exited', 1, null)
      }
    )
  })
}

/**
 * The simulator, in this process: `exec` runs each call here; `prepare` still gives the CLI
 * (same environment, same state file) for anything that must spawn it.
 */
export class InProcessSimulatorTransport implements Transport {
  readonly description = 'in-process dokku simulator'
  constructor (private readonly env: SimEnv = {}) {}

  prepare (args: readonly string[]) {
    return new LocalTransport(simulatorCli(), this.env).prepare(args)
  }

  exec (args: readonly string[], options: ExecOptions): Promise<ExecResult> {
    return execInProcess(args, { ...options, env: options.env ?? this.env })
  }
}
