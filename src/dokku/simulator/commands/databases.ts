/** The datastore plugins' shared `common-functions`: list, info, create, link, unlink, destroy and helpers. */
import type { Ctx } from '../context.js'
import { ALIAS_COLORS, DATASTORES, serviceUrl, type DatastoreDef } from '../datastores.js'
import { compareBytes, rightPad } from '../format.js'
import { hexId } from '../ids.js'
import { servicePassword } from '../seed.js'
import type { ServiceState, SimState } from '../state.js'
import { printSetBlock, restartForConfig } from './config.js'

const NAME_RE = /^[A-Za-z0-9_-]+$/

/** True when the datastore plugin is installed and enabled. */
export function datastoreInstalled (s: SimState, prefix: string): boolean {
  return DATASTORES[prefix] !== undefined && s.plugins.some((p) => p.name === prefix && p.enabled)
}

function infoRows (def: DatastoreDef, svc: string, s: ServiceState): Array<[string, string]> {
  const root = `/var/lib/dokku/services/${def.prefix}/${svc}`
  return [
    ['--config-dir', `${root}/${def.configSuffix}`],
    ['--config-options', s.configOptions],
    ['--data-dir', `${root}/data`],
    ['--dsn', serviceUrl(def, svc, s)],
    ['--exposed-ports', s.exposedPorts],
    ['--id', s.id],
    ['--internal-ip', s.ip],
    ['--initial-network', ''],
    ['--links', s.links.length === 0 ? '-' : s.links.join(' ') + ' '],
    ['--post-create-network', ''],
    ['--post-start-network', ''],
    ['--service-root', root],
    ['--status', s.status],
    ['--version', s.status === 'missing' ? '' : s.image]
  ]
}

function label (flag: string): string {
  const words = flag.slice(2).replace(/-/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1) + ':'
}

function printInfo (ctx: Ctx, def: DatastoreDef, svc: string, s: ServiceState): void {
  ctx.info2Quiet(`${svc} ${def.prefix} service information`)
  for (const [flag, value] of infoRows(def, svc, s)) ctx.verbose(rightPad(label(flag), 20) + ' ' + rightPad(value, 25))
}

function requireService (ctx: Ctx, def: DatastoreDef, state: SimState, svc: string | undefined): ServiceState {
  if (svc === undefined || svc === '') ctx.fail('Please specify a valid name for the service')
  const s = state.services[def.prefix]?.[svc!]
  if (!s) ctx.fail(`${def.service} service ${svc} does not exist`)
  return s!
}

function urlKeys (env: Record<string, string>, url: string): string[] {
  return Object.keys(env).filter((k) => env[k] === url || env[k]!.startsWith(url + '?')).sort(compareBytes)
}

async function list (ctx: Ctx, def: DatastoreDef): Promise<void> {
  const state = await ctx.store.read()
  const names = Object.keys(state.services[def.prefix] ?? {}).sort(compareBytes)
  if (names.length === 0) {
    ctx.warn(`There are no ${def.service} services`)
    return
  }
  ctx.info2Quiet(`${def.service} services`)
  for (const n of names) ctx.line(n)
}

async function info (ctx: Ctx, def: DatastoreDef, args: string[]): Promise<void> {
  const [svc, flag] = args
  const state = await ctx.store.read()
  const s = requireService(ctx, def, state, svc)
  if (flag === undefined) return printInfo(ctx, def, svc!, s)
  const rows = infoRows(def, svc!, s)
  const hit = rows.find(([f]) => f === flag)
  if (!hit) ctx.fail(`Invalid flag passed, valid flags: ${rows.map(([f]) => f).join(' ')}`)
  ctx.line(hit![1])
}

async function create (ctx: Ctx, def: DatastoreDef, args: string[]): Promise<void> {
  const svc = args[0]
  if (svc === undefined || svc === '' || svc.startsWith('-')) ctx.fail('Please specify a valid name for the service')
  if (!NAME_RE.test(svc!)) ctx.fail('Please specify a valid name for the service. Valid characters are: [A-Za-z0-9_]+')
  let password = servicePassword(def.prefix, svc!)
  let image = def.image
  let configOptions = ''
  for (let i = 1; i < args.length; i++) {
    const a = args[i]!
    if (a === '-p' || a === '--password') { password = args[++i] ?? password; ctx.warn('Specified password may not be as secure as the auto-generated password') }
    if (a === '-I' || a === '--image-version') image = `${def.image.split(':')[0]}:${args[++i] ?? ''}`
    if (a === '-i' || a === '--image') image = `${args[++i] ?? ''}:${def.image.split(':')[1]}`
    if (a === '-c' || a === '--config-options') configOptions = args[++i] ?? ''
  }
  const created = await ctx.store.update((s) => {
    const services = (s.services[def.prefix] ??= {})
    if (services[svc!]) ctx.fail(`${def.service} service ${svc} already exists`)
    s.seq += 1
    const fresh: ServiceState = {
      password,
      createdAt: ctx.now(),
      status: 'running',
      image,
      id: hexId(`svc:${def.prefix}:${svc}:${s.seq}`),
      ip: `172.17.0.${10 + (s.seq % 240)}`,
      exposedPorts: '-',
      configOptions,
      links: []
    }
    services[svc!] = fresh
    return fresh
  })
  for (const step of def.createSteps) {
    ctx.verboseQuiet(step)
    await ctx.step(2)
  }
  ctx.info2(`${def.service} container created: ${svc}`)
  printInfo(ctx, def, svc!, created)
}

/**
 * The plugins' `service_parse_args` (common-functions, identical in all five; read at
 * dokku-postgres f694199): each word that is exactly a known long form becomes its short form,
 * then bash `getopts` reads options until the first word that is not one. So `--alias X` works
 * but `--alias=X` is no long form: getopts reads it as the illegal option `-`, then `-a` with
 * the value `lias=X`. Unknown options and a missing value are reported on stderr by bash and
 * skipped; the command goes on.
 */
const LONG_FORMS: Readonly<Record<string, string>> = {
  '--alias': '-a',
  '--config-options': '-c',
  '--custom-env': '-C',
  '--database': '-d',
  '--image-version': '-I',
  '--initial-network': '-N',
  '--image': '-i',
  '--memory': '-m',
  '--no-restart': '-n',
  '--password': '-p',
  '--post-create-network': '-P',
  '--post-start-network': '-S',
  '--querystring': '-q',
  '--restart-apps': '-R',
  '--root-password': '-r',
  '--shm-size': '-s',
  '--user': '-u'
}
// `n` is listed twice; getopts (strchr) finds the first, which takes no value.
const OPTSTRING = 'na:c:C:d:i:I:m:n:N:p:P:q:R:r:s:S:u:'

/** bash getopts over `args` with OPTSTRING: the options in order, as [letter, value]. */
function serviceParseArgs (ctx: Ctx, script: string, args: readonly string[]): Array<[string, string]> {
  const words = args.map((a) => LONG_FORMS[a] ?? a)
  const options: Array<[string, string]> = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    if (word === '--') break
    if (word.length < 2 || word[0] !== '-') break
    for (let j = 1; j < word.length; j++) {
      const c = word[j]!
      const at = c === ':' ? -1 : OPTSTRING.indexOf(c)
      if (at === -1) {
        ctx.err(`${script}: illegal option -- ${c}\n`)
        continue
      }
      if (OPTSTRING[at + 1] !== ':') {
        options.push([c, ''])
        continue
      }
      if (j + 1 < word.length) {
        options.push([c, word.slice(j + 1)])
      } else if (i + 1 < words.length) {
        options.push([c, words[++i]!])
      } else {
        ctx.err(`${script}: option requires an argument -- ${c}\n`)
        return options
      }
      break
    }
  }
  return options
}

/** `dokku --no-restart …` anywhere: the entry script's `parse_args` puts every `--…` word in DOKKU_GLOBAL_FLAGS. */
function globalNoRestart (ctx: Ctx, args: readonly string[]): boolean {
  return ctx.globals.noRestart || args.some((a) => a.startsWith('--') && a.includes('--no-restart'))
}

function subcommandPath (def: DatastoreDef, sub: string): string {
  return `/var/lib/dokku/plugins/enabled/${def.prefix}/subcommands/${sub}`
}

async function link (ctx: Ctx, def: DatastoreDef, args: string[]): Promise<void> {
  // `<svc> <app>` by position; only what follows them is parsed as options.
  const [svc, app] = args
  let alias = ''
  let query = ''
  let restartApps = true
  for (const [opt, value] of serviceParseArgs(ctx, subcommandPath(def, 'link'), args.slice(2))) {
    if (opt === 'a') alias = value
    else if (opt === 'q') query = value.replace(/^\?/, '')
    else if (opt === 'n') restartApps = false
    else if (opt === 'R') restartApps = value !== 'false'
  }
  const noRestart = !restartApps || globalNoRestart(ctx, args)
  const result = await ctx.store.update((s) => {
    if (svc === undefined || svc === '') ctx.fail('Please specify a valid name for the service')
    if (app === undefined || app === '') ctx.fail('Please specify an app to run the command on')
    const service = requireService(ctx, def, s, svc)
    const a = ctx.requireApp(s, app)
    const url = serviceUrl(def, svc!, service)
    const existing = urlKeys(a.env, url)
    if (existing.length > 0) ctx.fail(`Already linked as ${existing[0]}`)
    let key: string
    if (alias !== '') {
      key = alias.toUpperCase().replace(/-/g, '_').replace(/_URL$/, '') + '_URL'
      if (key in a.env) ctx.fail(`Specified alias ${key} already in use`)
    } else {
      key = `${def.defaultAlias}_URL`
      if (key in a.env) {
        const color = ALIAS_COLORS.find((c) => !(`DOKKU_${def.prefix.toUpperCase()}_${c}_URL` in a.env))
        key = `DOKKU_${def.prefix.toUpperCase()}_${color ?? 'AQUA'}_URL`
      }
    }
    const value = query === '' ? url : `${url}?${query}`
    a.env[key] = value
    if (!service.links.includes(app!)) service.links.push(app!)
    return { key, value }
  })
  printSetBlock(ctx, { [result.key]: result.value })
  if (noRestart) {
    ctx.verbose('Skipping restart of linked app')
    return
  }
  await restartForConfig(ctx, app!, false)
}

async function unlink (ctx: Ctx, def: DatastoreDef, args: string[]): Promise<void> {
  // :unlink parses no options of its own: only a `--no-restart` among dokku's global flags
  // (anywhere in the argv) skips the restart; `-n` does nothing here.
  const [svc, app] = args
  const noRestart = globalNoRestart(ctx, args)
  const keys = await ctx.store.update((s) => {
    if (svc === undefined || svc === '') ctx.fail('Please specify a valid name for the service')
    if (app === undefined || app === '') ctx.fail('Please specify an app to run the command on')
    const service = requireService(ctx, def, s, svc)
    const a = ctx.requireApp(s, app)
    if (!service.links.includes(app!)) ctx.fail(`Not linked to app ${app}`)
    service.links = service.links.filter((l) => l !== app)
    const keys = urlKeys(a.env, serviceUrl(def, svc!, service))
    for (const k of keys) delete a.env[k]
    return keys
  })
  for (const k of keys) ctx.info1(`Unsetting ${k}`)
  if (noRestart) {
    ctx.verbose('Skipping restart of linked app')
    return
  }
  await restartForConfig(ctx, app!, false)
}

async function destroy (ctx: Ctx, def: DatastoreDef, args: string[]): Promise<void> {
  const svc = args[0]
  const force = ctx.globals.force || args.slice(1).some((a) => a === '-f' || a === '--force' || a === 'force')
  const state = await ctx.store.read()
  const s = requireService(ctx, def, state, svc)
  if (s.links.length > 0) ctx.fail('Cannot delete linked service')
  if (!force) {
    ctx.warn('WARNING: Potentially Destructive Action')
    ctx.warn(`This command will destroy ${svc} ${def.service} service.`)
    ctx.warn(`To proceed, type "${svc}"`)
    ctx.line('')
    const answer = ctx.io.readLine ? await ctx.io.readLine() : null
    if (answer === null || answer.trim() !== svc) ctx.fail(`Confirmation did not match ${svc}. Aborted.`)
  }
  await ctx.store.update((st) => {
    const current = st.services[def.prefix]?.[svc!]
    if (!current) ctx.fail(`${def.service} service ${svc} does not exist`)
    if (current!.links.length > 0) ctx.fail('Cannot delete linked service')
    delete st.services[def.prefix]![svc!]
  })
  await ctx.stream([
    `=====> Deleting ${svc}`,
    '=====> Pausing container',
    '       Container paused',
    '       Removing container',
    '       Removing data',
    `=====> ${def.service} container deleted: ${svc}`
  ])
}

async function exists (ctx: Ctx, def: DatastoreDef, args: string[]): Promise<void> {
  const state = await ctx.store.read()
  requireService(ctx, def, state, args[0])
  ctx.info1(`Service ${args[0]} exists`)
}

async function linked (ctx: Ctx, def: DatastoreDef, args: string[]): Promise<void> {
  const [svc, app] = args
  const state = await ctx.store.read()
  const s = requireService(ctx, def, state, svc)
  ctx.requireApp(state, app)
  if (!s.links.includes(app!)) ctx.fail(`Service ${svc} is not linked to ${app}`)
  ctx.info1(`Service ${svc} is linked to ${app}`)
}

async function links (ctx: Ctx, def: DatastoreDef, args: string[]): Promise<void> {
  const state = await ctx.store.read()
  const s = requireService(ctx, def, state, args[0])
  for (const a of s.links) ctx.line(a)
}

async function appLinks (ctx: Ctx, def: DatastoreDef, args: string[]): Promise<void> {
  const state = await ctx.store.read()
  ctx.requireApp(state, args[0])
  const services = state.services[def.prefix] ?? {}
  for (const name of Object.keys(services).sort(compareBytes)) {
    if (services[name]!.links.includes(args[0]!)) ctx.line(name)
  }
}

const SUBCOMMANDS: Record<string, (ctx: Ctx, def: DatastoreDef, args: string[]) => Promise<void>> = {
  list: (ctx, def) => list(ctx, def),
  info,
  create,
  link,
  unlink,
  destroy,
  exists,
  linked,
  links,
  'app-links': appLinks
}

/** Runs `<prefix>:<sub>`; false when the subcommand is not simulated. */
export async function runDatastore (ctx: Ctx, prefix: string, sub: string, args: string[]): Promise<boolean> {
  const fn = SUBCOMMANDS[sub]
  const def = DATASTORES[prefix]
  if (!fn || !def) return false
  await fn(ctx, def, args)
  return true
}
