import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'

const SERVER = fileURLToPath(new URL('../../dist/server.js', import.meta.url))

export interface RunningServer {
  url: string
  password: string
  dataDir: string
  child: ChildProcess
  output: () => string
}

export interface StartOptions {
  /** How long the server may take to say where it listens, in ms: 20 s unless said. */
  startTimeoutMs?: number
}

/** Starts the built server in demo mode (the simulator) on a free port; stopped at teardown. */
export async function startDemoServer (t: Test, env: Record<string, string> = {}, opts: StartOptions = {}): Promise<RunningServer> {
  const { startTimeoutMs = 20_000 } = opts
  const password = 'e2e-password-for-tests'
  const dataDir = t.testdir({})
  const child = spawn(process.execPath, [SERVER], {
    env: {
      ...process.env,
      DOCKLIGHT_DEMO: '1',
      DOCKLIGHT_PASSWORD: password,
      DOCKLIGHT_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      ...env
    },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { out += d.toString() })
  t.teardown(() => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGTERM')
  }))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in ${startTimeoutMs} ms:\n${out}`)), startTimeoutMs)
    const check = () => {
      const m = out.match(/at (http:\/\/127\.0\.0\.1:\d+)\//)
      if (m) { clearTimeout(timer); resolve(m[1]!) }
    }
    child.stdout!.on('data', check)
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${out}`)) })
  })
  return { url, password, dataDir, child, output: () => out }
}
