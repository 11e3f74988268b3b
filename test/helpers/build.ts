import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { existsSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import { buildApp, type BuildOptions } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { InProcessSimulatorTransport } from '../../src/dokku/simulator/in-process.js'
import { LocalTransport, simulatorCli, type Transport } from '../../src/dokku/transport.js'
import { simStatePath } from './simulator-state.js'

export const PASSWORD = 'correct horse battery staple'

export interface Built {
  app: FastifyInstance
  config: Config
  dataDir: string
}

export interface TestBuildOptions extends BuildOptions {
  /** Docklight's own settings (DOCKLIGHT_*), over the test password and data dir. */
  env?: Record<string, string>
  /** Extra settings for the simulator (DOKKU_SIM_LATENCY_MS, _STEP_MS, _VERSION…); not used with `transport`. */
  simulator?: Record<string, string>
  /**
   * Spawn the simulator's CLI for every dokku call, as the real runner spawns dokku (process
   * groups, kills, pipes). By default each call runs in this process: the same answers, no
   * child per call.
   */
  spawn?: boolean
}

/** The simulator on the app's own state file: in this process, or spawned per call. */
export function simulatorTransport (dataDir: string, opts: Pick<TestBuildOptions, 'simulator' | 'spawn'> = {}): Transport {
  const env = { DOKKU_SIM_STATE: simStatePath(dataDir), DOKKU_SIM_STEP_MS: '5', ...opts.simulator }
  if (!opts.spawn) return new InProcessSimulatorTransport(env)
  const sim = simulatorCli()
  return existsSync(sim) ? new LocalTransport(sim, env) : new LocalTransport(join(dataDir, 'no-dokku-here'))
}

const testDirs = new WeakMap<Test, string>()

/**
 * A data dir of its own for each app of a test, inside the test's testdir (made once: each
 * t.testdir() call empties it, which would pull the files from under an earlier app).
 */
function appDir (t: Test): string {
  let base = testDirs.get(t)
  if (base === undefined) testDirs.set(t, base = t.testdir({}))
  return mkdtempSync(join(base, 'app-'))
}

/** A fresh app on a temporary data dir, driving the Dokku simulator (in process unless `spawn`); closed at teardown. */
export async function build (t: Test, opts: TestBuildOptions = {}): Promise<Built> {
  // Registered before the testdir, so that the app is closed before tap removes the directory
  // (tap removes a testdir before the teardowns registered after it): dokku calls still in
  // flight when the test ends (a page that failed on its first read) finish first.
  let built: FastifyInstance | undefined
  t.teardown(async () => { await built?.close() })
  const dataDir = appDir(t)
  const config = loadConfig({ DOCKLIGHT_PASSWORD: PASSWORD, DOCKLIGHT_DATA_DIR: dataDir, ...opts.env })
  const transport = opts.transport ?? simulatorTransport(dataDir, opts)
  const app = built = await buildApp(config, { logger: false, health: { sampleMs: 5 }, ...opts, transport })
  await app.ready()
  return { app, config, dataDir }
}

/** Logs in through the real form and returns the session cookie header value. */
export async function login (app: FastifyInstance, password = PASSWORD): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/login', payload: { password } })
  return sessionCookie(res)
}

export function sessionCookie (res: LightMyRequestResponse): string {
  const c = res.cookies.find((x) => x.name === 'session')
  if (!c || !c.value) throw new Error(`no session cookie (status ${res.statusCode})`)
  return `session=${c.value}`
}
