import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Config } from '../config.js'
import type { ExecOptions, ExecResult } from './exec.js'

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
   * it honours every ExecOptions field as `execArgv` does.
   */
  exec? (args: readonly string[], options: ExecOptions): Promise<ExecResult>
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

export class SshTransport implements Transport {
  readonly description: string
  readonly remote = true
  /** `sshOptions` go before the host (tests point ssh at their own key and known_hosts). */
  constructor (private readonly target: { user: string; host: string; port: number }, private readonly sshOptions: readonly string[] = []) {
    this.description = `ssh ${target.user}@${target.host}:${target.port}`
  }

  prepare (args: readonly string[], options: PrepareOptions = {}) {
    return {
      file: 'ssh',
      args: [
        // Never prompt, never trust an unknown host key.
        '-o', 'BatchMode=yes',
        '-o', 'StrictHostKeyChecking=yes',
        '-o', 'LogLevel=ERROR',
        '-o', 'ConnectTimeout=10',
        // No TTY for commands: a TTY merges stderr into stdout and ends lines in CRLF. A log tail
        // gets one anyway (-tt): when we stop reading, sshd hangs up the remote terminal and its
        // SIGHUP ends `dokku logs -t` and its `docker logs` children. Without a terminal they
        // would live on until their next write.
        options.stream ? '-tt' : '-T',
        '-p', String(this.target.port),
        ...this.sshOptions,
        `${this.target.user}@${this.target.host}`,
        '--',
        ...args.map(quoteForDokkuSsh)
      ],
      env: childEnv()
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

export function transportFor (config: Config): Transport {
  if (config.demo) {
    return new LocalTransport(simulatorCli(), { ...simulatorEnv(), DOKKU_SIM_STATE: join(config.dataDir, 'simulator-state.json') })
  }
  if (config.dokkuSsh) return new SshTransport(config.dokkuSsh)
  return new LocalTransport(config.dokkuBin)
}
