import fp from 'fastify-plugin'
import { openDatabase, type Db } from '../db/database.js'
import { HistoryRepository } from '../db/history.js'
import { HistoryPruner, type HistoryPrunerOptions } from '../db/history-pruner.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    history: HistoryRepository
    /** Keeps history within its retention, in the background. */
    historyPruner: HistoryPruner
  }
}

export interface DbPluginOptions {
  dataDir: string
  /** History retention (config.historyDays, config.historyMaxRows) and, for tests, the pruner's clock and timings. */
  retention: Pick<HistoryPrunerOptions, 'days' | 'maxRows'> & Partial<Omit<HistoryPrunerOptions, 'onPass' | 'onError'>>
}

/** Opens docklight.db, migrates it, exposes the history repository and prunes it in the background. */
export default fp<DbPluginOptions>(async (app, opts) => {
  const db = openDatabase(opts.dataDir)
  const history = new HistoryRepository(db)
  const interrupted = history.markInterrupted()
  if (interrupted > 0) app.log.warn({ interrupted }, 'marked runs left over from a previous process as interrupted')
  const pruner = new HistoryPruner(history, db, {
    ...opts.retention,
    onPass: (result) => {
      if (result.byAge + result.byRows > 0) app.log.info({ ...result }, 'pruned history')
    },
    onError: (err) => { app.log.error({ err }, 'pruning history failed') }
  })
  app.decorate('db', db)
  app.decorate('history', history)
  app.decorate('historyPruner', pruner)
  // The first pass comes shortly after the server is ready, never before it: start-up does
  // not wait on it.
  app.addHook('onReady', async () => { pruner.start() })
  app.addHook('onClose', async () => {
    await pruner.stop()
    db.close()
  })
}, { name: 'db' })
