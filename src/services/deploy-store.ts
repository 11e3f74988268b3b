import type { SecretBox } from '../crypto/secret-box.js'
import type { DokkuEventsRepository } from '../db/dokku-events.js'
import type { ReleasesRepository } from '../db/releases.js'
import type { WebhooksRepository } from '../db/webhooks.js'
import type { Host } from '../hosts/host.js'

/**
 * What the deploy services keep in SQLite, shared by every host (rows carry their host):
 * releases, webhooks and their deliveries, the events log's groups, and the box that seals
 * webhook secrets. src/plugins/deploys.ts attaches it to each host at boot.
 */
export interface DeployStore {
  releases: ReleasesRepository
  webhooks: WebhooksRepository
  events: DokkuEventsRepository
  /** Seals webhook secrets (SecretBox, purpose `webhooks`). */
  secrets: SecretBox
  /** DOCKLIGHT_PUBLIC_URL: where webhooks reach Docklight; null: derived from the request. */
  publicUrl: string | null
}

declare module '../hosts/host.js' {
  interface Host {
    /** The deploy services' store (set by the deploys plugin). */
    deploys?: DeployStore
  }
}

/** The host's deploy store; a host made without the deploys plugin is a programming error. */
export function storeOf (host: Host): DeployStore {
  if (!host.deploys) throw new Error(`host ${host.name} has no deploy store: register the deploys plugin`)
  return host.deploys
}
