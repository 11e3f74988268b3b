import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { execArgv, type ExecOptions, type ExecResult } from './exec.js'
import { probeMaster, retireMaster, socketInode } from './ssh-master.js'

export interface PrepareOptions {
  /** A long-lived stream (a log tail), which must end on the Dokku side when we stop reading. */
  stream?: boolean
}

/** How a dokku argv becomes a process: the local binary, ssh to the host, or the simulator. */
export interface Transport {
  /** For the UI and logs, e.g. "local dokku" or "ssh dokku@host:22". */
  readonly description: string
  /** dokku runs on another machine: ending our process does not end it there. */
  readonly remote?: boolean
  prepare (args: readonly string[], options?: PrepareOptions): { file: string; args: string[]; env?: NodeJS.ProcessEnv }
  /**
   * Runs the argv itself instead of having it spawned (the in-process simulator of the tests);
   * it honours every ExecOptions field as `execArgv` does. SSH uses it to pick, per call, the
   * master connection or a connection of its own.
   */
  exec? (args: readonly string[], options: ExecOptions, prepare?: PrepareOptions): Promise<ExecResult>
  /** Releases what the transport keeps open (an SSH master connection). */
  close? (): Promise<void>
}

/**
 * The variables a dokku child may see, whatever Docklight's own environment holds: no
 * `DOCKLIGHT_*` secret (password, session secret) ever reaches dokku or ssh.
 */
export const CHILD_ENV_ALLOWLIST = ['PATH', 'HOME', 'LANG', 'LANGUAGE', 'LC_ALL', 'LC_CTYPE', 'LC_MESSAGES', 'TZ', 'USER', 'LOGNAME', 'SSH_AUTH_SOCK'] as const

/** The allowlisted variables of `env`, plus `extra` (what the transport itself needs). */
export function childEnv (extra: NodeJS.ProcessEnv = {}, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {}
  for (const name of CHILD_ENV_ALLOWLIST) if (env[name] !== undefined) out[name] = env[name]
  for (const [name, value] of Object.entries(extra)) {
    if (name.startsWith('DOCKLIGHT_')) throw new Error(`${name} must never reach a dokku child`)
    if (value !== undefined) out[name] = value
  }
  return out
}

export class LocalTransport implements Transport {
  readonly description: string
  constructor (private readonly bin: string, private readonly extraEnv: NodeJS.ProcessEnv = {}) {
    this.description = `local ${bin}`
  }

  prepare (args: readonly string[]) {
    return { file: this.bin, args: [...args], env: childEnv(this.extraEnv) }
  }
}

/**
 * Words that dokku's SSH re-split (`xargs -n 1`, which runs /bin/echo once per word) hands to
 * echo as options, not text: `-n`, `-e`, `-E` and their clusters come out as nothing or an
 * empty line, `--help` and `--version` as echo's own text. Quoting cannot save them (xargs
 * removes the quotes before echo runs), so commands use long flags and the transport refuses these.
 */
export const ECHO_EATS = /^(?:-[neE]+|--help|--version)$/

/**
 * Quotes one argument for dokku's remote re-splitting: over SSH dokku re-reads
 * `$SSH_ORIGINAL_COMMAND` with xargs quote rules, where single quotes keep everything but a
 * newline. Our arguments never hold a newline (config values travel base64-encoded).
 */
export function quoteForDokkuSsh (arg: string): string {
  if (arg.includes('\n')) throw new Error('an argument sent over SSH cannot contain a newline')
  if (ECHO_EATS.test(arg)) throw new Error(`"${arg}" cannot be sent over SSH: dokku's re-split would drop it (use the long flag)`)
  if (/^[A-Za-z0-9_.:=,/@%+-]+$/.test(arg)) return arg
  return `'${arg.replace(/'/g, `'"'"'`)}'`
}

export interface SshMultiplexing {
  /**
   * Where the control socket lives (mode 0700, in the data dir): one master connection per host
   * is shared by every call, so a call does not pay a new handshake.
   */
  controlDir: string
  /** How long the master stays up after its last client (seconds). */
  persistSeconds?: number
  /** Calls through the master at once (default MAX_MASTER_SESSIONS); the rest connect on their own. */
  maxSessions?: number
}

/**
 * The longest control path ssh can use: a socket address holds 107 bytes, and ssh binds
 * `<path>.<16 random characters>` first, then links it into place. A longer path makes the
 * first call fail outright (exit 255), so such a transport goes without a master instead.
 */
export const MAX_CONTROL_PATH = 107 - 17

/**
 * Sessions one master carries at once; further calls connect on their own. sshd refuses a
 * connection's eleventh session by default (MaxSessions 10); a refused session still works
 * (ssh then connects directly) but costs a round trip and a complaint on stderr.
 */
export const MAX_MASTER_SESSIONS = 8

/** How long a master may take to greet a client before it counts as hung (it answers in a millisecond). */
export const MASTER_GREETING_MS = 3000

/** How often a call that waits for a new master looks whether it is up. */
const MASTER_POLL_MS = 25

/** What ssh says about its master on stderr, which is not dokku's output (a refused session, a lost race to become the master). */
const MUX_NOTICE = /^(?:mux_client_[a-z_]+: .*|muxclient: .*|ControlSocket .* already exists, disabling multiplexing|Control socket connect\(.*\): .*)\r?\n/gm

/**
 * The control socket of one transport: the target and every ssh option go into its name. Not
 * ssh's `%C`, which leaves out the key: two transports to one server with different keys (and
 * forced commands) would share one master, and the second would run as the first. A name of
 * our own also tells us the path without asking ssh, and is shorter (16 characters, not 40).
 */
export function controlPathFor (controlDir: string, target: { user: string; host: string; port: number }, sshOptions: readonly string[]): string | null {
  const id = createHash('sha256').update(JSON.stringify([target.user, target.host, target.port, sshOptions])).digest('hex').slice(0, 16)
  const path = join(controlDir, id)
  return Buffer.byteLength(path) <= MAX_CONTROL_PATH ? path : null
}

/** `master`: through the master (or becoming it); `direct`: a connection of its own; `off`: no multiplexing configured. */
type Route = 'master' | 'direct' | 'off'

export class SshTransport implements Transport {
  readonly description: string
  readonly remote = true
  /** The master connection's socket; null without multiplexing (or when the path is too long). */
  readonly controlPath: string | null
  /** Calls running through the master now (bounded by MAX_MASTER_SESSIONS). */
  private sessions = 0
  /** Ends when the call that is becoming the master ends; the others wait for its master. */
  private starting: Promise<void> | null = null

  /** `sshOptions` go before the host (tests point ssh at their own key and known_hosts). */
  constructor (
    private readonly target: { user: string; host: string; port: number },
    private readonly sshOptions: readonly string[] = [],
    private readonly multiplexing: SshMultiplexing | null = null
  ) {
    this.description = `ssh ${target.user}@${target.host}:${target.port}`
    this.controlPath = multiplexing ? controlPathFor(multiplexing.controlDir, target, sshOptions) : null
  }

  /**
   * ControlMaster=auto: a call uses the host's master connection, or becomes it when there is
   * none. ControlPersist keeps the master in the background, in a session of its own (so a
   * call's process group, killed on a timeout or cancel, never takes the master with it).
   * ServerAlive: a master whose server stops answering ends within 15 s, and the next call
   * starts a new one, rather than every call waiting on a dead connection.
   */
  private muxOptions (route: Route): string[] {
    if (route === 'off' || this.controlPath === null) return []
    if (route === 'direct') return ['-o', 'ControlMaster=no', '-o', 'ControlPath=none']
    return [
      '-o', 'ControlMaster=auto',
      '-o', `ControlPath=${this.controlPath}`,
      '-o', `ControlPersist=${this.multiplexing?.persistSeconds ?? 600}`,
      '-o', 'ServerAliveInterval=5',
      '-o', 'ServerAliveCountMax=3'
    ]
  }

  private destination (): string[] {
    return ['-p', String(this.target.port), ...this.sshOptions, `${this.target.user}@${this.target.host}`]
  }

  prepare (args: readonly string[], options: PrepareOptions = {}) {
    return this.command(args, options, this.controlPath === null ? 'off' : 'master')
  }

  private command (args: readonly string[], options: PrepareOptions, route: Route) {
    return {
      file: 'ssh',
      args: [
        // Never prompt, never trust an unknown host key.
        '-o', 'BatchMode=yes',
        '-o', 'StrictHostKeyChecking=yes',
        '-o', 'LogLevel=ERROR',
        '-o', 'ConnectTimeout=10',
        ...this.muxOptions(route),
        // No TTY for commands: a TTY merges stderr into stdout and ends lines in CRLF. A log tail
        // gets one anyway (-tt): when we stop reading, sshd hangs up the remote terminal and its
        // SIGHUP ends `dokku logs -t` and its `docker logs` children. Without a terminal they
        // would live on until their next write.
        options.stream ? '-tt' : '-T',
        ...this.destination(),
        '--',
        ...args.map(quoteForDokkuSsh)
      ],
      env: childEnv()
    }
  }

  /** Runs one call through the master when it serves, else on a connection of its own. */
  async exec (args: readonly string[], options: ExecOptions, prepare: PrepareOptions = {}): Promise<ExecResult> {
    const { route, done } = await this.route()
    try {
      const prepared = this.command(args, prepare, route)
      const result = await execArgv(prepared.file, prepared.args, { ...options, env: prepared.env })
      return route === 'off' ? result : { ...result, stderr: result.stderr.replace(MUX_NOTICE, '') }
    } finally {
      done()
    }
  }

  /**
   * Picks the way for one call. A master that greets is used. A socket nobody serves (the
   * master was killed) or a master that does not greet (hung) is retired first. With no master,
   * one call becomes it while the others wait for its socket, so a burst of calls makes one
   * handshake; if it fails to come up, they go on their own, in parallel, as without a master.
   */
  private async route (): Promise<{ route: Route; done: () => void }> {
    const path = this.controlPath
    const nothing = () => {}
    if (path === null) return { route: 'off', done: nothing }
    let waited = false
    for (;;) {
      if (this.sessions >= (this.multiplexing?.maxSessions ?? MAX_MASTER_SESSIONS)) return { route: 'direct', done: nothing }
      const inode = socketInode(path)
      const state = await probeMaster(path, MASTER_GREETING_MS)
      if (state === 'alive') return this.session()
      if (state === 'hung' || state === 'dead') retireMaster(path, inode, state === 'hung')
      // No directory for the socket: a master could not listen, and its call would fail.
      if (waited || !existsSync(dirname(path))) return { route: 'direct', done: nothing }
      if (this.starting === null) {
        let ended = nothing
        const starting = this.starting = new Promise<void>((resolve) => { ended = resolve })
        const { done } = this.session()
        return {
          route: 'master',
          done: () => {
            if (this.starting === starting) this.starting = null
            ended()
            done()
          }
        }
      }
      await this.masterUp(path, this.starting)
      waited = true
    }
  }

  private session (): { route: Route; done: () => void } {
    this.sessions++
    let released = false
    return { route: 'master', done: () => { if (!released) { released = true; this.sessions-- } } }
  }

  /** Until the master the starting call makes greets, or that call ends. */
  private async masterUp (path: string, starting: Promise<void>): Promise<void> {
    let ended = false
    void starting.then(() => { ended = true })
    while (!ended) {
      await Promise.race([starting, new Promise((resolve) => setTimeout(resolve, MASTER_POLL_MS))])
      if (!ended && await probeMaster(path, MASTER_GREETING_MS) === 'alive') return
    }
  }

  /** Shutdown: asks the master connection, if any, to exit (`ssh -O exit`); a hung one is killed. */
  async close (): Promise<void> {
    const path = this.controlPath
    if (path === null) return
    const inode = socketInode(path)
    const state = await probeMaster(path, MASTER_GREETING_MS)
    if (state === 'alive') {
      await execArgv('ssh', ['-o', 'BatchMode=yes', '-o', 'LogLevel=QUIET', '-o', `ControlPath=${path}`, '-O', 'exit', ...this.destination()], {
        timeoutMs: 5000, maxOutputBytes: 4096, env: childEnv()
      })
    } else if (state !== 'absent') {
      retireMaster(path, inode, state === 'hung')
    }
  }
}

/** The simulator's executable: next to this module once built, or in dist/ when run from src/. */
export function simulatorCli (): string {
  const here = dirname(fileURLToPath(import.meta.url))
  const built = join(here, 'simulator', 'cli.js')
  if (existsSync(built)) return built
  return resolve(here, '..', '..', 'dist', 'dokku', 'simulator', 'cli.js')
}

/** The simulator's knobs (DOKKU_SIM_*) from Docklight's environment: it is our own program. */
export function simulatorEnv (env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('DOKKU_SIM_')))
}

