/** `ps:report`, `ps:scale`, `ps:restart`, `ps:rebuild`, `ps:stop`, `ps:start`. */
import { SimExit, type Ctx, type StreamLine } from '../context.js'
import { applyDeploy, buildLines, deployLines, deployOrder, proxyRebuildLines, releaseAndDeployLines, runDeploy } from '../deploy.js'
import { compareBytes, goJsonStruct, rightPad, sortBytes } from '../format.js'
import type { FlagSpec } from '../pflag.js'
import { runReport, type ReportDef } from '../report.js'
import { appScheduler } from './scheduler.js'
import type { AppState, SimState } from '../state.js'

const RUNNING_STATES = new Set(['running', 'restarting', 'paused'])

/** `true`, `false` or `mixed`, from the containers that have CID files. */
export function runningState (a: AppState): string {
  if (a.containers.length === 0) return 'false'
  const up = a.containers.filter((c) => RUNNING_STATES.has(c.status)).length
  if (up === a.containers.length) return 'true'
  return up === 0 ? 'false' : 'mixed'
}

function psFlags (ctx: Ctx, s: SimState, app: string): Array<[string, string]> {
  const a = s.apps[app]!
  const g = s.global.ps
  const raw = (k: string) => a.ps[k] ?? ''
  const glob = (k: string) => g[k] ?? ''
  const computed = (k: string, def: string) => raw(k) || glob(k) || def
  // On k3s the processes are pods: dokku counts replicas and has no per-container rows (those
  // come from docker-local's CONTAINER files).
  const statuses: Array<[string, string]> = appScheduler(s, app) === 'k3s'
    ? []
    : a.containers.map((c) => [`--status-${c.proc}.${c.index}`, `${c.status} (CID: ${c.cid.slice(0, 11)})`])
  if (!ctx.atLeast('0.22.0')) {
    // bash era: fixed order, 12-character CIDs and `Status web.1:` labels
    return [
      ['--processes', String(a.containers.length)],
      ['--deployed', String(a.deployed)],
      ['--running', runningState(a)],
      ['--restore', String(a.restore)],
      ['--restart-policy', computed('restart-policy', 'on-failure:10')],
      ['--ps-can-scale', String(!a.formationFromAppJson)],
      ...a.containers.map((c): [string, string] => [`--status-${c.proc}.${c.index}`, `${rightPad(c.status, 10)} (CID: ${c.cid.slice(0, 12)})`])
    ]
  }
  const flags: Array<[string, string]> = [
    ['--deployed', String(a.deployed)],
    ['--processes', String(a.containers.length)],
    ['--ps-can-scale', String(!a.formationFromAppJson)],
    ['--restore', String(a.restore)],
    ['--running', runningState(a)],
    ...statuses
  ]
  const globalDefault = ctx.atLeast('0.38.0') ? '' : 'Procfile'
  if (ctx.atLeast('0.25.0')) flags.push(['--ps-computed-procfile-path', computed('procfile-path', 'Procfile')])
  flags.push(['--ps-global-procfile-path', glob('procfile-path') || globalDefault], ['--ps-procfile-path', raw('procfile-path')])
  if (ctx.atLeast('0.38.9')) {
    flags.push(
      ['--ps-computed-restart-policy', computed('restart-policy', 'on-failure:10')],
      ['--ps-global-restart-policy', glob('restart-policy')],
      ['--ps-restart-policy', raw('restart-policy')]
    )
  } else {
    flags.push(['--ps-restart-policy', computed('restart-policy', 'on-failure:10')])
  }
  if (ctx.atLeast('0.38.8')) {
    flags.push(
      ['--ps-computed-dockerfile-start-cmd', raw('dockerfile-start-cmd')],
      ['--ps-computed-skip-deploy', computed('skip-deploy', 'false')],
      ['--ps-computed-start-cmd', raw('start-cmd')],
      ['--ps-dockerfile-start-cmd', raw('dockerfile-start-cmd')],
      ['--ps-global-skip-deploy', glob('skip-deploy')],
      ['--ps-skip-deploy', raw('skip-deploy')],
      ['--ps-start-cmd', raw('start-cmd')]
    )
  }
  const stopPrefix = ctx.atLeast('0.38.7') ? '--ps-' : '--'
  if (ctx.atLeast('0.36.0')) {
    flags.push(
      [`${stopPrefix}computed-stop-timeout-seconds`, computed('stop-timeout-seconds', '30')],
      [`${stopPrefix}global-stop-timeout-seconds`, glob('stop-timeout-seconds')],
      [`${stopPrefix}stop-timeout-seconds`, raw('stop-timeout-seconds')]
    )
  }
  return flags
}

function psGlobalFlags (ctx: Ctx, s: SimState): Array<[string, string]> {
  const g = (k: string) => s.global.ps[k] ?? ''
  const flags: Array<[string, string]> = [
    ['--ps-computed-procfile-path', g('procfile-path') || 'Procfile'],
    ['--ps-global-procfile-path', g('procfile-path')]
  ]
  if (ctx.atLeast('0.38.9')) flags.push(['--ps-computed-restart-policy', g('restart-policy') || 'on-failure:10'], ['--ps-global-restart-policy', g('restart-policy')])
  if (ctx.atLeast('0.38.8')) flags.push(['--ps-computed-skip-deploy', g('skip-deploy') || 'false'], ['--ps-global-skip-deploy', g('skip-deploy')])
  const stopPrefix = ctx.atLeast('0.38.7') ? '--ps-' : '--'
  flags.push([`${stopPrefix}computed-stop-timeout-seconds`, g('stop-timeout-seconds') || '30'], [`${stopPrefix}global-stop-timeout-seconds`, g('stop-timeout-seconds')])
  return flags
}

export async function cmdPsReport (ctx: Ctx, args: string[]): Promise<void> {
  const def: ReportDef = {
    reportType: 'ps',
    legacyPrefix: true,
    jsonSince: '0.23.1',
    goSince: '0.22.0',
    globalSince: '0.38.0',
    appFlags: (s, app) => psFlags(ctx, s, app),
    globalFlags: (s) => psGlobalFlags(ctx, s),
    hideFromInvalid: (flag, infoFlag) => flag.startsWith('--status-') && !infoFlag.startsWith('--status-')
  }
  await runReport(ctx, 'ps:report', def, args)
}

const ALL_FLAGS = (verb: string): FlagSpec[] => [
  { name: 'all', type: 'bool', def: false, usage: `--all: ${verb} all apps` },
  { name: 'parallel', type: 'int', def: 0, usage: `--parallel: number of apps to ${verb} in parallel, -1 to match cpu count` }
]

/** Runs `fn` against every app (`--all`), collecting failures like dokku. */
async function againstAllApps (ctx: Ctx, command: string, fn: (app: string) => Promise<void>): Promise<void> {
  const state = await ctx.store.read()
  const apps = sortBytes(Object.keys(state.apps))
  if (apps.length === 0) ctx.fail("You haven't deployed any applications yet")
  let errors = 0
  for (const app of apps) {
    ctx.info1(`Running ${command} against app ${app}`)
    try {
      await fn(app)
    } catch (err) {
      if (!(err instanceof SimExit)) throw err
      if (err.code !== 0) errors++
    }
  }
  if (errors > 0) ctx.fail(`${command} command returned ${errors} errors`)
}

function parseAllArgs (ctx: Ctx, command: string, verb: string, args: string[]): { all: boolean, app: string, proc: string } {
  const { values, positional } = ctx.pflags(command, ALL_FLAGS(verb), args)
  return { all: values.all === true, app: positional[0] ?? '', proc: positional[1] ?? '' }
}

async function restartOne (ctx: Ctx, app: string, proc: string): Promise<void> {
  await runDeploy<string[]>(ctx, app, {
    takesLock: false,
    // ps:restart's record is never finalized: it ends abandoned (deploys.md §2.1).
    build: { source: 'ps:restart', finalize: false },
    plan: (_s, a) => {
      if (!a.deployed) {
        ctx.warn(`App ${app} has not been deployed`)
        return null
      }
      if (proc !== '' && !(proc in a.formation)) ctx.fail(`Invalid process type specified (${proc})`)
      return [proc]
    },
    lines: (a, only, seq) => deployLines(app, a, only, seq),
    apply: (a, only, now) => applyDeploy(app, a, only, now)
  })
}

export async function cmdPsRestart (ctx: Ctx, args: string[]): Promise<void> {
  if (ctx.atLeast('0.38.0')) ctx.mergeStderr = true
  const { all, app, proc } = parseAllArgs(ctx, 'ps:restart', 'restart', args)
  if (all) {
    if (app !== '') ctx.fail('Unable to restart all apps when specifying a process name')
    await againstAllApps(ctx, 'ps:restart', (a) => restartAll(ctx, a))
    return
  }
  if (app === '') ctx.fail('Please specify an app to run the command on')
  if (proc === '') await restartAll(ctx, app)
  else await restartOne(ctx, app, proc)
}

async function restartAll (ctx: Ctx, app: string): Promise<void> {
  await runDeploy<true>(ctx, app, {
    takesLock: false,
    build: { source: 'ps:restart', finalize: false },
    plan: (_s, a) => {
      if (!a.deployed) {
        ctx.warn(`App ${app} has not been deployed`)
        return null
      }
      return true
    },
    lines: (a, _p, seq) => deployLines(app, a, null, seq),
    apply: (a, _p, now) => applyDeploy(app, a, null, now)
  })
}

async function rebuildOne (ctx: Ctx, app: string): Promise<void> {
  await runDeploy<true>(ctx, app, {
    takesLock: true,
    build: { source: 'ps:rebuild' },
    plan: (_s, a) => a.hasRepo ? true : null,
    lines: (a, _p, seq) => [...buildLines(app, a), ...releaseAndDeployLines(app, a, seq)],
    apply: (a, _p, now) => applyDeploy(app, a, null, now)
  })
}

export async function cmdPsRebuild (ctx: Ctx, args: string[]): Promise<void> {
  if (ctx.atLeast('0.38.0')) ctx.mergeStderr = true
  const { all, app } = parseAllArgs(ctx, 'ps:rebuild', 'rebuild', args)
  if (all) {
    await againstAllApps(ctx, 'ps:rebuild', (a) => rebuildOne(ctx, a))
    return
  }
  if (app === '') ctx.fail('Please specify an app to run the command on')
  await rebuildOne(ctx, app)
}

async function stopOne (ctx: Ctx, app: string): Promise<void> {
  const deployed = await ctx.store.update((s) => {
    const a = ctx.requireApp(s, app)
    if (!a.deployed) return false
    const now = ctx.now()
    for (const c of a.containers) {
      if (c.status !== 'exited') { c.status = 'exited'; c.finishedAt = now; c.exitCode = 0 }
    }
    a.restore = false
    return true
  })
  if (!deployed) {
    ctx.warn(`App ${app} has not been deployed`)
    return
  }
  ctx.info1Quiet(`Stopping ${app}`)
  await ctx.step()
}

export async function cmdPsStop (ctx: Ctx, args: string[]): Promise<void> {
  const { all, app } = parseAllArgs(ctx, 'ps:stop', 'stop', args)
  if (all) {
    await againstAllApps(ctx, 'ps:stop', (a) => stopOne(ctx, a))
    return
  }
  if (app === '') ctx.fail('Please specify an app to run the command on')
  await stopOne(ctx, app)
}

async function startOne (ctx: Ctx, app: string): Promise<void> {
  await runDeploy<string>(ctx, app, {
    takesLock: false,
    build: { source: 'deploy' },
    plan: (_s, a) => {
      if (!a.deployed) {
        ctx.warn(`App ${app} has not been deployed`)
        return null
      }
      const running = runningState(a)
      if (running === 'true') {
        ctx.warn(`App ${app} already running`)
        return null
      }
      return running
    },
    lines: (a, running, seq): StreamLine[] => [
      { err: running === 'mixed' ? ' !     App has been detected as running in mixed mode, releasing' : ' !     App has been detected as not running, releasing' },
      ...releaseAndDeployLines(app, a, seq)
    ],
    apply: (a, _p, now) => applyDeploy(app, a, null, now)
  })
}

export async function cmdPsStart (ctx: Ctx, args: string[]): Promise<void> {
  const { all, app } = parseAllArgs(ctx, 'ps:start', 'start', args)
  if (all) {
    await againstAllApps(ctx, 'ps:start', (a) => startOne(ctx, a))
    return
  }
  if (app === '') ctx.fail('Please specify an app to run the command on')
  await startOne(ctx, app)
}

interface ScalePlan {
  changed: string[]
  deploy: boolean
  formation: Record<string, number>
}

export async function cmdPsScale (ctx: Ctx, args: string[]): Promise<void> {
  const specs: FlagSpec[] = [{ name: 'skip-deploy', type: 'bool', def: false, usage: '--skip-deploy: skip deploy of the app' }]
  if (ctx.atLeast('0.38.21')) specs.push({ name: 'format', type: 'string', def: 'stdout', usage: 'format: [ stdout | json ]' })
  const { values, positional } = ctx.pflags('ps:scale', specs, args)
  const app = positional[0] ?? ''
  const tuples = positional.slice(1)
  const format = String(values.format ?? 'stdout')
  if (app === '') ctx.fail('Please specify an app to run the command on')

  if (tuples.length === 0) {
    const state = await ctx.store.read()
    const a = ctx.requireApp(state, app)
    if (format !== 'stdout' && format !== 'json') ctx.fail(`Format must be "stdout" or "json": "${format}"`)
    const procs = Object.keys(a.formation).sort(compareBytes)
    if (format === 'json') {
      ctx.line('[' + procs.map((p) => goJsonStruct([['process_type', p], ['quantity', a.formation[p]!]])).join(',') + ']')
      return
    }
    ctx.info1Quiet(`Scaling for ${app}`)
    if (!ctx.quiet) {
      ctx.line('proctype: qty')
      ctx.line('--------: ---')
    }
    for (const p of procs) ctx.line(`${rightPad(p + ':', 5)} ${a.formation[p]!}`)
    return
  }

  const skipDeploy = values['skip-deploy'] === true
  await runDeploy<ScalePlan>(ctx, app, {
    takesLock: false,
    plan: (_s, a) => {
      if (a.formationFromAppJson) ctx.fail(`App ${app} contains an app.json file with a formations key and cannot be manually scaled`)
      const next: Record<string, number> = { ...a.formation }
      for (const t of tuples) {
        const eq = t.indexOf('=')
        const proc = eq === -1 ? t : t.slice(0, eq)
        const count = eq === -1 ? '' : t.slice(eq + 1)
        if (count === '') ctx.fail(`Missing count for process type ${proc}`)
        if (!/^\d+$/.test(count)) ctx.fail(`Invalid count for process type ${proc}`)
        const n = Number(count)
        if (a.deployed && n > 0 && !a.procfile.includes(proc)) ctx.fail(`${proc} is not a valid process name to scale up`)
        next[proc] = n
      }
      ctx.info1(`Scaling ${app} processes: ${tuples.join(' ')}`)
      const changed = Object.keys(next).filter((p) => next[p] !== a.formation[p])
      const deploy = a.deployed && !skipDeploy && changed.length > 0
      if (!deploy) {
        a.formation = next
        return null
      }
      return { changed, deploy, formation: next }
    },
    lines: (a, plan, seq) => {
      const after = { ...a, formation: plan.formation }
      const lines: string[] = []
      for (const p of deployOrder(plan.formation, plan.changed)) {
        lines.push(...deployLines(app, after, [p], seq).filter((l) => l.startsWith('-----> Deploying') || l.startsWith('       Attempting') || l.startsWith('       Waiting') || l.startsWith('       Default') || l.startsWith('       Scheduling')))
      }
      lines.push('-----> Running post-deploy', ...proxyRebuildLines(after))
      return lines
    },
    apply: (a, plan, now) => {
      a.formation = plan.formation
      applyDeploy(app, a, plan.changed, now)
    }
  })
}
