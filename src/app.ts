import formbody from '@fastify/formbody'
import fastifyStatic from '@fastify/static'
import websocket from '@fastify/websocket'
import Fastify, { type FastifyError, type FastifyInstance, type FastifyServerOptions } from 'fastify'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Config } from './config.js'
import { Runner, DEFAULT_RUNNER_OPTIONS, type RunnerOptions } from './dokku/runner.js'
import { transportFor, type Transport } from './dokku/transport.js'
import { HealthSource, type HealthSourceOptions } from './health/server-health.js'
import { JobManager } from './jobs/manager.js'
import auth from './plugins/auth.js'
import db from './plugins/db.js'
import security from './plugins/security.js'
import views, { isFragmentRequest } from './plugins/views.js'
import authRoutes from './routes/auth/index.js'
import dashboardRoutes from './routes/dashboard/index.js'
import healthRoutes from './routes/health/index.js'
import historyRoutes from './routes/history/index.js'
import jobsRoutes from './routes/jobs/index.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    runner: Runner
    serverHealth: HealthSource
    jobs: JobManager
  }
}

export interface BuildOptions {
  logger?: FastifyServerOptions['logger']
  /** Replaces the transport chosen from config (tests point it at the simulator). */
  transport?: Transport
  runner?: Partial<RunnerOptions>
  health?: HealthSourceOptions
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const HTMX_DIST = join(dirname(createRequire(import.meta.url).resolve('htmx.org/package.json')), 'dist')

/** Largest request body we accept: a pasted .env block fits comfortably. */
export const BODY_LIMIT = 256 * 1024

/** Fastify errors that carry a 4xx status are the client's; anything else is ours. */
function clientStatus (err: FastifyError): number | null {
  const code = err.statusCode ?? 500
  return code >= 400 && code < 500 ? code : null
}

export async function buildApp (config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? { level: config.production ? 'info' : 'warn' },
    bodyLimit: BODY_LIMIT,
    trustProxy: false,
    routerOptions: { maxParamLength: 200 },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: true, allErrors: false } }
  })

  app.decorate('config', config)

  // Order matters: security first, so refused requests never reach a session check or route.
  await app.register(security, { production: config.production })
  await app.register(formbody, { bodyLimit: BODY_LIMIT })
  await app.register(db, { dataDir: config.dataDir })
  await app.register(views, { production: config.production })
  await app.register(auth, { password: config.password, secret: config.secret, production: config.production })
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } })

  app.decorate('runner', new Runner(opts.transport ?? transportFor(config), app.history,
    { ...DEFAULT_RUNNER_OPTIONS, ...opts.runner }))
  app.decorate('jobs', new JobManager(app.history))
  // Jobs outlive a closed tab, not the process: stop them so their rows close as cancelled.
  app.addHook('preClose', async () => { await app.jobs.drain({ cancel: true }) })
  app.decorate('serverHealth', new HealthSource({ diskPath: config.dataDir, ...opts.health }))

  await app.register(fastifyStatic, { root: join(ROOT, 'public'), prefix: '/static/', dotfiles: 'deny', index: false })
  await app.register(fastifyStatic, {
    root: HTMX_DIST, prefix: '/static/vendor/', decorateReply: false, index: false, allowedPath: (p) => /^\/htmx(\.min)?\.js$/.test(p)
  })

  await app.register(healthRoutes)
  await app.register(authRoutes)
  await app.register(dashboardRoutes)
  await app.register(historyRoutes)
  await app.register(jobsRoutes)

  app.setNotFoundHandler(async (req, reply) => {
    reply.code(404)
    if (req.url.startsWith('/api/')) return { error: 'Not Found', message: 'No such endpoint.' }
    return reply.render('error', { title: 'Not found', heading: 'Not found', message: 'There is nothing at this address.' })
  })

  app.setErrorHandler(async (err: FastifyError & { loginPage?: boolean }, req, reply) => {
    const status = clientStatus(err)
    if (status === null) req.log.error({ err }, 'request failed')
    reply.code(status ?? 500)
    const message = status === null
      ? 'Something went wrong on our side. The details are in the server log.'
      : err.validation ? `Invalid input: ${err.message}` : err.message

    if (err.loginPage) {
      return reply.render('login', { title: 'Log in', signedIn: false, next: '/', error: message })
    }
    if (req.url.startsWith('/api/')) return { error: status === null ? 'Internal Server Error' : 'Bad Request', message }
    if (isFragmentRequest(req)) {
      reply.toast({ level: 'error', message })
      return reply.fragment('alert', { level: 'error', message })
    }
    try {
      return await reply.render('error', {
        title: status === null ? 'Error' : 'Request refused',
        heading: status === null ? 'Something went wrong' : 'That did not work',
        message,
        requestId: status === null ? req.id : null
      })
    } catch (renderErr) {
      // Even the error page failed: say so plainly, still without internals.
      req.log.error({ err: renderErr }, 'error page failed to render')
      return reply.type('text/plain; charset=utf-8').send(message)
    }
  })

  return app
}
