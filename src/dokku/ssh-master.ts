/**
 * The SSH master connection of one host, seen from outside ssh: is its control socket served,
 * and which process serves it. ssh itself only finds out a master is wedged by waiting on it
 * (before OpenSSH 9.4 forever: its ConnectTimeout did not cover the control socket).
 */
import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs'
import { connect } from 'node:net'

/**
 * `alive`: the master greeted us. `absent`: no socket (no master yet). `dead`: a socket nobody
 * serves (the master was killed, or it cannot be reached). `hung`: a socket that accepts but
 * never greets (the master is wedged).
 */
export type MasterState = 'alive' | 'absent' | 'dead' | 'hung'

/**
 * Whether the master at `path` answers. A master speaks first: it sends its hello the moment
 * it accepts a client (OpenSSH mux.c), so a few bytes within `timeoutMs` mean it serves. We
 * close without a word; the master drops the half-opened client.
 */
export function probeMaster (path: string, timeoutMs: number): Promise<MasterState> {
  return new Promise((resolve) => {
    const socket = connect(path)
    let settled = false
    const done = (state: MasterState) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      socket.destroy()
      resolve(state)
    }
    const timer = setTimeout(() => done('hung'), timeoutMs)
    socket.once('data', () => done('alive'))
    socket.once('error', (err: NodeJS.ErrnoException) => {
      // Anything else (a full backlog, a permission) is not a master we can use: replaced, not killed.
      done(err.code === 'ENOENT' || err.code === 'ENOTDIR' ? 'absent' : 'dead')
    })
    // Closed before a greeting: not a master that serves.
    socket.once('close', () => done('dead'))
  })
}

/** The backgrounded master names itself `ssh: <control path> [mux]` (OpenSSH ssh.c). */
export function masterPids (path: string): number[] {
  const want = `ssh: ${path} [mux]`
  const found: number[] = []
  let entries: string[]
  try {
    entries = readdirSync('/proc')
  } catch {
    return found // not Linux: nothing to look up
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const line = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ')
      if (line === want) found.push(Number(entry))
    } catch { /* gone meanwhile, or not ours */ }
  }
  return found
}

/** The socket's inode, or null when there is none: so that we remove the socket we probed, not a newer one. */
export function socketInode (path: string): number | null {
  try {
    return statSync(path).ino
  } catch {
    return null
  }
}

/**
 * Takes a master out of service: removes its socket (when it is still the one we judged), so
 * the next call starts a new master, and with `kill`, ends the old master, which serves nobody
 * (its processes are looked up before the socket goes, so a newer master is never hit).
 */
export function retireMaster (path: string, inode: number | null, kill: boolean): void {
  const pids = kill ? masterPids(path) : []
  if (inode !== null && socketInode(path) === inode) {
    try { unlinkSync(path) } catch { /* already gone */ }
  }
  for (const pid of pids) {
    try { process.kill(pid, 'SIGKILL') } catch { /* already gone */ }
  }
}
