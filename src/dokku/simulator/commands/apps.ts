/** `version`, `apps:*`. */
import type { Ctx } from '../context.js'
import { goJsonString, sortBytes } from '../format.js'
import type { FlagSpec } from '../pflag.js'
import { runReport, type ReportDef } from '../report.js'
import { newApp } from '../seed.js'
import type { SimState } from '../state.js'
import { versionString } from '../version.js'

export const APP_NAME_RE = /^[a-z0-9][a-z0-9.-]*$/

const FORMAT_FLAG: FlagSpec = { name: 'format', type: 'string', def: 'stdout', usage: 'format: [ stdout | json ]' }

/** Prints the VERSION file: `DOKKU_SIM_VERSION` verbatim when set (e.g. `v0.38.27-33-g33896f5d7`). */
export function cmdVersion (ctx: Ctx): void {
  const raw = (ctx.env.DOKKU_SIM_VERSION ?? '').trim()
  ctx.line(`dokku version ${raw !== '' ? raw : versionString(ctx.version)}`)
}

export async function cmdAppsList (ctx: Ctx, args: string[]): Promise<void> {
  const specs = ctx.atLeast('0.38.21') ? [FORMAT_FLAG] : []
  const { values } = ctx.pflags('apps:list', specs, args)
  const format = String(values.format ?? 'stdout')
  if (format !== 'stdout' && format !== 'json') ctx.fail(`Invalid format specified, supported formats: json, stdout`)
  const state = await ctx.store.read()
  const apps = sortBytes(Object.keys(state.apps).filter((a) => !/^[.A-Z]/.test(a)))
  if (format === 'json') {
    ctx.line('[' + apps.map(goJsonString).join(',') + ']')
    return
  }
  ctx.info2Quiet('My Apps')
  if (apps.length === 0) {
    ctx.warn("You haven't deployed any applications yet")
    return
  }
  for (const a of apps) ctx.line(a)
}

export async function cmdAppsCreate (ctx: Ctx, args: string[]): Promise<void> {
  const { positional } = ctx.pflags('apps:create', [], args)
  const app = positional[0] ?? ''
  if (app === '') ctx.fail('Please specify an app to run the command on')
  if (!APP_NAME_RE.test(app)) ctx.fail('App name must begin with lowercase alphanumeric character, and may only contain lowercase alphanumerics, dots, and hyphens')
  await ctx.store.update((s) => {
    if (s.apps[app]) ctx.fail('Name is already taken')
    s.apps[app] = newApp(ctx.now(), s.global.vhosts.length > 0 ? [`${app}.${s.global.vhosts[0]}`] : [])
  })
  ctx.info1Quiet(`Creating ${app}...`)
}

/** Go's fmt.Scanln into one string: the answer, or the error text. */
async function scanln (ctx: Ctx): Promise<{ answer: string } | { error: string }> {
  const line = ctx.io.readLine ? await ctx.io.readLine() : null
  if (line === null) return { error: 'EOF' }
  const tokens = line.trim().split(/\s+/).filter((t) => t !== '')
  if (tokens.length === 0) return { error: 'unexpected newline' }
  if (tokens.length > 1) return { error: 'expected newline' }
  return { answer: tokens[0]! }
}

export async function cmdAppsDestroy (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('apps:destroy', [{ name: 'force', type: 'bool', def: false, usage: '--force: force destroy without confirmation' }], args)
  const app = positional[0] ?? ''
  const state = await ctx.store.read()
  ctx.requireApp(state, app)
  if (!ctx.globals.force && values.force !== true) {
    ctx.warn('WARNING: Potentially Destructive Action')
    ctx.warn(`This command will destroy app ${app}.`)
    ctx.warn(`To proceed, type "${app}"`)
    ctx.out('> ')
    const res = await scanln(ctx)
    if ('error' in res) ctx.fail(res.error)
    if ((res as { answer: string }).answer !== app) {
      ctx.io.stderr('Confirmation did not match test. Aborted.\n')
      ctx.exit(1)
    }
  }
  await ctx.store.update((s) => {
    const a = s.apps[app]
    if (!a) ctx.appMissing(app)
    if (ctx.lockIsLive(a!.lock) && a!.lock!.kind === 'deploy') {
      ctx.fail(`${app} currently has a deploy lock in place. Exiting...`)
    }
    delete s.apps[app]
    for (const services of Object.values(s.services)) {
      for (const svc of Object.values(services)) svc.links = svc.links.filter((l) => l !== app)
    }
  })
  ctx.info1(`Destroying ${app} (including all add-ons)`)
  await ctx.step()
  ctx.info1('Cleaning up...')
  await ctx.step()
  ctx.info1('Retiring old containers and images')
}

export async function cmdAppsExists (ctx: Ctx, args: string[]): Promise<void> {
  const { positional } = ctx.pflags('apps:exists', [], args)
  const state = await ctx.store.read()
  ctx.requireApp(state, positional[0])
}

export async function cmdAppsLock (ctx: Ctx, args: string[]): Promise<void> {
  const { positional } = ctx.pflags('apps:lock', [], args)
  const app = positional[0]
  await ctx.store.update((s) => {
    const a = ctx.requireApp(s, app)
    a.lock = { kind: 'manual', pid: ctx.pid, token: 'manual', at: ctx.now() }
  })
  ctx.info1('Deploy lock created')
}

export async function cmdAppsUnlock (ctx: Ctx, args: string[]): Promise<void> {
  const { positional } = ctx.pflags('apps:unlock', [], args)
  const app = positional[0]
  const had = await ctx.store.update((s) => {
    const a = ctx.requireApp(s, app)
    const live = ctx.lockIsLive(a.lock)
    a.lock = null
    return live
  })
  if (!had) ctx.fail('Unable to remove deploy lock')
  ctx.warn('A deploy may be in progress.')
  ctx.warn('Removing the app lock will not stop in progress deploys.')
  ctx.info1('Deploy lock removed')
}

export async function cmdAppsLocked (ctx: Ctx, args: string[]): Promise<void> {
  const { positional } = ctx.pflags('apps:locked', [], args)
  const state = await ctx.store.read()
  const a = ctx.requireApp(state, positional[0])
  if (!ctx.lockIsLive(a.lock)) ctx.fail('Deploy lock does not exist')
  ctx.line('Deploy lock exists')
}

function appsReportFlags (ctx: Ctx): ReportDef {
  return {
    reportType: 'app',
    legacyPrefix: true,
    jsonSince: '0.23.1',
    globalSince: '0.38.0',
    appFlags: (s: SimState, app: string) => {
      const a = s.apps[app]!
      const flags: Array<[string, string]> = []
      if (ctx.atLeast('0.26.2')) flags.push(['--app-created-at', String(a.createdAt)])
      flags.push(['--app-deploy-source', a.deploySource], ['--app-deploy-source-metadata', a.deploySourceMetadata])
      flags.push(['--app-dir', `/home/dokku/${app}`])
      if (ctx.atLeast('0.38.12')) flags.push(['--app-global-disable-autocreation', s.global.appsDisableAutocreation])
      flags.push(['--app-locked', String(ctx.lockIsLive(a.lock))])
      return flags
    },
    globalFlags: (s: SimState) => ctx.atLeast('0.38.12') ? [['--app-global-disable-autocreation', s.global.appsDisableAutocreation]] : []
  }
}

export async function cmdAppsReport (ctx: Ctx, args: string[]): Promise<void> {
  await runReport(ctx, 'apps:report', appsReportFlags(ctx), args)
}
