/** Small helpers shared by the parts of `npm run bench`. */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { request } from 'node:http'

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** A process's resident memory (VmRSS) in MB; null once it is gone. */
export function rssMb (pid: number): number | null {
  try {
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]
    return kb === undefined ? null : Number(kb) / 1024
  } catch {
    return null
  }
}

/** A process's user and system CPU time so far, in µs (/proc/<pid>/stat, in clock ticks of 10 ms). */
export function cpuUs (pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10_000
}

export interface HttpAnswer { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

/** One HTTP request to 127.0.0.1; the body as it came (still compressed when it was). */
export function httpRequest (url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(opts.body)
  })
}

export interface Spawned {
  child: ChildProcess
  /** Milliseconds from spawn to the first 200 of `readyPath`. */
  readyMs: number
  url: string
  output: () => string
  stop: () => Promise<void>
}

/**
 * Spawns a Node server on `port` and polls `readyPath` every 5 ms: the time from spawn to its
 * first 200 is what a restart costs the people using it.
 */
export async function spawnServer (script: string, args: string[], env: NodeJS.ProcessEnv, port: number, readyPath: string, nodeFlags: string[] = []): Promise<Spawned> {
  const started = performance.now()
  const child = spawn(process.execPath, [...nodeFlags, script, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000) })
  child.stderr!.on('data', (d: Buffer) => { out = (out + d.toString()).slice(-20_000) })
  const url = `http://127.0.0.1:${port}`
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  })
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}:\n${out}`)
    if (performance.now() - started > 30_000) {
      await stop()
      throw new Error(`${script} did not answer within 30 s:\n${out}`)
    }
    const ok = await httpRequest(url + readyPath).then((r) => r.status === 200, () => false)
    if (ok) return { child, readyMs: performance.now() - started, url, output: () => out, stop }
    await sleep(5)
  }
}

/** Logs in over HTTP; the Cookie header value of the session. */
export async function loginOverHttp (url: string, password: string): Promise<string> {
  const res = await httpRequest(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `password=${encodeURIComponent(password)}`
  })
  const cookie = [res.headers['set-cookie'] ?? []].flat().map((c) => c.split(';')[0]!).find((c) => c.startsWith('session='))
  if (cookie === undefined) throw new Error(`login failed with ${res.status}`)
  return cookie
}

/** Live child processes of `pid` (its dokku calls). */
export function childrenOf (pid: number): number {
  let n = 0
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8')
      if (new RegExp(`^PPid:\\s+${pid}$`, 'm').test(status) && !/^State:\s+Z/m.test(status)) n++
    } catch {}
  }
  return n
}

/**
 * Waits until `pid` has run no dokku call for `quietMs` (at most `maxMs`): at boot the server
 * reads every host in the background (the watchdog's first round), which must not count as
 * the warm path's cost.
 */
export async function waitQuiet (pid: number, quietMs = 1000, maxMs = 60_000): Promise<number> {
  const started = performance.now()
  let quietSince = performance.now()
  while (performance.now() - started < maxMs) {
    if (childrenOf(pid) > 0) quietSince = performance.now()
    else if (performance.now() - quietSince >= quietMs) break
    await sleep(50)
  }
  return performance.now() - started
}

/**
 * The event loop's longest stretch of its own work while `fn` runs: a 1 ms timer sees each gap,
 * and the CPU time the process used in that gap is what it spent working rather than waiting
 * for a core. On a shared machine the wall-clock gap alone also counts the time other programs
 * had the CPU; both are returned.
 */
export async function loopStalls<T> (fn: () => Promise<T>): Promise<{ value: T; maxWallMs: number; maxCpuMs: number }> {
  let last = performance.now()
  let lastCpu = process.cpuUsage()
  let maxWallMs = 0
  let maxCpuMs = 0
  const timer = setInterval(() => {
    const now = performance.now()
    const cpu = process.cpuUsage()
    const wall = now - last
    const used = Math.min(wall, (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000)
    if (wall > maxWallMs) maxWallMs = wall
    if (used > maxCpuMs) maxCpuMs = used
    last = now
    lastCpu = cpu
  }, 1)
  try {
    const value = await fn()
    await sleep(5)
    return { value, maxWallMs, maxCpuMs }
  } finally {
    clearInterval(timer)
  }
}
