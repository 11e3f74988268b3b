import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { SecretBox } from '../crypto/secret-box.js'
import { DiskSampleRepository } from '../db/disk-samples.js'
import { FindingRepository } from '../db/findings.js'
import { NotificationRepository } from '../db/notifications.js'
import { WatchSettings } from '../db/watch-settings.js'
import type { HistoryRepository } from '../db/history.js'
import type { Host } from '../hosts/host.js'
import { Notifier, type NotifierOptions } from '../notify/notifier.js'
import { sessionOf } from '../plugins/auth.js'
import { pageAlerts } from '../services/alerts.js'
import { lastDeploys } from '../services/deploys.js'
import type { AlertsContext } from './context.js'
import { demoResolver } from './demo.js'
import { fromLastDeploys, historyDeployOutcomes } from './deploys.js'
import { DefaultDiskSampler, type DiskSampler } from './disk.js'
import { SystemResolver, type Resolver } from './resolver.js'
import type { DeployOutcome } from './rules.js'
import { Watchdog } from './watchdog.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The watchdog, its findings and the notification channels. */
    alerts: AlertsContext
  }
}

/** What tests (and the server) may set; every field has a default. */
export interface WatchdogSetup {
  /** Run the checks on their timers: the server does, tests only when they ask. */
  start?: boolean
  resolver?: Resolver
  diskSampler?: DiskSampler
  now?: () => Date
  deployOutcomes?: (host: Host) => Promise<DeployOutcome[]> | DeployOutcome[]
  firstCheckDelayMs?: number
  notifier?: Pick<NotifierOptions, 'retryDelaysMs' | 'timeoutMs' | 'fetch'>
}

export interface WatchdogPluginOptions extends WatchdogSetup {
  intervalMs: number
  secret: string
  publicUrl: string | null
  demo: boolean
}

/**
 * The last deploy of each app: the deploys service's (issue 9: builds, pushes and Docklight's
 * own jobs, as releases). A host without the deploy store falls back to Docklight's own deploy
 * jobs in history. (A dokku failure leaves the rule unjudged, as for any other read.)
 */
export async function lastDeployOutcomes (host: Host, history: HistoryRepository): Promise<DeployOutcome[]> {
  if (!host.deploys) return historyDeployOutcomes(history, host.name)
  return fromLastDeploys(await lastDeploys(host))
}

/** The dashboard of every host (`/`), or of one (`/hosts/:host/`): its alerts card. */
function dashboardOf (req: FastifyRequest): 'all' | 'host' | null {
  // A host's dashboard is the same route under its prefix (rewriteHostUrl), with a hostBase.
  if (req.routeOptions.url !== '/') return null
  return req.hostBase === '' && req.server.hosts.several ? 'all' : 'host'
}

/** `:app` of an app page (`/apps/:app…`, `/hosts/:host/apps/:app…`), for its findings. */
function appOf (req: FastifyRequest): string | null {
  const route = req.routeOptions.url ?? ''
  if (!/(^|\/)apps\/:app(\/|$)/.test(route)) return null
  const app = (req.params as { app?: unknown } | undefined)?.app
  return typeof app === 'string' && app.length <= 200 ? app : null
}

/**
 * The watchdog (one background checker per host), its findings, and the notifier, as
 * `app.alerts`. Every signed-in page gets the alert counts, the security banner and, on an
 * app's pages, that app's findings (`reply.locals`, read by the layout and the app tabs).
 */
export default fp<WatchdogPluginOptions>(async (app, opts) => {
  const now = opts.now ?? (() => new Date())
  const findings = new FindingRepository(app.db)
  const disk = new DiskSampleRepository(app.db)
  const notifications = new NotificationRepository(app.db, now)
  const settings = new WatchSettings(app.db)
  const box = new SecretBox(opts.secret, 'notification-channels')
  const notifier = new Notifier(notifications, findings, box, {
    ...opts.notifier,
    now,
    publicUrl: opts.publicUrl,
    onError: (err) => app.log.error({ err }, 'a notification could not be sent')
  })
  const diskSampler = opts.diskSampler ?? new DefaultDiskSampler()
  const watchdog = new Watchdog(app.hosts.list, findings, disk, {
    intervalMs: opts.intervalMs,
    firstCheckDelayMs: opts.firstCheckDelayMs,
    now,
    resolver: opts.resolver ?? (opts.demo ? demoResolver() : new SystemResolver()),
    diskSampler,
    deployOutcomes: opts.deployOutcomes ?? ((host) => lastDeployOutcomes(host, app.history)),
    hostAddresses: (host) => settings.addresses(host.name),
    onChanges: (_host, changes) => { notifier.changed(changes) },
    onError: (host, err) => app.log.error({ err, host: host.name }, 'a watchdog check failed')
  })
  const ctx: AlertsContext = { findings, disk, notifications, settings, watchdog, notifier, box, diskSampler, now, running: opts.start === true }
  app.decorate('alerts', ctx)

  if (opts.start) {
    app.addHook('onReady', async () => {
      notifier.start()
      watchdog.start()
    })
    // A job that changed an app with open findings (a restart from its page, a renewal from the
    // TLS page) is followed by a check of its host, rather than waiting for the next round.
    app.jobs.onJobFinished((job) => {
      const host = app.hosts.get(job.host)
      if (host && findings.forApp(job.host, job.app).length > 0) void watchdog.check(host)
    })
  }
  app.addHook('preClose', async () => {
    await watchdog.stop()
    await notifier.stop()
  })

  // A callback hook, as the per-request ones in plugins/ (no promise per request).
  app.addHook('preHandler', (req, reply, done) => {
    // @fastify/view merges `reply.locals` into every template's data (its types omit it).
    const locals = (reply as unknown as { locals?: Record<string, unknown> | null }).locals
    if (locals && !req.url.startsWith('/api/') && !req.url.startsWith('/static/') && sessionOf(req) !== null) {
      Object.assign(locals, pageAlerts(ctx, app.hosts.list, req.dokkuHost, { app: appOf(req), dashboard: dashboardOf(req) }))
    }
    done()
  })
}, { name: 'watchdog', dependencies: ['db', 'hosts', 'views', 'auth'] })
