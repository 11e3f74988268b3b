import type { HistoryRepository, HistoryRow } from '../db/history.js'
import type { LastDeploy } from '../services/releases.js'
import type { DeployOutcome } from './rules.js'

/**
 * The last deploy of each app, from Docklight's own jobs in history: a rebuild, or a deploy
 * from git, an image or an archive. (Deploys pushed with `git push` straight to dokku are not
 * Docklight's jobs; the deploys service, which also reads dokku's build records, sees those.)
 */

/** Bound: how many of the host's latest actions are looked through. */
export const DEPLOY_SCAN_ROWS = 500

const DEPLOY_COMMAND = /^dokku (?:--\S+ )*(?:ps:rebuild|git:sync\b.*--build|git:from-image|git:from-archive)\b/

function statusOf (row: HistoryRow): DeployOutcome['status'] | null {
  switch (row.status) {
    case 'success': return 'succeeded'
    case 'failed': case 'timeout': case 'error': return 'failed'
    case 'running': case 'queued': return 'running'
    case 'cancelled': return 'canceled'
    default: return null // skipped, interrupted: no verdict on the app
  }
}

export function historyDeployOutcomes (history: HistoryRepository, host: string): DeployOutcome[] {
  const latest = new Map<string, DeployOutcome>()
  for (const row of history.list({ host, kind: 'actions', limit: DEPLOY_SCAN_ROWS })) {
    if (row.kind !== 'job' || row.app === null || latest.has(row.app) || !DEPLOY_COMMAND.test(row.command)) continue
    const status = statusOf(row)
    if (status === null) continue
    latest.set(row.app, { app: row.app, status, at: row.createdAt, link: `/jobs/${row.id}`, what: row.label ?? row.command, message: row.error })
  }
  return [...latest.values()]
}

/** The deploys service's view (Docklight's jobs, dokku's build records, the events log) as the rule's input. */
export function fromLastDeploys (last: ReadonlyMap<string, LastDeploy>): DeployOutcome[] {
  const out: DeployOutcome[] = []
  for (const [app, d] of last) {
    if (d.status === 'unknown') continue
    out.push({
      app,
      status: d.status,
      at: d.at,
      link: d.jobId !== null ? `/jobs/${d.jobId}` : `/apps/${app}/deploy/releases/${d.releaseId}`,
      what: d.source ? `A deploy (${d.source})` : 'A deploy',
      message: d.error
    })
  }
  return out
}
