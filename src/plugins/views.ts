import view from '@fastify/view'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Eta } from 'eta'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { JobSnapshot } from '../jobs/manager.js'
import * as format from '../views/format.js'

export const VIEWS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'views')

export type Toast = { level: 'success' | 'error' | 'info'; message: string }

/** Where htmx should put an answer instead of the element that asked (HX-Retarget, HX-Reswap). */
export interface Retarget {
  target: string
  swap?: 'innerHTML' | 'outerHTML' | 'afterbegin' | 'beforeend'
}

declare module 'fastify' {
  interface FastifyReply {
    /**
     * Renders a page template: alone for an htmx fragment request, inside the layout
     * otherwise. The one place that decides "fragment or page".
     */
    render (template: string, data?: Record<string, unknown>): Promise<FastifyReply>
    /** Renders a partial on its own (an htmx mutation's answer). */
    fragment (template: string, data?: Record<string, unknown>): Promise<FastifyReply>
    /**
     * 422: a refused form again, with what was typed and what is wrong. htmx gets the form's
     * partial; a plain form post gets the whole page it came from.
     */
    invalid (form: { partial: string; page: string; data: Record<string, unknown> }): Promise<FastifyReply>
    /** A started job: htmx gets its live panel (202) and a toast, a plain post its page (303). */
    job (job: JobSnapshot, options?: { retarget?: Retarget }): Promise<FastifyReply>
    /** Sends the browser to another page: HX-Redirect for htmx, 303 otherwise. */
    goTo (url: string): FastifyReply
    /** A path on the request's host: `/apps/x` → `/hosts/beta/apps/x` when the URL named beta. */
    hostPath (path: string): string
    /** Puts the answer somewhere else than the element that asked. */
    retarget (where: Retarget): FastifyReply
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

/** What every template may use about hosts: the links' base and the header's switcher. */
function hostContext (req: FastifyRequest): Record<string, unknown> {
  const hosts = req.server.hosts
  if (!hosts || !req.dokkuHost) return { base: '', host: null, hosts: [], severalHosts: false }
  return {
    base: req.hostBase,
    host: req.dokkuHost.info,
    hosts: hosts.list.map((h) => h.info),
    severalHosts: hosts.several
  }
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
    const html = await this.viewAsync(`pages/${template}`, { ...hostContext(this.request), ...data, fragment },
      fragment ? undefined : { layout: 'layouts/main' })
    return this.type('text/html; charset=utf-8').send(html)
  })

  app.decorateReply('fragment', async function (this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
    this.header('Vary', 'HX-Request')
    const html = await this.viewAsync(`partials/${template}`, { ...hostContext(this.request), ...data, fragment: true })
    return this.type('text/html; charset=utf-8').send(html)
  })

  app.decorateReply('invalid', async function (this: FastifyReply, form: { partial: string; page: string; data: Record<string, unknown> }) {
    this.code(422)
    return isFragmentRequest(this.request) ? this.fragment(form.partial, form.data) : this.render(form.page, form.data)
  })

  app.decorateReply('job', async function (this: FastifyReply, job: JobSnapshot, options: { retarget?: Retarget } = {}) {
    if (!isFragmentRequest(this.request)) return this.redirect(`/jobs/${job.id}`, 303)
    if (options.retarget) this.retarget(options.retarget)
    this.code(202).toast({ level: 'info', message: `${job.label} started.` })
    return this.fragment('job', { job, poll: false })
  })

  app.decorateReply('goTo', function (this: FastifyReply, url: string) {
    if (isFragmentRequest(this.request)) return this.header('HX-Redirect', url).code(204).send()
    return this.redirect(url, 303)
  })

  app.decorateReply('hostPath', function (this: FastifyReply, path: string) {
    return `${this.request.hostBase ?? ''}${path}`
  })

  app.decorateReply('retarget', function (this: FastifyReply, where: Retarget) {
    this.header('HX-Retarget', where.target)
    if (where.swap) this.header('HX-Reswap', where.swap)
    return this
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
