import fp from 'fastify-plugin'
import { ReadCache } from '../dokku/cache.js'
import { DokkuClient } from '../dokku/client.js'
import { Runner, DEFAULT_RUNNER_OPTIONS, type RunnerOptions } from '../dokku/runner.js'
import type { Transport } from '../dokku/transport.js'
import { JobManager } from '../jobs/manager.js'

declare module 'fastify' {
  interface FastifyInstance {
    runner: Runner
    dokku: DokkuClient
    /** Brief cache of read-only dokku answers; our own changes to an app drop its entries. */
    readCache: ReadCache
    jobs: JobManager
  }
}

export interface DokkuPluginOptions {
  transport: Transport
  runner?: Partial<RunnerOptions>
  cacheTtlMs?: number
  /** How long running jobs may finish when the server closes. */
  shutdownGraceMs: number
}

/** Everything that runs dokku: the runner, the typed client, the read cache and the jobs. */
export default fp<DokkuPluginOptions>(async (app, opts) => {
  const runner = new Runner(opts.transport, app.history, { ...DEFAULT_RUNNER_OPTIONS, ...opts.runner })
  const readCache = new ReadCache({ ttlMs: opts.cacheTtlMs ?? 5000 })
  const jobs = new JobManager(app.history, { remote: runner.remote })
  jobs.onJobStarted((job) => readCache.invalidateApp(job.app))
  jobs.onJobFinished((job) => readCache.invalidateApp(job.app))

  app.decorate('runner', runner)
  app.decorate('dokku', new DokkuClient(runner))
  app.decorate('readCache', readCache)
  app.decorate('jobs', jobs)
  // Jobs outlive a closed tab, not the process: they get the grace to finish, then are
  // cancelled and recorded as interrupted. Then every run still going is stopped.
  app.addHook('preClose', async () => {
    const { interrupted } = await jobs.shutdown(opts.shutdownGraceMs)
    if (interrupted > 0) app.log.warn({ interrupted }, 'jobs interrupted by shutdown')
  })
  app.addHook('onClose', async () => { await runner.close() })
}, { name: 'dokku', dependencies: ['db'] })
