import fp from 'fastify-plugin'
import { openDatabase, type Db } from '../db/database.js'
import { HistoryRepository } from '../db/history.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: Db
    history: HistoryRepository
  }
}

export interface DbPluginOptions {
  dataDir: string
}

/** Opens docklight.db, migrates it, and exposes the history repository. */
export default fp<DbPluginOptions>(async (app, opts) => {
  const db = openDatabase(opts.dataDir)
  const history = new HistoryRepository(db)
  const interrupted = history.markInterrupted()
  if (interrupted > 0) app.log.warn({ interrupted }, 'marked runs left over from a previous process as interrupted')
  app.decorate('db', db)
  app.decorate('history', history)
  app.addHook('onClose', async () => { db.close() })
}, { name: 'db' })
