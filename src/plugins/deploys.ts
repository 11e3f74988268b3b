import fp from 'fastify-plugin'
import { SecretBox } from '../crypto/secret-box.js'
import { DokkuEventsRepository } from '../db/dokku-events.js'
import { ReleasesRepository } from '../db/releases.js'
import { WebhooksRepository } from '../db/webhooks.js'
import type { DeployStore } from '../services/deploy-store.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** Releases, webhooks and the events log's groups (every host's). */
    deployStore: DeployStore
  }
}

/**
 * The deploy services' store (issue 9): one set of repositories over docklight.db, attached to
 * every host so that a service given a host finds it (the watchdog's `lastDeploys(host)` too).
 */
export default fp(async (app) => {
  const store: DeployStore = {
    releases: new ReleasesRepository(app.db),
    webhooks: new WebhooksRepository(app.db),
    events: new DokkuEventsRepository(app.db),
    secrets: new SecretBox(app.config.secret, 'webhooks'),
    publicUrl: app.config.publicUrl
  }
  const interrupted = store.releases.markInterrupted()
  if (interrupted > 0) app.log.warn({ interrupted }, 'deploys left running by a previous process are marked unknown')
  for (const host of app.hosts.list) host.deploys = store
  app.decorate('deployStore', store)
}, { name: 'deploys', dependencies: ['db', 'hosts'] })
