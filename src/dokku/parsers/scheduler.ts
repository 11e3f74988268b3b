import { OutputParseError } from '../errors.js'
import { parseJsonOutput } from './common.js'
import { parseReportText, stripPrefix, toRecord, type Fields } from './report.js'

/**
 * Which scheduler deploys each app (`scheduler:report`, dokku-reference/app-settings.md §11.1)
 * and the nodes of dokku's own k3s cluster (`scheduler-k3s:cluster:list`, §11.3).
 */

/** dokku's default when neither the app nor the global setting names one. */
export const DEFAULT_SCHEDULER = 'docker-local'

export interface SchedulerReport {
  app: string
  /** The scheduler the app deploys with (`computed-selected`): `docker-local`, `k3s`, `null`, … */
  scheduler: string
  /** The app's own setting; '' when it follows the global one. */
  appSetting: string
  /** The global setting ('' when unset since 0.38.6; `docker-local` filled in before). */
  globalSetting: string
  raw: Record<string, string>
}

export function schedulerFromFields (app: string, fields: Fields): SchedulerReport {
  const appSetting = fields.get('selected') ?? ''
  const globalSetting = fields.get('global-selected') ?? ''
  const computed = fields.get('computed-selected') ?? ''
  return {
    app,
    // Before 0.38.6 `computed` could be empty when nothing was set; dokku then deployed with docker-local.
    scheduler: computed || appSetting || globalSetting || DEFAULT_SCHEDULER,
    appSetting,
    globalSetting,
    raw: toRecord(fields)
  }
}

/**
 * `scheduler:report` with no app: one text section per app (0.26.0+; the `shell` rows since
 * 0.38.8). No apps: nothing on stdout (dokku warns on stderr and exits 0).
 */
export function parseSchedulerReportAll (stdout: string): SchedulerReport[] {
  return parseReportText(stdout)
    .filter((s) => !s.global && s.name !== '')
    .map((s) => schedulerFromFields(s.name, stripPrefix(s.fields, 'scheduler')))
}

/** One node of the k3s cluster, as `cluster:list --format json` gives it (Go field names). */
export interface ClusterNode {
  name: string
  ready: boolean
  /** Sorted; empty for a plain worker. */
  roles: string[]
  /** The kubelet's version, e.g. `v1.33.4+k3s1`. */
  version: string
  /** The ssh target `cluster:add` joined it with; '' for the node dokku runs on. */
  remoteHost: string
}

/** `scheduler-k3s:cluster:list --format json`: `[{"Name","Roles","Ready","RemoteHost","Version"}]`. */
export function parseClusterListJson (stdout: string): ClusterNode[] {
  const data = parseJsonOutput(stdout, 'a list of cluster nodes')
  if (!Array.isArray(data)) throw new OutputParseError('expected a JSON array of cluster nodes')
  return data.map((row: unknown) => {
    const r = row as { Name?: unknown; Roles?: unknown; Ready?: unknown; RemoteHost?: unknown; Version?: unknown }
    if (typeof r?.Name !== 'string' || typeof r.Ready !== 'boolean') throw new OutputParseError('expected {"Name","Ready",…} node rows')
    const roles = Array.isArray(r.Roles) ? r.Roles.filter((x): x is string => typeof x === 'string') : []
    return {
      name: r.Name,
      ready: r.Ready,
      roles,
      version: typeof r.Version === 'string' ? r.Version : '',
      remoteHost: typeof r.RemoteHost === 'string' ? r.RemoteHost : ''
    }
  })
}

/**
 * What `cluster:list` answered: its nodes; `none` when this host runs no k3s cluster (no
 * kubeconfig, the plugin missing, or a dokku before 0.33); `unavailable` when the cluster is
 * there but its Kubernetes API does not answer. The message is dokku's own.
 */
export type K3sCluster =
  | { state: 'nodes'; nodes: ClusterNode[] }
  | { state: 'none'; message: string | null }
  | { state: 'unavailable'; message: string }

/** ` !     …` lines of a refused `cluster:list`, and what each means. */
const NO_CLUSTER = [
  // No kubeconfig where dokku looks (/etc/rancher/k3s/k3s.yaml): k3s was never initialized here.
  /^Unable to create kubernetes client: stat .*: no such file or directory$/,
  // 0.33.0 to 0.33.6 checked for k3s itself.
  /^k3s not installed, cannot list cluster nodes$/
]
const UNAVAILABLE = [/^kubernetes api not available, cannot list cluster nodes: /, /^Unable to create kubernetes client: /, /^Unable to list nodes: /]

/** The meaning of a failed `cluster:list` from dokku's message, or null when it is another failure. */
export function clusterFailure (message: string): K3sCluster | null {
  if (NO_CLUSTER.some((re) => re.test(message))) return { state: 'none', message }
  if (UNAVAILABLE.some((re) => re.test(message))) return { state: 'unavailable', message }
  return null
}
