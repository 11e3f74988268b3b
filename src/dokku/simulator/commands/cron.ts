/**
 * `cron:list`, `cron:report`, `cron:run`, `cron:suspend`, `cron:resume`, `cron:set`
 * (dokku-reference/app-settings.md §4; plugins/cron). Tasks come from the app.json the last
 * deploy stored, so an app that was never deployed has none.
 */
import { randomBytes } from 'node:crypto'
import type { Ctx } from '../context.js'
import { columnize, goJsonString } from '../format.js'
import { runReport, type ReportDef } from '../report.js'
import { globalProp, type SimCronTask } from '../settings-state.js'
import type { SimState } from '../state.js'
import { appRecord, globalRecord, notACommand, propertySet, type Handler } from './settings-common.js'

/** `GenerateCommandID`: lower-case base36 of the bytes `<app>===<command>===<schedule>` (since 0.29.0). */
export function cronTaskId (app: string, command: string, schedule: string): string {
  let n = 0n
  for (const b of Buffer.from(`${app}===${command}===${schedule}`, 'utf8')) n = n * 256n + BigInt(b)
  return n.toString(36)
}

interface Task {
  id: string
  task: SimCronTask
  appInMaintenance: boolean
  taskInMaintenance: boolean
}

/** `FetchCronTasks`: the deployed app.json's tasks, with their maintenance state. */
export function cronTasks (s: SimState, app: string): Task[] {
  const a = s.apps[app]
  if (!a?.deployed) return []
  const props = a.settings?.cronProps ?? {}
  const appInMaintenance = (props.maintenance || globalProp(s, 'cron', 'maintenance')) === 'true'
  return (a.settings?.cron ?? []).map((task) => {
    const id = cronTaskId(app, task.command, task.schedule)
    return { id, task, appInMaintenance, taskInMaintenance: task.maintenance === true || props[`maintenance.${id}`] === 'true' }
  })
}

function maintenanceCell (ctx: Ctx, t: Task): string {
  if (!ctx.atLeast('0.37.0')) return String(t.appInMaintenance || t.taskInMaintenance)
  if (t.taskInMaintenance) return 'true (task)'
  if (t.appInMaintenance) return 'true (app)'
  return 'false'
}

function taskJson (ctx: Ctx, app: string, t: Task): string {
  const fields = [`"id":${goJsonString(t.id)}`, `"app":${goJsonString(app)}`, `"command":${goJsonString(t.task.command)}`, `"schedule":${goJsonString(t.task.schedule)}`]
  if (ctx.atLeast('0.37.0')) {
    fields.push(`"concurrency_policy":${goJsonString(t.task.concurrency ?? 'allow')}`, `"app-in-maintenance":${t.appInMaintenance}`, `"task-in-maintenance":${t.taskInMaintenance}`)
  }
  if (ctx.atLeast('0.36.0')) fields.push(`"maintenance":${t.appInMaintenance || t.taskInMaintenance}`)
  return `{${fields.join(',')}}`
}

async function cmdCronList (ctx: Ctx, args: string[]): Promise<void> {
  const specs = ctx.atLeast('0.31.0') ? [{ name: 'format', type: 'string' as const, def: 'stdout', usage: 'format: [ stdout | json ]' }] : []
  const { values, positional } = ctx.pflags('cron:list', specs, args)
  const format = String(values.format ?? 'stdout')
  if (format !== 'stdout' && format !== 'json') ctx.fail('Invalid format specified, supported formats: json, stdout')
  const app = positional[0] ?? ''
  const s = await ctx.store.read()
  ctx.requireApp(s, app)
  const tasks = cronTasks(s, app)
  if (format === 'json') {
    ctx.line(`[${tasks.map((t) => taskJson(ctx, app, t)).join(',')}]`)
    return
  }
  const head = ['ID', 'Schedule', ...(ctx.atLeast('0.37.0') ? ['Concurrency'] : []), ...(ctx.atLeast('0.36.0') ? ['Maintenance'] : []), 'Command']
  const rows = tasks.map((t) => [
    t.id, t.task.schedule,
    ...(ctx.atLeast('0.37.0') ? [t.task.concurrency ?? 'allow'] : []),
    ...(ctx.atLeast('0.36.0') ? [maintenanceCell(ctx, t)] : []),
    t.task.command
  ])
  ctx.line(columnize([head, ...rows]))
}

async function cmdCronReport (ctx: Ctx, args: string[]): Promise<void> {
  const globalFlags = (s: SimState): Array<[string, string]> => {
    const g = (k: string) => globalProp(s, 'cron', k)
    return [
      ['--cron-computed-mailfrom', g('mailfrom')], ['--cron-computed-mailto', g('mailto')], ['--cron-computed-maintenance', g('maintenance') || 'false'],
      ['--cron-global-mailfrom', g('mailfrom')], ['--cron-global-mailto', g('mailto')], ['--cron-global-maintenance', g('maintenance')]
    ]
  }
  const def: ReportDef = {
    reportType: 'cron',
    legacyPrefix: true,
    jsonSince: '0.23.1',
    globalSince: '0.38.0',
    appFlags: (s, app) => {
      const props = s.apps[app]?.settings?.cronProps ?? {}
      const flags = globalFlags(s).map(([f, v]): [string, string] => [f, f === '--cron-computed-maintenance' ? props.maintenance || v : v])
      flags.push(['--cron-maintenance', props.maintenance ?? ''], ['--cron-task-count', String(cronTasks(s, app).length)])
      for (const [k, v] of Object.entries(props)) if (k.startsWith('maintenance.')) flags.push([`--cron-maintenance-${k.slice('maintenance.'.length)}`, v])
      return flags
    },
    globalFlags
  }
  await runReport(ctx, 'cron:report', def, args)
}

/** `scheduler-cron-write` on docker-local: the host's crontab, rewritten from every runnable task. */
function crontabLine (s: SimState): string {
  const runnable = Object.keys(s.apps).some((app) => cronTasks(s, app).some((t) => !t.appInMaintenance && !t.taskInMaintenance))
  return runnable ? 'Updated schedule file' : 'Removed'
}

const CRON_KEYS = ['maintenance', 'mailto', 'mailfrom']

/** `cron:set` (and suspend/resume through it): the checks, the property, then the crontab. */
async function cronSet (ctx: Ctx, app: string, property: string, value: string): Promise<void> {
  const line = await ctx.store.update((s) => {
    if (app !== '--global' && (property === 'mailto' || property === 'mailfrom')) ctx.fail('Property cannot be specified on a per-app basis')
    const valid = [...CRON_KEYS]
    if (property.startsWith('maintenance.')) {
      if (app === '--global') ctx.fail('Task maintenance properties cannot be set globally')
      const id = property.slice('maintenance.'.length)
      if (id === '') ctx.fail('Invalid task maintenance property, missing ID')
      ctx.requireApp(s, app)
      if (!cronTasks(s, app).some((t) => t.id === id)) ctx.fail(`Invalid task maintenance property, no matching task ID found: ${property}`)
      valid.push(property)
    }
    propertySet(ctx, s, { app, property, value, valid, global: CRON_KEYS, store: appRecord('cronProps'), globalStore: globalRecord('cron') })
    return crontabLine(s)
  })
  ctx.info1(line)
}

async function cmdCronSet (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('cron:set', [{ name: 'global', type: 'bool', def: false, usage: '--global: set a global property' }], args)
  const [app = '', property = '', value = ''] = values.global === true ? ['--global', ...positional] : positional
  await cronSet(ctx, app, property, value)
}

function suspendHandler (suspend: boolean): Handler {
  const command = suspend ? 'cron:suspend' : 'cron:resume'
  return async (ctx, args) => {
    if (!ctx.atLeast('0.37.0')) notACommand(ctx, [command, ...args])
    const { positional } = ctx.pflags(command, [], args)
    await cronSet(ctx, positional[0] ?? '', `maintenance.${positional[1] ?? ''}`, suspend ? 'true' : '')
  }
}

/**
 * `cron:run <app> <id> [--detach]`: only the container's output. A failing task exits 1 with no
 * message at all: dokku replaces the scheduler's error with an empty one, the exit code is lost.
 */
async function cmdCronRun (ctx: Ctx, args: string[]): Promise<void> {
  if (!ctx.atLeast('0.31.0')) notACommand(ctx, ['cron:run', ...args])
  const { values, positional } = ctx.pflags('cron:run', [{ name: 'detach', type: 'bool', def: false, usage: '--detach: run the container in the background' }], args)
  const [app = '', id = ''] = positional
  const s = await ctx.store.read()
  ctx.requireApp(s, app)
  const tasks = cronTasks(s, app)
  if (id === '') ctx.fail(`Please specify a Cron ID from the output of 'dokku cron:list ${app}'`)
  const found = tasks.find((t) => t.id === id)
  if (!found) ctx.fail(`No matching Cron ID found. Please specify a Cron ID from the output of 'dokku cron:list ${app}'`)
  if (values.detach === true) {
    ctx.line(`${app}.cron.${randomBytes(3).toString('hex')}`)
    return
  }
  await ctx.stream(found!.task.output ?? [])
  if (found!.task.fails) ctx.exit(1)
}

export const CRON_COMMANDS: Record<string, Handler> = {
  'cron:list': cmdCronList,
  'cron:report': cmdCronReport,
  'cron:run': cmdCronRun,
  'cron:set': cmdCronSet,
  'cron:suspend': suspendHandler(true),
  'cron:resume': suspendHandler(false)
}
