import formbody from '@fastify/formbody'
import websocket from '@fastify/websocket'
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Config } from './config.js'
import { DokkuError, httpStatusFor, InvalidArgumentError } from './dokku/errors.js'
import { AppBusyError } from './jobs/manager.js'
import type { RunnerOptions } from './dokku/runner.js'
import { withOrigin } from './run-context.js'
import { RouteValidators } from './schema-cache.js'
import type { Transport } from './dokku/transport.js'
import { HealthSource, type HealthSourceOptions } from './health/server-health.js'
import assets from './plugins/assets.js'
import auth from './plugins/auth.js'
import db from './plugins/db.js'
import deploys from './plugins/deploys.js'
import delivery from './plugins/delivery.js'
import hosts, { rewriteHostUrl } from './plugins/hosts.js'
import security from './plugins/security.js'
import views, { isFragmentRequest } from './plugins/views.js'
import activityRoutes, { appActivityRoutes } from './routes/activity/index.js'
import appSettingsRoutes from './routes/app-settings/index.js'
import appsRoutes from './routes/apps/index.js'
import authRoutes from './routes/auth/index.js'
import configRoutes from './routes/config/index.js'
import cronRoutes from './routes/cron/index.js'
import dashboardRoutes from './routes/dashboard/index.js'
import deployRoutes from './routes/deploy/index.js'
import hooksRoutes from './routes/hooks/index.js'
import databasesRoutes from './routes/databases/index.js'
import domainsRoutes from './routes/domains/index.js'
import healthRoutes from './routes/health/index.js'
import historyRoutes, { appHistoryRoutes } from './routes/history/index.js'
import jobsRoutes from './routes/jobs/index.js'
import logsRoutes from './routes/logs/index.js'
import pluginsRoutes from './routes/plugins/index.js'
import serverRoutes from './routes/server/index.js'
import settingsRoutes from './routes/settings/index.js'
import alertsRoutes from './routes/alerts/index.js'
import paletteRoutes from './routes/palette/index.js'
import notificationsRoutes from './routes/settings/notifications.js'
import watchdog, { type WatchdogSetup } from './watchdog/plugin.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    serverHealth: HealthSource
    /** Compiles the route validators no request has needed yet (the server, once it listens). */
    warmValidators (): Promise<Error[]>
  }
}

export interface BuildOptions {
  logger?: FastifyServerOptions['logger']
  /** Replaces the default host's transport (tests point it at the simulator). */
  transport?: Transport
  /** Replaces hosts' transports by host name (multi-host tests). */
  transports?: Record<string, Transport>
  runner?: Partial<RunnerOptions>
  health?: HealthSourceOptions
  /** How long read-only dokku answers are reused (0 turns the cache off). */
  cacheTtlMs?: number
  /** How long a page that spans hosts waits for one of them. */
  hostTimeoutMs?: number
  /** The watchdog: off unless `start` (the server starts it; tests ask when they need it), and what it uses. */
  watchdog?: WatchdogSetup
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const HTMX_DIST = join(dirname(createRequire(import.meta.url).resolve('htmx.org/package.json')), 'dist')

/** Largest request body we accept: a pasted .env block fits comfortably. */
export const BODY_LIMIT = 256 * 1024

/**
 * The status to answer with, and whether the message may be shown. Input we refused (4xx) and
 * dokku's own failures are the user's to read; anything else is ours and stays in the log.
 */
function describeError (err: FastifyError): { status: number; shown: boolean } {
  if (err instanceof DokkuError || err instanceof InvalidArgumentError) return { status: httpStatusFor(err), shown: true }
  const code = err.statusCode ?? 500
  return code >= 400 && code < 500 ? { status: code, shown: true } : { status: 500, shown: false }
}

export async function buildApp (config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const validators = new RouteValidators()
  const app = Fastify({
    logger: opts.logger ?? { level: config.production ? 'info' : 'warn' },
    bodyLimit: BODY_LIMIT,
    // A hop count is valid at run time (proxy-addr), though Fastify's types omit it.
    trustProxy: config.trustProxy as boolean | string[],
    // Log tails and job streams are long-lived: close them rather than wait on shutdown.
    forceCloseConnections: true,
    // No "incoming request"/"request completed" pair per request: two JSON lines for every
    // poll of every open tab were a third of the CPU of a small answer, and filled the journal.
    // Failures are still logged, by the error handler, with the request's id.
    logController: new LogController({ disableRequestLogging: true }),
    routerOptions: { maxParamLength: 200 },
    rewriteUrl: rewriteHostUrl,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: true, allErrors: false }, onCreate: validators.attach }
  })
  app.decorate('warmValidators', () => validators.warm())

  app.decorate('config', config)
  // Every dokku run a request causes is recorded with where it came from: the rest of the
  // request (hooks, handler, and what they start) runs inside that context.
  app.addHook('onRequest', (req, _reply, done) => {
    // (`req.url` is routed without a `/hosts/<name>` prefix: see rewriteHostUrl.) A page needs
    // no context of its own: 'page' is what a run outside any context records.
    const origin = req.url.startsWith('/api/v1/') ? 'api' : req.url.startsWith('/hooks/') ? 'webhook' : null
    if (origin === null) done()
    else withOrigin(origin, done)
  })

  // Order matters. The websocket plugin first: its hooks close an upgrade socket that a later
  // hook refuses (no session, cross-site). Then security, so refused requests never reach a
  // session check or a route.
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } })
  await app.register(security, { production: config.production })
  await app.register(formbody, { bodyLimit: BODY_LIMIT })
  await app.register(db, { dataDir: config.dataDir, retention: { days: config.historyDays, maxRows: config.historyMaxRows } })
  // Compression and ETags apply to the routes registered after them: every route.
  await app.register(delivery)
  await app.register(assets, { publicDir: join(ROOT, 'public'), htmxDir: HTMX_DIST, immutable: !config.development })
  await app.register(views, { production: config.production, reloadTemplates: config.development })
  await app.register(auth, { password: config.password, secret: config.secret, production: config.production })

  const defaultHost = config.hosts[0]!.name
  await app.register(hosts, {
    hosts: config.hosts,
    dataDir: config.dataDir,
    transportFor: (host) => opts.transports?.[host.name] ?? (host.name === defaultHost ? opts.transport : undefined),
    runner: opts.runner,
    cacheTtlMs: opts.cacheTtlMs,
    hostTimeoutMs: opts.hostTimeoutMs,
    shutdownGraceMs: config.shutdownGraceMs
  })
  // Releases, webhooks and the events log's groups, on every host (before anything reads them).
  await app.register(deploys)
  app.decorate('serverHealth', new HealthSource({ diskPath: config.dataDir, ...opts.health }))
  await app.register(watchdog, {
    ...opts.watchdog, intervalMs: config.watchIntervalMs, secret: config.secret, publicUrl: config.publicUrl, demo: config.demo
  })
  app.addHook('onClose', async () => { app.serverHealth.close() })


  app.setNotFoundHandler(async (req, reply) => {
    reply.code(404)
    if (req.url.startsWith('/api/')) return { error: 'Not Found', message: 'No such endpoint.' }
    return reply.render('error', { title: 'Not found', heading: 'Not found', message: 'There is nothing at this address.' })
  })

  app.setErrorHandler(async (err: FastifyError, req, reply) => {
    const { status, shown } = describeError(err)
    if (!shown) req.log.error({ err }, 'request failed')
    else if (err instanceof DokkuError) req.log.warn({ kind: err.kind, historyId: err.historyId }, 'dokku command failed')
    reply.code(status)
    const message = !shown
      ? 'Something went wrong on our side. The details are in the server log.'
      : err.validation ? `Invalid input: ${err.message}` : err.message
    const historyId = err instanceof DokkuError ? err.historyId : null

    if (req.url.startsWith('/api/')) return { error: shown ? 'Request failed' : 'Internal Server Error', message }
    if (isFragmentRequest(req) && err instanceof AppBusyError) {
      // A second action on a busy app: its message goes above the running job's live panel,
      // never over it (job.js brings the panel in when the page does not show it yet).
      reply.retarget({ target: '#job-area', swap: 'afterbegin' }).toast({ level: 'error', message })
      return reply.fragment('job-busy', { message, busy: err.runningJob })
    }
    if (isFragmentRequest(req)) {
      reply.toast({ level: 'error', message })
      return reply.fragment('alert', { level: 'error', message, historyId })
    }
    try {
      return await reply.render('error', {
        title: shown ? 'Request refused' : 'Error',
        heading: !shown ? 'Something went wrong' : status === 404 ? 'Not found' : 'That did not work',
        message,
        historyId,
        requestId: shown ? null : req.id
      })
    } catch (renderErr) {
      // Even the error page failed: say so plainly, still without internals.
      req.log.error({ err: renderErr }, 'error page failed to render')
      return reply.type('text/plain; charset=utf-8').send(message)
    }
  })

  // Routes come after the handlers above: each route plugin inherits them when it loads.
  // Global pages: one of each, whatever the number of hosts.
  await app.register(healthRoutes)
  await app.register(authRoutes)
  await app.register(historyRoutes)
  await app.register(jobsRoutes)
  await app.register(activityRoutes)
  await app.register(settingsRoutes)
  await app.register(notificationsRoutes)
  await app.register(alertsRoutes)
  await app.register(paletteRoutes)
  // A host's pages: at their plain URLs for the default host (and, for the dashboard, every
  // host), and under /hosts/<name>/ for each host, registered once: the URL is routed without
  // its host prefix (rewriteHostUrl) and the hosts plugin has resolved the host.
  await app.register(async (scope: FastifyInstance): Promise<void> => {
    scope.addHook('onRoute', (route) => { route.config = { ...route.config, hostScoped: true } })
    // Webhooks: their own body parser, at /hooks/… and /hosts/<name>/hooks/….
    await scope.register(hooksRoutes)
    await scope.register(dashboardRoutes)
    await scope.register(appsRoutes)
    await scope.register(appHistoryRoutes)
    await scope.register(deployRoutes)
    await scope.register(appActivityRoutes)
    await scope.register(configRoutes)
    await scope.register(domainsRoutes)
    await scope.register(appSettingsRoutes)
    await scope.register(cronRoutes)
    await scope.register(logsRoutes)
    await scope.register(databasesRoutes)
    await scope.register(pluginsRoutes)
    await scope.register(serverRoutes)
  })

  return app
}
