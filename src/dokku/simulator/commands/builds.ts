/**
 * `builds:*` (v0.38.0+; deploys.md §2): `builds:list`, `builds:info`, `builds:output`,
 * `builds:report` and `builds:cancel`, over the records deploys make (src/dokku/simulator/builds.ts).
 */
import type { Ctx } from '../context.js'
import { displayStatus, dokkuLogPath, goDuration, readLog, recordJson, retention, rfc3339, pruneBuilds, finalizeBuild } from '../builds.js'
import { columnize, goJsonStruct, sortBytes } from '../format.js'
import type { FlagSpec } from '../pflag.js'
import { runReport, type ReportDef } from '../report.js'
import { notACommand } from '../simulate.js'
import type { AppState, BuildRecordState, SimState } from '../state.js'

const FORMAT: FlagSpec = { name: 'format', type: 'string', def: 'stdout', usage: 'format: [ stdout | json ]' }
const KINDS = ['build', 'deploy']
const STATUSES = ['running', 'succeeded', 'failed', 'canceled', 'abandoned']

function requireBuilds (ctx: Ctx, command: string, args: string[]): void {
  if (!ctx.atLeast('0.38.0')) notACommand(ctx, [command, ...args])
}

function checkFormat (ctx: Ctx, format: string): void {
  if (format !== 'stdout' && format !== 'json') ctx.fail('Invalid format specified, supported formats: json, stdout')
}

/** Live (running, PID alive) first, then the rest newest first. */
function ordered (ctx: Ctx, records: readonly BuildRecordState[]): BuildRecordState[] {
  const live = records.filter((b) => displayStatus(ctx, b) === 'running').sort((x, y) => y.startedAt - x.startedAt)
  const rest = records.filter((b) => displayStatus(ctx, b) !== 'running').sort((x, y) => y.startedAt - x.startedAt)
  return [...live, ...rest]
}

function elapsed (ctx: Ctx, b: BuildRecordState): string {
  const display = displayStatus(ctx, b)
  const end = display === 'running' || display === 'abandoned' || b.finishedAt === undefined ? ctx.nowMs() : b.finishedAt
  return goDuration(end - b.startedAt)
}

export async function cmdBuildsList (ctx: Ctx, args: string[]): Promise<void> {
  requireBuilds(ctx, 'builds:list', args)
  const { values, positional } = ctx.pflags('builds:list', [
    FORMAT,
    { name: 'kind', type: 'string', def: '', usage: 'filter by kind: build or deploy' },
    { name: 'status', type: 'string', def: '', usage: 'filter by status: running, succeeded, failed, canceled or abandoned' }
  ], args)
  const format = String(values.format)
  const kind = String(values.kind)
  const status = String(values.status)
  checkFormat(ctx, format)
  if (kind !== '' && !KINDS.includes(kind)) ctx.fail(`Invalid --kind value ${JSON.stringify(kind)} (allowed: build, deploy)`)
  if (status !== '' && !STATUSES.includes(status)) ctx.fail(`Invalid --status value ${JSON.stringify(status)} (allowed: running, succeeded, failed, canceled, abandoned)`)
  const state = await ctx.store.read()
  const app = positional[0]
  if (app === undefined || app === '') return listRunningEverywhere(ctx, state, format, kind, status)
  const a = state.apps[app]
  if (!a) ctx.appMissing(app)
  let records = ordered(ctx, a!.builds ?? [])
  if (kind !== '') records = records.filter((b) => b.kind === kind)
  if (status !== '') records = records.filter((b) => displayStatus(ctx, b) === status)
  if (kind === '' && status === '') {
    const live = records.filter((b) => displayStatus(ctx, b) === 'running').length
    records = records.slice(0, live + retention())
  }
  if (format === 'json') {
    ctx.line('[' + records.map((b) => goJsonStruct(recordJson(ctx, app, b))).join(',') + ']')
    return
  }
  if (records.length === 0) {
    ctx.line('No builds recorded for this app')
    return
  }
  const rows = [['Build ID', 'Kind', 'Status', 'PID', 'Source', 'Started', 'Duration'],
    ...records.map((b) => [b.id, b.kind, displayStatus(ctx, b), String(b.pid), b.source, rfc3339(b.startedAt), elapsed(ctx, b)])]
  ctx.line(columnize(rows))
}

/** No app: records whose on-disk status is `running`, across apps (abandoned ones included). */
function listRunningEverywhere (ctx: Ctx, state: SimState, format: string, kind: string, status: string): void {
  const all: Array<[string, BuildRecordState]> = []
  for (const app of sortBytes(Object.keys(state.apps))) {
    for (const b of state.apps[app]!.builds ?? []) {
      if (b.status !== 'running') continue
      if (kind !== '' && b.kind !== kind) continue
      if (status !== '' && displayStatus(ctx, b) !== status) continue
      all.push([app, b])
    }
  }
  all.sort((x, y) => y[1].startedAt - x[1].startedAt)
  if (format === 'json') {
    ctx.line('[' + all.map(([app, b]) => goJsonStruct(recordJson(ctx, app, b))).join(',') + ']')
    return
  }
  if (all.length === 0) {
    ctx.line('No builds currently running')
    return
  }
  ctx.line(columnize([['App', 'Build ID', 'Kind', 'PID', 'Source', 'Started'],
    ...all.map(([app, b]) => [app, b.id, b.kind, String(b.pid), b.source, rfc3339(b.startedAt)])]))
}

function findRecord (ctx: Ctx, a: AppState, app: string, id: string): BuildRecordState {
  const b = (a.builds ?? []).find((r) => r.id === id)
  if (!b) return ctx.fail(`No build record found for ${app}/${id}`)
  return b
}

export async function cmdBuildsInfo (ctx: Ctx, args: string[]): Promise<void> {
  requireBuilds(ctx, 'builds:info', args)
  const { values, positional } = ctx.pflags('builds:info', [FORMAT], args)
  const [app, id] = positional
  if (app === undefined || app === '') ctx.fail('Please specify an app to run the command on')
  const state = await ctx.store.read()
  const a = state.apps[app!]
  if (!a) ctx.appMissing(app!)
  if (id === undefined || id === '') ctx.fail('Please specify a build id')
  const format = String(values.format)
  checkFormat(ctx, format)
  const b = findRecord(ctx, a!, app!, id!)
  if (format === 'json') {
    ctx.line(goJsonStruct(recordJson(ctx, app!, b)))
    return
  }
  const rows: string[][] = [['Build ID:', b.id], ['App:', app!], ['Kind:', b.kind], ['Status:', displayStatus(ctx, b)], ['PID:', String(b.pid)],
    ['Source:', b.source], ['Started:', rfc3339(b.startedAt)]]
  if (b.finishedAt !== undefined) rows.push(['Finished:', rfc3339(b.finishedAt)])
  rows.push(['Duration:', elapsed(ctx, b)])
  if (b.exitCode !== undefined) rows.push(['Exit Code:', String(b.exitCode)])
  rows.push(['Log:', dokkuLogPath(app!, b.id)])
  ctx.line(columnize(rows))
}

/**
 * `builds:output <app> [<id>|current]`: `cat` of a finished build's log; for a live one
 * `tail -n 1000 -f`, which never ends by itself (only a signal ends it).
 */
export async function cmdBuildsOutput (ctx: Ctx, args: string[]): Promise<void> {
  requireBuilds(ctx, 'builds:output', args)
  const { positional } = ctx.pflags('builds:output', [], args)
  const [app, given] = positional
  if (app === undefined || app === '') ctx.fail('Please specify an app to run the command on')
  const state = await ctx.store.read()
  const a = state.apps[app!]
  if (!a) ctx.appMissing(app!)
  let id = given ?? 'current'
  if (id === 'current') {
    if (a!.lock === null) return ctx.info1('App not currently deploying')
    if (!a!.lock.buildId) return ctx.info1('No matching app deploy found')
    id = a!.lock.buildId
  }
  const b = (a!.builds ?? []).find((r) => r.id === id)
  const log = b ? readLog(ctx, app!, b) : null
  if (!b || log === null) {
    // No log file: dokku asks journald, which has nothing for an unknown id.
    ctx.line('-- No entries --')
    return
  }
  const tail = log.split('\n').slice(-1001).join('\n')
  ctx.out(tail)
  if (displayStatus(ctx, b) !== 'running') return
  let shown = log.length
  for (;;) {
    if (ctx.io.signal?.aborted) return
    await ctx.step()
    const now = readLog(ctx, app!, b) ?? ''
    if (now.length > shown) {
      ctx.out(now.slice(shown))
      shown = now.length
    }
  }
}

function reportDef (ctx: Ctx): ReportDef {
  const newest = (a: AppState) => [...(a.builds ?? [])].sort((x, y) => y.startedAt - x.startedAt)[0]
  return {
    reportType: 'builds',
    legacyPrefix: true,
    jsonSince: '0.38.0',
    globalSince: '0.38.0',
    appFlags: (s, app) => {
      const b = newest(s.apps[app]!)
      return [
        ['--build-exit-code', b?.exitCode === undefined ? '' : String(b.exitCode)],
        ['--build-finished-at', b?.finishedAt === undefined ? '' : rfc3339(b.finishedAt)],
        ['--build-id', b?.id ?? ''],
        ['--build-kind', b?.kind ?? ''],
        ['--build-pid', b ? String(b.pid) : ''],
        ['--build-source', b?.source ?? ''],
        ['--build-started-at', b ? rfc3339(b.startedAt) : ''],
        ['--build-status', b ? displayStatus(ctx, b) : ''],
        ['--builds-computed-retention', String(retention())],
        ['--builds-global-retention', ''],
        ['--builds-retention', '']
      ]
    },
    globalFlags: () => [['--builds-global-retention', '']]
  }
}

export async function cmdBuildsReport (ctx: Ctx, args: string[]): Promise<void> {
  requireBuilds(ctx, 'builds:report', args)
  await runReport(ctx, 'builds:report', reportDef(ctx), args)
}

/** `builds:prune <app>`: reaps abandoned records and applies the retention; silent. */
export async function cmdBuildsPrune (ctx: Ctx, args: string[]): Promise<void> {
  requireBuilds(ctx, 'builds:prune', args)
  const { positional } = ctx.pflags('builds:prune', [], args)
  await ctx.store.update((s) => {
    ctx.requireApp(s, positional[0])
    pruneBuilds(ctx, s, positional[0]!)
  })
}

/**
 * `builds:cancel <app>`: reads the app's deploy lock and SIGQUITs the whole process group of
 * the deploy holding it (§2.5). Always exit 0 (20 for an unknown app).
 */
export async function cmdBuildsCancel (ctx: Ctx, args: string[]): Promise<void> {
  requireBuilds(ctx, 'builds:cancel', args)
  const app = args[0]
  const outcome = await ctx.store.update((s): { message: string; pid?: number } => {
    const a = ctx.requireApp(s, app)
    const lock = a.lock
    if (lock === null) return { message: 'App not currently deploying' }
    // apps:lock writes an empty lock file: there is no deploy id to look up.
    if (lock.kind === 'manual') return { message: 'No matching app deploy found' }
    const record = lock.buildId === undefined ? undefined : (a.builds ?? []).find((b) => b.id === lock.buildId)
    if (lock.buildId !== undefined && !record) {
      a.lock = null
      return { message: `No build record for ${lock.buildId}, removing stale lock file` }
    }
    if (record && record.status !== 'running') return { message: `Build ${record.id} is no longer running (status=${record.status}); leaving record untouched` }
    a.lock = null
    if (!ctx.processAlive(lock.pid)) {
      if (record) finalizeBuild(ctx, s, app!, record.id, 'failed', -1)
      return { message: 'Build was already terminated, marking failed' }
    }
    if (record) finalizeBuild(ctx, s, app!, record.id, 'canceled', -1)
    return { message: 'Killing app deploy', pid: lock.pid }
  })
  ctx.info1(outcome.message)
  if (outcome.pid === undefined) return
  try {
    ctx.signalGroup(outcome.pid, 'SIGQUIT')
  } catch (err) {
    ctx.warn(`Failed to signal process group ${outcome.pid}: ${err instanceof Error ? err.message : String(err)}`)
  }
}
