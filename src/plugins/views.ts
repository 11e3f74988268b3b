import view from '@fastify/view'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { Eta } from 'eta'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { JobSnapshot } from '../jobs/manager.js'
import * as format from '../views/format.js'
import { assemble, RenderMemo, renderTurns, sha1, type MemoPart } from '../views/memo.js'

export const VIEWS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'views')

export type Toast = { level: 'success' | 'error' | 'info'; message: string }

/** Where htmx should put an answer instead of the element that asked (HX-Retarget, HX-Reswap). */
export interface Retarget {
  target: string
  swap?: 'innerHTML' | 'outerHTML' | 'afterbegin' | 'beforeend'
}

declare module 'fastify' {
  interface RouteSpecificOptions {
    /** Render as an async template (Eta's renderAsync): the template may `await`. */
    async?: boolean
  }
  interface FastifyReply {
    /**
     * Renders a page template: alone for an htmx fragment request, inside the layout
     * otherwise. The one place that decides "fragment or page". With `memo`, a version of
     * everything `data` shows, the whole page is kept and sent again while that version, the
     * layout's data (the alerts, the banner) and the host context stay the same.
     */
    render (template: string, data?: Record<string, unknown>, options?: { memo?: string }): Promise<FastifyReply>
    /**
     * Renders a partial on its own (an htmx mutation's answer). With `memo`, a version of
     * everything the partial shows, the rendering is kept and reused (see memoPart).
     */
    fragment (template: string, data?: Record<string, unknown>, options?: { memo?: string }): Promise<FastifyReply>
    /**
     * A partial rendered once per `memo` (a version of everything it shows, besides the host
     * context) and kept: what a page's data carries in its place (`<%~ it.table %>`). The page
     * is sent with the part, and an ETag that covers it without hashing it again.
     */
    memoPart (template: string, data: Record<string, unknown>, memo: string): Promise<string>
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

type ReplyWithParts = FastifyReply & { memoParts: MemoPart[] | null }

export interface ViewsPluginOptions {
  production: boolean
  /** Read and compile templates again on every render (NODE_ENV=development). */
  reloadTemplates?: boolean
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

/** What a memoized part's key adds to the caller's version: the template and the host context it reads. */
function memoKey (req: FastifyRequest, template: string, memo: string): string {
  const several = req.server.hosts?.several === true
  return `${template}\0${req.hostBase ?? ''}\0${several ? 1 : 0}\0${memo}`
}

/** Bound: include paths PathCachingEta keeps (templates are ours: a few hundred pairs at most). */
const RESOLVED_PATHS_MAX = 2000

/**
 * Eta that works out each include's file once. Eta resolves the path of every include on every
 * render (a JSON key, path joins, a containment check): a page with twenty partials did that
 * twenty times per view, though the answer never changes while templates are cached.
 */
class PathCachingEta extends Eta {
  private readonly resolved = new Map<string, string>()
  constructor (config: ConstructorParameters<typeof Eta>[0]) {
    super(config)
    const resolve = this.resolvePath!
    const resolved = this.resolved
    const cached: typeof resolve = function (template, options) {
      const key = `${options?.filepath ?? ''}\0${template}`
      let path = resolved.get(key)
      if (path === undefined) {
        path = resolve.call(this, template, options)
        if (resolved.size < RESOLVED_PATHS_MAX) resolved.set(key, path)
      }
      return path
    }
    this.resolvePath = cached
  }
}

export default fp<ViewsPluginOptions>(async (app, opts) => {
  // Compiled templates are kept unless templates are being edited: compiling on each render
  // (what `production: false` did) read and parsed every template and include again on every
  // request, and a plain-HTTP install, which cannot set NODE_ENV=production, paid for it.
  const cache = opts.reloadTemplates !== true
  const eta = cache ? new PathCachingEta({ views: VIEWS_DIR, cache, autoEscape: true, autoTrim: false }) : new Eta({ views: VIEWS_DIR, cache, autoEscape: true, autoTrim: false })
  await app.register(view, {
    engine: { eta },
    templates: VIEWS_DIR,
    production: cache,
    // `it.asset('/static/css/app.css')`: the file's fingerprinted URL (plugins/assets.ts).
    defaultContext: { format, asset: app.hasDecorator('assetUrl') ? app.assetUrl : (path: string) => path }
  })

  const memo = new RenderMemo()
  /** The parts a reply's page holds (reply-local; null until memoPart is called). */
  app.decorateReply('memoParts', null)

  const renderPartial = (reply: FastifyReply, template: string, data: Record<string, unknown>) =>
    reply.viewAsync(`partials/${template}`, { ...hostContext(reply.request), ...data, fragment: true })

  // A memoized part is a big one (300 rows): rendered as an async template, it may call
  // `await it.turn()` between rows and so never hold the event loop for long (renderTurns).
  const memoized = (reply: FastifyReply, template: string, data: Record<string, unknown>, version: string): Promise<MemoPart> => {
    const key = memoKey(reply.request, template, version)
    const render = () => reply.viewAsync(`partials/${template}`, { ...hostContext(reply.request), ...data, fragment: true, turn: renderTurns() }, { async: true })
    return memo.get(key, render, cache)
  }

  /** Sends HTML; a page holding memoized parts gets them, and an ETag over the page with their markers. */
  const sendHtml = (reply: FastifyReply, html: string): FastifyReply => {
    reply.type('text/html; charset=utf-8')
    const parts = (reply as ReplyWithParts).memoParts
    if (parts === null || parts.length === 0) return reply.send(html)
    ;(reply as ReplyWithParts).memoParts = null
    // The markers name their parts' hashes: hashing the small page around them covers all of it.
    const page = Buffer.from(html, 'utf8')
    reply.header('ETag', `W/"${sha1(page)}"`)
    return reply.send(assemble(page, parts))
  }

  app.decorateReply('render', async function (this: FastifyReply, template: string, data: Record<string, unknown> = {}, options: { memo?: string } = {}) {
    const fragment = isFragmentRequest(this.request)
    this.header('Vary', 'HX-Request')
    // A whole page is never stored: Back after logout must not show app states from the
    // browser's cache. Fragments keep `private, no-cache` and their ETag (plugins/delivery.ts).
    if (!fragment && !this.hasHeader('cache-control')) this.header('Cache-Control', 'no-store')
    const renderHtml = () => this.viewAsync(`pages/${template}`, { ...hostContext(this.request), ...data, fragment },
      fragment ? undefined : { layout: 'layouts/main' })
    if (options.memo === undefined) return sendHtml(this, await renderHtml())

    // The key: the route's version of its data, and what else the page shows: the layout's data
    // (reply.locals: the alert counts, the security banner, the dashboard's alerts), the host
    // context and whether the layout is around it. All of them small: the big parts (the table)
    // are in the route's version as their own memo's version.
    const locals = (this as unknown as { locals?: Record<string, unknown> | null }).locals ?? {}
    const version = `${options.memo}\0${fragment ? 1 : 0}\0${JSON.stringify(locals)}\0${JSON.stringify(hostContext(this.request))}`
    const page = await memo.getBytes(memoKey(this.request, `page:${template}`, version), async () => {
      const html = await renderHtml()
      const parts = (this as ReplyWithParts).memoParts
      return parts === null || parts.length === 0 ? Buffer.from(html, 'utf8') : assemble(Buffer.from(html, 'utf8'), parts)
    }, cache)
    // The page holds its parts already (rendered now, or kept): nothing is left to assemble.
    ;(this as ReplyWithParts).memoParts = null
    return this.type('text/html; charset=utf-8').header('ETag', `W/"${page.hash}"`).send(page.bytes)
  })

  app.decorateReply('fragment', async function (this: FastifyReply, template: string, data: Record<string, unknown> = {}, options: { memo?: string } = {}) {
    this.header('Vary', 'HX-Request')
    if (options.memo !== undefined) {
      const part = await memoized(this, template, data, options.memo)
      return this.type('text/html; charset=utf-8').header('ETag', `W/"${part.hash}"`).send(part.bytes)
    }
    return sendHtml(this, await renderPartial(this, template, data))
  })

  app.decorateReply('memoPart', async function (this: FastifyReply, template: string, data: Record<string, unknown>, version: string) {
    const part = await memoized(this, template, data, version)
    const self = this as ReplyWithParts
    self.memoParts = [...(self.memoParts ?? []), part]
    return part.marker
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
