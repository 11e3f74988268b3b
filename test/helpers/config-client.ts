import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Test } from 'tap'
import { build, login } from './build.js'

/** Shared by the config route tests (config.test.ts, config-*.test.ts). */

export const APP = 'node-js-app'
export const SECRET = 's3cr3t-VALUE-<script>'

export interface Client {
  app: FastifyInstance
  /** A GET; `htmx` sends HX-Request as htmx does for hx-get. */
  get (url: string, htmx?: boolean): Promise<LightMyRequestResponse>
  /** A form post, urlencoded like a browser's; htmx by default. */
  post (url: string, form: Record<string, string>, htmx?: boolean): Promise<LightMyRequestResponse>
  /** The dokku commands run so far, as history shows them. */
  commands (): string[]
  /** The app's variables, straight from dokku. */
  env (app?: string): Promise<Record<string, string>>
}

export async function client (t: Test, opts: Parameters<typeof build>[1] = {}): Promise<Client> {
  const { app } = await build(t, opts)
  const cookie = await login(app)
  const headers = (htmx: boolean) => ({ cookie, ...(htmx ? { 'hx-request': 'true' } : {}) })
  return {
    app,
    get: (url, htmx = false) => app.inject({ url, headers: headers(htmx) }),
    post: (url, form, htmx = true) => app.inject({
      method: 'POST',
      url,
      headers: { ...headers(htmx), 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(form).toString()
    }),
    commands: () => app.history.list({ limit: 1000 }).map((r) => r.command).reverse(),
    env: (name = APP) => app.hosts.default.dokku.configExport(name)
  }
}

/** The keys of the rows on a page, in order. */
export function rowKeys (html: string): string[] {
  return [...html.matchAll(/<tr id="config-var-([A-Za-z0-9_]+)"/g)].map((m) => m[1]!)
}

export function toast (res: LightMyRequestResponse): { level: string, message: string } | undefined {
  const header = res.headers['hx-trigger']
  return typeof header === 'string' ? (JSON.parse(header) as { toast?: { level: string, message: string } }).toast : undefined
}
