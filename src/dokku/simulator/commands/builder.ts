/**
 * `builder:report`, `builder:set`, `builder-dockerfile:report`, `builder-dockerfile:set`, and
 * `buildpacks:report|add|remove|set|clear|list` (dokku-reference/app-settings.md §10, misc.md §3).
 */
import type { Ctx } from '../context.js'
import type { FlagSpec } from '../pflag.js'
import { runReport, type ReportDef } from '../report.js'
import { globalProp, settingsOf } from '../settings-state.js'
import type { SimState } from '../state.js'
import { appRecord, bashSet, globalRecord, propertySet, type Handler } from './settings-common.js'

export const DEFAULT_STACK = 'gliderlabs/herokuish:latest-24'

function builderFlags (ctx: Ctx, s: SimState, app: string | null): Array<[string, string]> {
  const own = (k: string) => (app === null ? '' : s.apps[app]?.settings?.builder?.[k] ?? '')
  const glob = (k: string) => globalProp(s, 'builder', k)
  const flags: Array<[string, string]> = [
    ['--builder-global-build-dir', glob('build-dir')],
    ['--builder-global-selected', glob('selected')]
  ]
  if (ctx.atLeast('0.38.0')) flags.push(['--builder-global-skip-cleanup', glob('skip-cleanup')], ['--builder-computed-skip-cleanup', own('skip-cleanup') || glob('skip-cleanup') || 'false'])
  if (app === null) return flags
  flags.push(
    ['--builder-build-dir', own('build-dir')],
    ['--builder-computed-build-dir', own('build-dir') || glob('build-dir')],
    ['--builder-computed-selected', own('selected') || glob('selected')],
    ['--builder-detected', s.apps[app]!.deployed ? s.apps[app]!.builder : ''],
    ['--builder-selected', own('selected')]
  )
  if (ctx.atLeast('0.38.0')) flags.push(['--builder-skip-cleanup', own('skip-cleanup')])
  return flags
}

async function cmdBuilderReport (ctx: Ctx, args: string[]): Promise<void> {
  const def: ReportDef = {
    reportType: 'builder',
    legacyPrefix: true,
    jsonSince: '0.24.0',
    globalSince: '0.38.0',
    appFlags: (s, app) => builderFlags(ctx, s, app),
    globalFlags: (s) => builderFlags(ctx, s, null)
  }
  await runReport(ctx, 'builder:report', def, args)
}

async function cmdBuilderSet (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('builder:set', [{ name: 'global', type: 'bool', def: false, usage: '--global: set a global property' }], args)
  const [app = '', property = '', value = ''] = values.global === true ? ['--global', ...positional] : positional
  if (property === 'detected') {
    ctx.warn('detected is a read-only property')
    return
  }
  const keys = ['build-dir', 'selected', ...(ctx.atLeast('0.38.0') ? ['skip-cleanup'] : [])]
  await ctx.store.update((s) => {
    propertySet(ctx, s, { app, property, value, valid: keys, global: keys, store: appRecord('builder'), globalStore: globalRecord('builder') })
  })
}

function dockerfileFlags (s: SimState, app: string | null): Array<[string, string]> {
  const global = globalProp(s, 'dockerfile', 'dockerfile-path')
  const own = app === null ? '' : s.apps[app]?.settings?.dockerfile?.['dockerfile-path'] ?? ''
  const flags: Array<[string, string]> = [['--builder-dockerfile-computed-dockerfile-path', own || global || 'Dockerfile'], ['--builder-dockerfile-global-dockerfile-path', global]]
  if (app !== null) flags.push(['--builder-dockerfile-dockerfile-path', own])
  return flags
}

async function cmdDockerfileReport (ctx: Ctx, args: string[]): Promise<void> {
  const def: ReportDef = {
    reportType: 'builder-dockerfile',
    legacyPrefix: false,
    jsonSince: '0.38.0',
    goSince: '0.38.22',
    globalSince: '0.38.0',
    appFlags: (s, app) => dockerfileFlags(s, app),
    globalFlags: (s) => dockerfileFlags(s, null)
  }
  await runReport(ctx, 'builder-dockerfile:report', def, args)
}

async function cmdDockerfileSet (ctx: Ctx, args: string[]): Promise<void> {
  await ctx.store.update((s) => {
    bashSet(ctx, s, args, { keys: ['dockerfile-path'], store: appRecord('dockerfile'), globalStore: globalRecord('dockerfile') })
  })
}

// ---- buildpacks --------------------------------------------------------------------------------

function buildpacksFlags (s: SimState, app: string | null): Array<[string, string]> {
  const flags: Array<[string, string]> = [['--buildpacks-global-stack', '']]
  if (app === null) return flags
  flags.push(['--buildpacks-computed-stack', DEFAULT_STACK], ['--buildpacks-list', (s.apps[app]?.settings?.buildpacks ?? []).join(',')], ['--buildpacks-stack', ''])
  return flags
}

async function cmdBuildpacksReport (ctx: Ctx, args: string[]): Promise<void> {
  const def: ReportDef = {
    reportType: 'buildpacks',
    legacyPrefix: true,
    jsonSince: '0.23.1',
    globalSince: '0.38.0',
    appFlags: (s, app) => buildpacksFlags(s, app),
    globalFlags: (s) => buildpacksFlags(s, null)
  }
  await runReport(ctx, 'buildpacks:report', def, args)
}

/** `validBuildpackURL`: `owner/name` shorthand (heroku-community → heroku), or a git/http URL. */
function buildpackUrl (ctx: Ctx, value: string): string {
  if (value === '') ctx.fail('Must specify a buildpack url or reference')
  if (/^[\w-]+\/[\w-]+$/.test(value)) {
    const [owner, name] = value.split('/') as [string, string]
    return `https://github.com/${owner === 'heroku-community' ? 'heroku' : owner}/heroku-buildpack-${name}.git`
  }
  if (/^(http|https|git)(:\/\/|@)([^/:]+)[/:]([^/:]+)\/(.+)$/.test(value)) return value
  return ctx.fail(`Invalid buildpack specified: ${value}`)
}

const INDEX: FlagSpec = { name: 'index', type: 'int', def: 0, usage: '--index: the 1-based index of the URL in the list' }

function update (ctx: Ctx, app: string, fn: (list: string[]) => string[] | void): Promise<void> {
  return ctx.store.update((s) => {
    const settings = settingsOf(ctx.requireApp(s, app))
    const list = [...(settings.buildpacks ?? [])]
    const next = fn(list) ?? list
    if (next.length === 0) delete settings.buildpacks
    else settings.buildpacks = next
  })
}

async function cmdBuildpacksAdd (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('buildpacks:add', [INDEX], args)
  const [app = '', url = ''] = positional
  const index = Number(values.index)
  await update(ctx, app, (list) => {
    const value = buildpackUrl(ctx, url)
    // 1-based; 0 or past the end appends. No de-duplication.
    if (index <= 0 || index > list.length) list.push(value)
    else list.splice(index - 1, 0, value)
  })
}

async function cmdBuildpacksRemove (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('buildpacks:remove', [INDEX], args)
  const [app = '', given = ''] = positional
  const index = Number(values.index)
  let removed = ''
  await update(ctx, app, (list) => {
    if (index !== 0 && given !== '') ctx.fail('Please choose either index or Buildpack, but not both')
    if (index === 0 && given === '') ctx.fail('Must specify a buildpack to remove, either by index or URL')
    const url = index === 0 ? buildpackUrl(ctx, given) : ''
    if (list.length === 0) ctx.fail(`No buildpacks were found, next release on ${app} will detect buildpack normally`)
    if (index !== 0) {
      if (index < 1 || index > list.length) ctx.fail('Index not found')
      removed = list[index - 1]!
    } else {
      if (!list.includes(url)) ctx.fail('Value not found')
      removed = url
    }
    return list.filter((b) => b !== removed)
  })
  ctx.info1Quiet(`Removing ${removed}`)
}

async function cmdBuildpacksSet (ctx: Ctx, args: string[]): Promise<void> {
  const specs: FlagSpec[] = [INDEX, ...(ctx.atLeast('0.38.22') ? [{ name: 'replace', type: 'bool' as const, def: false, usage: '--replace: replace all buildpacks with the specified list' }] : [])]
  const { values, positional } = ctx.pflags('buildpacks:set', specs, args)
  const [app = '', ...urls] = positional
  const index = Number(values.index)
  await update(ctx, app, (list) => {
    if (values.replace === true) {
      if (index !== 0) ctx.fail('The --index flag cannot be used with --replace')
      if (urls.length === 0) ctx.fail('Must specify at least one buildpack, use buildpacks:clear to remove all buildpacks')
      return urls.map((u) => buildpackUrl(ctx, u))
    }
    if (urls.length > 1) ctx.fail('Setting multiple buildpacks requires the --replace flag')
    if (urls.length === 0) ctx.fail('Must specify a buildpack')
    const value = buildpackUrl(ctx, urls[0]!)
    // Without --index the first entry is replaced.
    const at = index > 0 ? index - 1 : 0
    if (at >= list.length) list.push(value)
    else list[at] = value
  })
}

async function cmdBuildpacksClear (ctx: Ctx, args: string[]): Promise<void> {
  const { positional } = ctx.pflags('buildpacks:clear', [], args)
  await update(ctx, positional[0] ?? '', () => [])
}

async function cmdBuildpacksList (ctx: Ctx, args: string[]): Promise<void> {
  const { positional } = ctx.pflags('buildpacks:list', [], args)
  const app = positional[0] ?? ''
  const s = await ctx.store.read()
  const a = ctx.requireApp(s, app)
  ctx.info1Quiet(`${app} buildpack urls`)
  for (const url of a.settings?.buildpacks ?? []) ctx.verbose(url)
}

export const BUILDER_COMMANDS: Record<string, Handler> = {
  'builder:report': cmdBuilderReport,
  'builder:set': cmdBuilderSet,
  'builder-dockerfile:report': cmdDockerfileReport,
  'builder-dockerfile:set': cmdDockerfileSet,
  'buildpacks:report': cmdBuildpacksReport,
  'buildpacks:add': cmdBuildpacksAdd,
  'buildpacks:remove': cmdBuildpacksRemove,
  'buildpacks:set': cmdBuildpacksSet,
  'buildpacks:clear': cmdBuildpacksClear,
  'buildpacks:list': cmdBuildpacksList
}
