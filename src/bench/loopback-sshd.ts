/**
 * A real sshd on loopback, for the SSH tests and `npm run bench`: its own host key, one client
 * key per forced command (as dokku's `authorized_keys` has, `command="… $SSH_ORIGINAL_COMMAND"`),
 * and a log on stderr at `LogLevel VERBOSE`, where each accepted connection is one line: that
 * is how a test counts SSH handshakes. Not used by the server itself.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { SshTransport, type SshMultiplexing } from '../dokku/transport.js'

export { masterPids } from '../dokku/ssh-master.js'

export const SSHD = '/usr/sbin/sshd'

export function sshdAvailable (): boolean {
  return existsSync(SSHD)
}

export interface SshdKey {
  /** The key's file name in the sshd's directory. */
  name: string
  /** Its forced command, e.g. `ENV=x /path/entry $SSH_ORIGINAL_COMMAND`. */
  command: string
}

export interface LoopbackSshdOptions {
  /** Where keys, config and logs live (a test's testdir). */
  dir: string
  keys: readonly SshdKey[]
  /**
   * More sshd_config lines (AcceptEnv …), or a function of the ports that makes them (for
   * `Match LocalPort` blocks, which are put last).
   */
  config?: readonly string[] | ((ports: readonly number[]) => readonly string[])
  /** Ports beyond the first one, for `Match LocalPort` blocks (a port with other limits). */
  extraPorts?: number
}

/** A free TCP port on 127.0.0.1 (free when asked; good enough for a test's sshd). */
export async function freePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
    srv.on('error', reject)
  })
}

/** Writes a script and makes it executable. */
export function writeExecutable (path: string, content: string): void {
  writeFileSync(path, content)
  chmodSync(path, 0o755)
}

/** Live processes (not zombies) whose environment holds `marker` ("NAME=value"): a forced command's children. */
export function processesWithEnv (marker: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker)) continue
      if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue
      found.push(Number(entry))
    } catch { /* gone meanwhile, or not ours to read */ }
  }
  return found
}

/** Bound: how much of sshd's log is kept (its end), for a failing test's message. */
const LOG_TAIL_CHARS = 64 * 1024

export class LoopbackSshd {
  /** The end of sshd's stderr (at most LOG_TAIL_CHARS). */
  log = ''
  private partial = ''
  private acceptedCount = 0
  /** How many of its ports sshd has said it listens on. */
  listening = 0
  private exited = false

  constructor (
    readonly dir: string,
    readonly user: string,
    readonly ports: readonly number[],
    private readonly child: ChildProcess
  ) {
    child.stderr?.on('data', (d: Buffer) => this.onLog(d.toString()))
    child.on('exit', () => { this.exited = true })
  }

  /** Counts lines as they come (a line may span chunks), and keeps the log's end. */
  private onLog (text: string): void {
    this.log = (this.log + text).slice(-LOG_TAIL_CHARS)
    const lines = (this.partial + text).split('\n')
    this.partial = (lines.pop() ?? '').slice(-LOG_TAIL_CHARS)
    for (const line of lines) {
      if (line.startsWith('Accepted publickey for ')) this.acceptedCount++
      if (/^Server listening on 127\.0\.0\.1 port \d+/.test(line)) this.listening++
    }
  }

  get port (): number { return this.ports[0]! }

  /** SSH connections sshd accepted (one per handshake), from its VERBOSE log. */
  accepted (): number {
    return this.acceptedCount
  }

  /** What ssh needs to use one of our keys and trust our host key. */
  sshOptions (key: string): string[] {
    return ['-i', join(this.dir, key), '-o', `UserKnownHostsFile=${join(this.dir, 'known_hosts')}`, '-o', 'IdentitiesOnly=yes']
  }

  /** A transport to this sshd with the given key (and, optionally, one master connection). */
  transport (key: string, opts: { extra?: readonly string[]; multiplexing?: SshMultiplexing | null; port?: number } = {}): SshTransport {
    return new SshTransport(
      { user: this.user, host: '127.0.0.1', port: opts.port ?? this.port },
      [...this.sshOptions(key), ...(opts.extra ?? [])],
      opts.multiplexing ?? null
    )
  }

  async close (): Promise<void> {
    if (this.exited) return
    const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()))
    this.child.kill()
    await gone
  }
}

/**
 * Starts sshd in the foreground (`-D -e`) on 127.0.0.1 and resolves once it listens. Public-key
 * logins only, for the current user, each key with its forced command.
 */
export async function startLoopbackSshd (opts: LoopbackSshdOptions): Promise<LoopbackSshd> {
  const { dir } = opts
  const user = execFileSync('id', ['-un']).toString().trim()
  const ports = [await freePort()]
  for (let i = 0; i < (opts.extraPorts ?? 0); i++) ports.push(await freePort())
  for (const name of ['host_key', ...opts.keys.map((k) => k.name)]) {
    if (!existsSync(join(dir, name))) execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)])
  }
  const pub = (name: string) => readFileSync(join(dir, `${name}.pub`), 'utf8').trim()
  const restrictions = 'no-agent-forwarding,no-user-rc,no-X11-forwarding,no-port-forwarding'
  writeFileSync(join(dir, 'authorized_keys'), opts.keys.map((k) => `command="${k.command}",${restrictions} ${pub(k.name)}\n`).join(''))
  const config = typeof opts.config === 'function' ? opts.config(ports) : opts.config ?? []
  const matchAt = config.findIndex((l) => /^Match\s/i.test(l))
  const plain = matchAt === -1 ? config : config.slice(0, matchAt)
  const matches = matchAt === -1 ? [] : config.slice(matchAt)
  writeFileSync(join(dir, 'sshd_config'), [
    ...ports.map((p) => `Port ${p}`), 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, `PidFile ${join(dir, 'sshd.pid')}`,
    'StrictModes no', 'UsePAM no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'PermitRootLogin forced-commands-only', `AllowUsers ${user}`,
    // VERBOSE: one "Accepted publickey" line per connection, which the tests count.
    'LogLevel VERBOSE',
    ...plain, ...matches, ''
  ].join('\n'))
  writeFileSync(join(dir, 'known_hosts'), ports.map((p) => `[127.0.0.1]:${p} ${pub('host_key')}\n`).join(''))
  mkdirSync('/run/sshd', { recursive: true })

  const child = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] })
  const sshd = new LoopbackSshd(dir, user, ports, child)
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => { done(); child.kill(); reject(new Error(`sshd did not start listening: ${sshd.log}`)) }, 10_000)
    const listening = () => sshd.listening >= ports.length
    const onData = () => { if (listening()) { done(); resolve() } }
    const onExit = (code: number | null) => { done(); reject(new Error(`sshd exited (${code}): ${sshd.log}`)) }
    const done = () => {
      clearTimeout(timer)
      child.stderr?.off('data', onData)
      child.off('exit', onExit)
    }
    // After the log listener of LoopbackSshd, which was registered first.
    child.stderr?.on('data', onData)
    child.on('exit', onExit)
  })
  return sshd
}
