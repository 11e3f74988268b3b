import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Test } from 'tap'
import { buildApp, type BuildOptions } from '../../src/app.js'
import { loadConfig, type Config } from '../../src/config.js'
import { LocalTransport, simulatorCli } from '../../src/dokku/transport.js'
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
}

/** A fresh app on a temporary data dir, driving the Dokku simulator; closed at teardown. */
export async function build (t: Test, opts: TestBuildOptions = {}): Promise<Built> {
  const dataDir = t.testdir({})
  const config = loadConfig({ DOCKLIGHT_PASSWORD: PASSWORD, DOCKLIGHT_DATA_DIR: dataDir, ...opts.env })
  const sim = simulatorCli()
  const transport = opts.transport ?? (existsSync(sim)
    ? new LocalTransport(sim, { DOKKU_SIM_STATE: simStatePath(dataDir), DOKKU_SIM_STEP_MS: '5', ...opts.simulator })
    : new LocalTransport(join(dataDir, 'no-dokku-here')))
  const app = await buildApp(config, { logger: false, health: { sampleMs: 5 }, ...opts, transport })
  t.teardown(() => app.close())
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
