import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Config } from '../config.js'

/** How a dokku argv becomes a process: the local binary, ssh to the host, or the simulator. */
export interface Transport {
  /** For the UI and logs, e.g. "local dokku" or "ssh dokku@host:22". */
  readonly description: string
  prepare (args: readonly string[]): { file: string; args: string[]; env?: NodeJS.ProcessEnv }
}

export class LocalTransport implements Transport {
  readonly description: string
  constructor (private readonly bin: string, private readonly extraEnv: NodeJS.ProcessEnv = {}) {
    this.description = `local ${bin}`
  }

  prepare (args: readonly string[]) {
    return { file: this.bin, args: [...args], env: { ...process.env, ...this.extraEnv } }
  }
}

/**
 * Quotes one argument for dokku's remote re-splitting: over SSH dokku re-reads
 * `$SSH_ORIGINAL_COMMAND` with xargs quote rules, where single quotes keep everything but a
 * newline. Our arguments never hold a newline (config values travel base64-encoded).
 */
export function quoteForDokkuSsh (arg: string): string {
  if (arg.includes('\n')) throw new Error('an argument sent over SSH cannot contain a newline')
  if (/^[A-Za-z0-9_.:=,/@%+-]+$/.test(arg)) return arg
  return `'${arg.replace(/'/g, `'"'"'`)}'`
}

export class SshTransport implements Transport {
  readonly description: string
  /** `sshOptions` go before the host (tests point ssh at their own key and known_hosts). */
  constructor (private readonly target: { user: string; host: string; port: number }, private readonly sshOptions: readonly string[] = []) {
    this.description = `ssh ${target.user}@${target.host}:${target.port}`
  }

  prepare (args: readonly string[]) {
    return {
      file: 'ssh',
      args: [
        // Never prompt, never trust an unknown host key, no TTY (a TTY merges stderr into stdout).
        '-o', 'BatchMode=yes',
        '-o', 'StrictHostKeyChecking=yes',
        '-o', 'LogLevel=ERROR',
        '-o', 'ConnectTimeout=10',
        '-T',
        '-p', String(this.target.port),
        ...this.sshOptions,
        `${this.target.user}@${this.target.host}`,
        '--',
        ...args.map(quoteForDokkuSsh)
      ]
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

export function transportFor (config: Config): Transport {
  if (config.demo) {
    return new LocalTransport(simulatorCli(), { DOKKU_SIM_STATE: join(config.dataDir, 'simulator-state.json') })
  }
  if (config.dokkuSsh) return new SshTransport(config.dokkuSsh)
  return new LocalTransport(config.dokkuBin)
}
