import { dokkuMessages } from '../errors.js'
import type { DokkuVersion } from '../parsers/version.js'
import { versionAtLeast } from '../parsers/version.js'
import { clusterFailure, parseClusterListJson, parseSchedulerReportAll, type K3sCluster, type SchedulerReport } from '../parsers/scheduler.js'
import { isNotInstalled, TIMEOUTS, type CommandOutput, type CommandSpec, type PluginResult } from './spec.js'

/** First dokku releases (dokku-reference/app-settings.md §11, `git tag --contains`). */
export const SCHEDULER_FEATURES = {
  /** The scheduler plugin and `scheduler:report` (before it, `DOKKU_SCHEDULER` config). */
  schedulerReport: '0.26.0',
  /** `scheduler-k3s:cluster-list [--format json]`. */
  clusterList: '0.33.0',
  /** Renamed `scheduler-k3s:cluster:list`, with no alias for the old name. */
  clusterListColon: '0.37.0'
} as const

/**
 * `dokku scheduler:report`: every app's scheduler in one call. Text on purpose: with
 * `--format json` dokku prints one object per app without naming the app. A dokku before
 * 0.26 has no such command: `{ installed: false }`.
 */
export function schedulerReportAll (): CommandSpec<PluginResult<{ apps: SchedulerReport[] }>> {
  return {
    args: ['scheduler:report'],
    kind: 'read', timeoutMs: TIMEOUTS.read,
    acceptFailure: isNotInstalled,
    parse: (out) => (out.exitCode !== 0 ? { installed: false } : { installed: true, apps: parseSchedulerReportAll(out.stdout) })
  }
}

function clusterMessage (out: CommandOutput): string {
  return dokkuMessages(out.stderr).join(' ')
}

/**
 * `dokku scheduler-k3s:cluster:list --format json` (`cluster-list` from 0.33.0 to 0.36.x): the
 * k3s cluster's nodes. Each call opens a Kubernetes client, so callers cache it. null when this
 * dokku is too old to have a cluster at all. A host without k3s answers `none`, a cluster whose
 * API does not answer `unavailable` (both with dokku's message): answers, not failures.
 */
export function k3sClusterList (version: DokkuVersion): CommandSpec<K3sCluster> | null {
  if (!versionAtLeast(version, SCHEDULER_FEATURES.clusterList)) return null
  const command = versionAtLeast(version, SCHEDULER_FEATURES.clusterListColon) ? 'scheduler-k3s:cluster:list' : 'scheduler-k3s:cluster-list'
  return {
    args: [command, '--format', 'json'],
    kind: 'read', timeoutMs: TIMEOUTS.read,
    acceptFailure: (out) => out.exitCode === 1 && (isNotInstalled(out) || clusterFailure(clusterMessage(out)) !== null),
    parse: (out) => {
      if (out.exitCode === 0) return { state: 'nodes', nodes: parseClusterListJson(out.stdout) }
      if (isNotInstalled(out)) return { state: 'none', message: null }
      return clusterFailure(clusterMessage(out))!
    }
  }
}
