import view from '@fastify/view'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Eta } from 'eta'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as format from '../views/format.js'

export const VIEWS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'views')

export type Toast = { level: 'success' | 'error' | 'info'; message: string }

declare module 'fastify' {
  interface FastifyReply {
    /**
     * Renders a page template: alone for an htmx fragment request, inside the layout
     * otherwise. The one place that decides "fragment or page".
     */
    render (template: string, data?: Record<string, unknown>): Promise<FastifyReply>
    /** Renders a partial on its own (an htmx mutation's answer). */
    fragment (template: string, data?: Record<string, unknown>): Promise<FastifyReply>
    /** Queues a toast for htmx (`HX-Trigger`). */
    toast (toast: Toast): FastifyReply
    /** Adds an event to `HX-Trigger`, next to any toast or event already queued. */
    trigger (event: string, detail?: unknown): FastifyReply
  }
}

/**
 * `HX-Request` without `HX-Boosted`: htmx wants a piece of a page, not a page. A history
 * restore (Back to a page htmx pushed, not in its cache) swaps the answer into <body>, so it
 * gets the whole page.
 */
export function isFragmentRequest (req: FastifyRequest): boolean {
  return req.headers['hx-request'] === 'true' && req.headers['hx-boosted'] !== 'true' &&
    req.headers['hx-history-restore-request'] !== 'true'
}

export interface ViewsPluginOptions {
  production: boolean
}

export default fp<ViewsPluginOptions>(async (app, opts) => {
  const eta = new Eta({ views: VIEWS_DIR, cache: opts.production, autoEscape: true, autoTrim: false })
  await app.register(view, {
    engine: { eta },
    templates: VIEWS_DIR,
    production: opts.production,
    defaultContext: { format }
  })

  app.decorateReply('render', async function (this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
    const fragment = isFragmentRequest(this.request)
    this.header('Vary', 'HX-Request')
    const html = await this.viewAsync(`pages/${template}`, { ...data, fragment },
      fragment ? undefined : { layout: 'layouts/main' })
    return this.type('text/html; charset=utf-8').send(html)
  })

  app.decorateReply('fragment', async function (this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
    this.header('Vary', 'HX-Request')
    const html = await this.viewAsync(`partials/${template}`, { ...data, fragment: true })
    return this.type('text/html; charset=utf-8').send(html)
  })

  app.decorateReply('trigger', function (this: FastifyReply, event: string, detail: unknown = true) {
    const current = this.getHeader('HX-Trigger')
    const events = typeof current === 'string' ? JSON.parse(current) as Record<string, unknown> : {}
    events[event] = detail
    // Header values are Latin-1: escape anything beyond ASCII inside the JSON.
    const json = JSON.stringify(events).replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
    return this.header('HX-Trigger', json)
  })

  app.decorateReply('toast', function (this: FastifyReply, toast: Toast) {
    return this.trigger('toast', toast)
  })
}, { name: 'views' })
