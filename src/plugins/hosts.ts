import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { IncomingMessage } from 'node:http'
import type { HostConfig } from '../config.js'
import { DEFAULT_RUNNER_OPTIONS, type RunnerOptions } from '../dokku/runner.js'
import type { Transport } from '../dokku/transport.js'
import { Host } from '../hosts/host.js'
import { HostRegistry } from '../hosts/registry.js'
import { transportForHost } from '../hosts/transport.js'
import { JobManager } from '../jobs/manager.js'
import { HOST_TIMEOUT_MS } from '../services/dashboard.js'

declare module 'fastify' {
  interface FastifyInstance {
    hosts: HostRegistry
    jobs: JobManager
  }
  interface FastifyRequest {
    /** The Dokku host this request is about: from `/hosts/:host/…`, else the default host. */
    dokkuHost: Host
    /** `/hosts/<name>` when the URL named its host, '' otherwise: what every link keeps. */
    hostBase: string
  }
}

export interface HostsPluginOptions {
  hosts: HostConfig[]
  dataDir: string
  /** Replaces a host's transport (tests point hosts at simulators). */
  transportFor?: (host: HostConfig) => Transport | undefined
  runner?: Partial<RunnerOptions>
  cacheTtlMs?: number
  /** How long a page that spans hosts waits for one of them (default 10 s). */
  hostTimeoutMs?: number
  /** How long running jobs may finish when the server closes. */
  shutdownGraceMs: number
}

/** `/hosts/<name>` at the start of a path, and what follows it. */
const HOST_PREFIX = /^\/hosts\/([^/?#]*)(?=[/?#]|$)/

/** Where rewriteHostUrl leaves the host a URL named, on the raw request. */
const NAMED_HOST = Symbol('docklight.namedHost')
type RawWithHost = IncomingMessage & { [NAMED_HOST]?: string }

/** The host a URL names, if it names one (the name undecoded, as it appears in the path). */
export function hostInPath (url: string): string | null {
  return HOST_PREFIX.exec(url)?.[1] ?? null
}

/**
 * Fastify's `rewriteUrl`: `/hosts/<name>/apps/x?q` is routed as `/apps/x?q`, and the name kept on
 * the request for the hook below. A host's pages are then registered once, not once plain and
 * once under `/hosts/:host` (half the routes, their contexts and their compiled schemas, and
 * half the boot time that went into them). Only routes registered as host pages
 * (`config.hostScoped`) answer under a host's prefix; the rest are not found there, as before.
 */
export function rewriteHostUrl (req: IncomingMessage): string {
  const url = req.url ?? '/'
  const named = hostInPath(url)
  if (named === null) return url
  ;(req as RawWithHost)[NAMED_HOST] = named
  const rest = url.slice('/hosts/'.length + named.length)
  return rest === '' || rest[0] !== '/' ? `/${rest}` : rest
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A host's page: it answers at its own URL for the default host and under `/hosts/<name>` (app.ts). */
    hostScoped?: boolean
  }
}

/**
 * The Dokku hosts (each with its transport, runner and lanes, client, cache and health), the
 * jobs shared by all of them, and the request's host: resolved once per request, before any
 * route runs. An unknown host is a 404 page, and nothing runs.
 */
export default fp<HostsPluginOptions>(async (app, opts) => {
  const jobs = new JobManager(app.history)
  const hosts = new HostRegistry(opts.hosts.map((config) => new Host(
    config,
    opts.transportFor?.(config) ?? transportForHost(config, opts.dataDir),
    app.history,
    jobs,
    { runner: { ...DEFAULT_RUNNER_OPTIONS, ...opts.runner }, cacheTtlMs: opts.cacheTtlMs ?? 5000, pageTimeoutMs: opts.hostTimeoutMs ?? HOST_TIMEOUT_MS }
  )))
  const invalidate = (job: { host: string; app: string }) => hosts.get(job.host)?.cache.invalidateApp(job.app)
  jobs.onJobStarted(invalidate)
  jobs.onJobFinished(invalidate)

  app.decorate('hosts', hosts)
  app.decorate('jobs', jobs)
  app.decorateRequest('dokkuHost', null as unknown as Host)
  app.decorateRequest('hostBase', '')

  app.addHook('onRequest', (req: FastifyRequest, reply, done) => {
    const named = (req.raw as RawWithHost)[NAMED_HOST]
    const host = named === undefined ? undefined : hosts.get(named)
    if (host !== undefined && (req.is404 || req.routeOptions.config?.hostScoped === true)) {
      req.dokkuHost = host
      req.hostBase = `/hosts/${host.name}`
      done()
      return
    }
    req.dokkuHost = hosts.default
    // An unknown host, or a global page under a host's prefix: not found. Ended here (`done` is
    // not called): no route runs, so no dokku command either. (A path no route has is already
    // the not-found handler's, which shows its page with the default host.)
    if (named !== undefined && !req.is404) {
      reply.callNotFound()
      return
    }
    done()
  })

  // Jobs outlive a closed tab, not the process: they get the grace to finish, then are
  // cancelled and recorded as interrupted. Then every run still going is stopped, and each
  // host's transport closed (the SSH master connections).
  app.addHook('preClose', async () => {
    const { interrupted } = await jobs.shutdown(opts.shutdownGraceMs)
    if (interrupted > 0) app.log.warn({ interrupted }, 'jobs interrupted by shutdown')
  })
  app.addHook('onClose', async () => { await Promise.allSettled(hosts.list.map((h) => h.close())) })
}, { name: 'hosts', dependencies: ['db'] })
