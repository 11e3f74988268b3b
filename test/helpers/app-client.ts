import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { build, login } from './build.js'

/** Shared by the route tests of an app's tabs that post forms (app-settings.test.ts, cron.test.ts). */

const HX = { 'hx-request': 'true' }
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

export interface Client {
  app: FastifyInstance
  dataDir: string
  /** A GET; `htmx` sends HX-Request as htmx does for hx-get. */
  get (url: string, htmx?: boolean): Promise<LightMyRequestResponse>
  /** A form post, urlencoded like a browser's; htmx by default. */
  post (url: string, fields?: Record<string, string>, htmx?: boolean): Promise<LightMyRequestResponse>
  /** Changes (actions and jobs) run so far, as history shows them, oldest first. */
  changes (): string[]
  /** The reads run so far, as history shows them, newest first. */
  reads (): string[]
}

/** A logged-in client of a fresh app on the simulator, with extra simulator settings (DOKKU_SIM_VERSION…). */
export async function client (t: Test, simulator: Record<string, string> = {}): Promise<Client> {
  const { app, dataDir } = await build(t, { simulator })
  const cookie = await login(app)
  return {
    app,
    dataDir,
    get: (url, htmx = false) => app.inject({ url, headers: { cookie, ...(htmx ? HX : {}) } }),
    post: (url, fields = {}, htmx = true) => app.inject({ method: 'POST', url, headers: { cookie, ...FORM, ...(htmx ? HX : {}) }, payload: new URLSearchParams(fields).toString() }),
    changes: () => app.history.list({ kind: 'actions', limit: 500 }).map((r) => r.command).reverse(),
    reads: () => app.history.list({ kind: 'reads', limit: 500 }).map((r) => r.command)
  }
}

/**
 * One client for every subtest of a file that asks for it (at the current dokku version), made
 * on the first call; each subtest then works on an app of its own.
 */
export function sharedClient (t: Test): () => Promise<Client> {
  let shared: Promise<Client> | null = null
  return () => (shared ??= client(t))
}

/** The toast an answer's HX-Trigger header carries. */
export function toast (res: LightMyRequestResponse): { level: string, message: string } | undefined {
  const header = res.headers['hx-trigger']
  return typeof header === 'string' ? (JSON.parse(header) as { toast?: { level: string, message: string } }).toast : undefined
}
