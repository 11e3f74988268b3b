/**
 * `scheduler:report` and `scheduler-k3s:cluster:list` (dokku-reference/app-settings.md §11;
 * dokku's plugins/scheduler/report.go and plugins/scheduler-k3s/subcommands.go).
 */
import type { Ctx } from '../context.js'
import { columnize, goJsonString } from '../format.js'
import { runReport, type ReportDef } from '../report.js'
import { notACommand } from '../simulate.js'
import type { K3sNodeState, SimState } from '../state.js'

const DEFAULT_SCHEDULER = 'docker-local'

/** The scheduler an app deploys with: its own setting, else the global one, else docker-local. */
export function appScheduler (s: SimState, app: string): string {
  return s.apps[app]?.scheduler?.selected || s.global.scheduler?.selected || DEFAULT_SCHEDULER
}

function schedulerFlags (ctx: Ctx, s: SimState, app: string | null): Array<[string, string]> {
  const raw = (k: string) => (app === null ? '' : s.apps[app]?.scheduler?.[k] ?? '')
  const glob = (k: string) => s.global.scheduler?.[k] ?? ''
  const flags: Array<[string, string]> = []
  if (ctx.atLeast('0.38.6')) {
    // Global keys raw, the effective value in `computed`.
    flags.push(['--scheduler-computed-selected', raw('selected') || glob('selected') || DEFAULT_SCHEDULER], ['--scheduler-global-selected', glob('selected')])
  } else {
    // The global key carried the default; `--global` (0.38.0+) showed only it.
    const global = glob('selected') || DEFAULT_SCHEDULER
    if (app !== null) flags.push(['--scheduler-computed-selected', raw('selected') || global])
    flags.push(['--scheduler-global-selected', global])
  }
  if (app !== null) flags.push(['--scheduler-selected', raw('selected')])
  if (ctx.atLeast('0.38.8')) {
    flags.push(['--scheduler-computed-shell', raw('shell') || glob('shell')], ['--scheduler-global-shell', glob('shell')])
    if (app !== null) flags.push(['--scheduler-shell', raw('shell')])
  }
  return flags
}

/** `scheduler:report [<app>|--global] [--format json] [<flag>]` (the scheduler plugin, 0.26.0+). */
export async function cmdSchedulerReport (ctx: Ctx, args: string[]): Promise<void> {
  if (!ctx.atLeast('0.26.0')) notACommand(ctx, ['scheduler:report', ...args])
  const def: ReportDef = {
    reportType: 'scheduler',
    legacyPrefix: true,
    jsonSince: '0.26.0',
    globalSince: '0.38.0',
    appFlags: (s, app) => schedulerFlags(ctx, s, app),
    globalFlags: (s) => schedulerFlags(ctx, s, null)
  }
  await runReport(ctx, 'scheduler:report', def, args)
}

/** `Node.String()` columns and the JSON of `[]Node` (no json tags: Go field names, field order). */
function nodeJson (n: K3sNodeState): string {
  return `{"Name":${goJsonString(n.name)},"Roles":[${n.roles.map(goJsonString).join(',')}],"Ready":${n.ready},"RemoteHost":${goJsonString(n.remoteHost)},"Version":${goJsonString(n.version)}}`
}

/**
 * `scheduler-k3s:cluster:list [--format stdout|json]` (0.37.0+), `scheduler-k3s:cluster-list`
 * before (0.33.0+; the rename kept no alias). Without a kubeconfig the Kubernetes client cannot
 * be made; with k3s down its API does not answer.
 */
export async function cmdK3sClusterList (ctx: Ctx, args: string[], command: 'scheduler-k3s:cluster:list' | 'scheduler-k3s:cluster-list'): Promise<void> {
  const colon = command === 'scheduler-k3s:cluster:list'
  if (!ctx.atLeast('0.33.0') || ctx.atLeast('0.37.0') !== colon) notACommand(ctx, [command, ...args])
  const { values } = ctx.pflags(command, [{ name: 'format', type: 'string', def: 'stdout', usage: 'format: [ stdout | json ]' }], args)
  const format = String(values.format ?? 'stdout')
  if (format !== 'stdout' && format !== 'json') ctx.fail(`Invalid format: ${format}`)
  const s = await ctx.store.read()
  if (!s.k3s) {
    // 0.33.0 to 0.33.6 looked for k3s first; later releases go straight to the client.
    if (!ctx.atLeast('0.33.7')) ctx.fail('k3s not installed, cannot list cluster nodes')
    ctx.fail('Unable to create kubernetes client: stat /etc/rancher/k3s/k3s.yaml: no such file or directory')
  }
  if (s.k3s.apiDown) {
    ctx.fail('kubernetes api not available, cannot list cluster nodes: Get "https://127.0.0.1:6443/version": dial tcp 127.0.0.1:6443: connect: connection refused')
  }
  // The API lists nodes by name.
  const nodes = [...s.k3s.nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  if (format === 'json') {
    ctx.line(`[${nodes.map(nodeJson).join(',')}]`)
    return
  }
  ctx.line(columnize([['name', 'ready', 'roles', 'version'], ...nodes.map((n) => [n.name, String(n.ready), n.roles.join(','), n.version])]))
}
