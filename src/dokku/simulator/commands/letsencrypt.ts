/** The dokku-letsencrypt plugin (bash): list, report, set, enable, auto-renew, active, disable, cron-job. */
import { SimExit, type Ctx, type StreamLine } from '../context.js'
import { hasWebListeners, proxyRebuildLines } from '../deploy.js'
import { compareBytes, isoDateTime, letsencryptTimediff, rightPad, sortBytes } from '../format.js'
import { bashLabel, bashRow } from '../report.js'
import { letsencryptCert } from '../seed.js'
import type { AppState, SimState } from '../state.js'

const PRODUCTION = 'https://acme-v02.api.letsencrypt.org/directory'
const STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory'
const DEFAULT_GRACEPERIOD = '2592000'
const PROPERTIES = ['dns-provider', 'email', 'graceperiod', 'lego-args', 'lego-docker-options', 'server']
const VALID_KEYS = 'dns-provider, dns-provider-*, email, graceperiod, server, lego-args, lego-docker-options'

function isActive (a: AppState): boolean {
  return a.letsencrypt.active && a.cert !== null
}

function computedServer (v: string): string {
  if (v === '' || v === 'default') return PRODUCTION
  if (v === 'staging') return STAGING
  return v
}

function prop (a: AppState | null, s: SimState, key: string): { app: string, global: string, computed: string } {
  const app = a?.letsencrypt.props[key] ?? ''
  const global = s.global.letsencrypt[key] ?? ''
  let computed = app || global
  if (key === 'graceperiod') computed = computed || DEFAULT_GRACEPERIOD
  if (key === 'server') computed = computedServer(computed)
  return { app, global, computed }
}

function gracePeriod (a: AppState, s: SimState): number {
  return Number(prop(a, s, 'graceperiod').computed) || Number(DEFAULT_GRACEPERIOD)
}

/** The plugin's flag map, in its fixed order (`null` app = `--global`). */
function reportFlags (s: SimState, app: string | null): Array<[string, string]> {
  const a = app === null ? null : s.apps[app]!
  const flags: Array<[string, string]> = []
  if (a) {
    flags.push(['--letsencrypt-active', String(isActive(a))], ['--letsencrypt-autorenew', String(s.global.letsencryptAutorenew)])
  }
  const trio = (key: string, flagKey = key) => {
    const v = prop(a, s, key)
    if (a) flags.push([`--letsencrypt-computed-${flagKey}`, v.computed])
    flags.push([`--letsencrypt-global-${flagKey}`, v.global])
    if (a) flags.push([`--letsencrypt-${flagKey}`, v.app])
  }
  trio('dns-provider')
  trio('email')
  if (a) flags.push(['--letsencrypt-expiration', a.cert && isActive(a) ? String(a.cert.expiresAt) : ''])
  trio('graceperiod')
  trio('lego-args')
  trio('lego-docker-options')
  trio('server')
  const extra = new Set<string>()
  for (const k of [...Object.keys(s.global.letsencrypt), ...Object.keys(a?.letsencrypt.props ?? {})]) {
    if (k.startsWith('dns-provider-')) extra.add(k)
  }
  for (const k of sortBytes(extra)) {
    const app = a?.letsencrypt.props[k] ?? ''
    const global = s.global.letsencrypt[k] ?? ''
    if (a) flags.push([`--letsencrypt-computed-${k}`, app || global])
    flags.push([`--letsencrypt-global-${k}`, global])
    if (a) flags.push([`--letsencrypt-${k}`, app])
  }
  return flags
}

export async function cmdLetsencryptReport (ctx: Ctx, args: string[]): Promise<void> {
  let app = ''
  let global = false
  let format = 'stdout'
  let infoFlag = ''
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (a === '--format') { format = args[++i] ?? ''; continue }
    if (a === '--global') { global = true; continue }
    if (a.startsWith('--')) { if (infoFlag === '') infoFlag = a; continue }
    if (app === '') app = a
  }
  const s = await ctx.store.read()
  // The plugin lists the apps first (`dokku_apps`), which fails on a host without apps.
  const apps = sortBytes(Object.keys(s.apps))
  if (apps.length === 0) ctx.fail("You haven't deployed any applications yet")
  if (format === 'json' && infoFlag !== '') ctx.fail('--format flag cannot be specified when specifying an info flag')
  const one = (subject: string | null) => {
    const flags = reportFlags(s, subject)
    if (format === 'json') {
      const data: Record<string, string> = {}
      for (const [f, v] of flags) data[f.replace(/^--letsencrypt-/, '')] = v
      ctx.line(JSON.stringify(data))
      return
    }
    if (infoFlag !== '') {
      const hit = flags.find(([f]) => f === infoFlag)
      if (!hit) ctx.fail(`Invalid flag passed, valid flags: ${flags.map(([f]) => f).join(' ')}`)
      if (hit![1] === '') ctx.fail('not deployed')
      ctx.line(hit![1])
      return
    }
    ctx.info2Quiet(subject === null ? 'global letsencrypt information' : `${subject} letsencrypt information`)
    for (const [f, v] of flags) ctx.line(bashRow(bashLabel(f), v))
  }
  if (global) return one(null)
  if (app !== '') {
    ctx.requireApp(s, app)
    return one(app)
  }
  for (const x of apps) one(x)
}

export async function cmdLetsencryptList (ctx: Ctx): Promise<void> {
  const s = await ctx.store.read()
  const now = ctx.now()
  if (!ctx.quiet) ctx.line(rightPad('----->', 6) + ' ' + rightPad('App name', 18) + ' ' + rightPad('Certificate Expiry', 25) + ' ' + rightPad('Time before expiry', 25) + ' ' + rightPad('Time before renewal', 25))
  const rows: string[] = []
  for (const app of sortBytes(Object.keys(s.apps))) {
    const a = s.apps[app]!
    if (!isActive(a)) continue
    const exp = a.cert!.expiresAt
    rows.push([app, isoDateTime(exp), letsencryptTimediff(exp - now), letsencryptTimediff(exp - gracePeriod(a, s) - now)].map((c) => rightPad(c, 25)).join(' '))
  }
  // `sort -nk2`: numeric on the second field (the year of the date), ties broken by the whole line.
  const key = (r: string) => Number(r.match(/^\S+\s+(-?\d+)/)?.[1] ?? 0)
  rows.sort((x, y) => key(x) - key(y) || compareBytes(x, y))
  for (const r of rows) ctx.line(r)
}

export async function cmdLetsencryptActive (ctx: Ctx, args: string[]): Promise<void> {
  const s = await ctx.store.read()
  const a = ctx.requireApp(s, args[0])
  ctx.line(String(isActive(a)))
}

export async function cmdLetsencryptSet (ctx: Ctx, args: string[]): Promise<void> {
  const [target, key, ...rest] = args
  const value = rest.join(' ')
  await ctx.store.update((s) => {
    const global = target === '--global'
    if (!global) ctx.requireApp(s, target)
    if (key === undefined || key === '') ctx.fail('No key specified')
    if (!PROPERTIES.includes(key!) && !/^dns-provider-./.test(key!)) ctx.fail(`Invalid key specified, valid keys include: ${VALID_KEYS}`)
    const props = global ? s.global.letsencrypt : s.apps[target!]!.letsencrypt.props
    if (value === '') delete props[key!]
    else props[key!] = value
  })
  if (value === '') ctx.info2Quiet(`Unsetting ${key}`)
  else ctx.info2Quiet(`Setting ${key} to ${value}`)
}

function legoLines (ts: string, domains: string[]): StreamLine[] {
  const all = domains.join(', ')
  const first = domains[0]!
  return [
    { err: `${ts} [INFO] [${all}] acme: Obtaining bundled SAN certificate` },
    ...domains.map((d, i) => ({ err: `${ts} [INFO] [${d}] AuthURL: https://acme-v02.api.letsencrypt.org/acme/authz/2083457/${4411000 + i}` })),
    { err: `${ts} [INFO] [${first}] acme: use http-01 solver` },
    { err: `${ts} [INFO] [${first}] acme: Trying to solve HTTP-01` },
    { err: `${ts} [INFO] [${first}] The server validated our request` },
    { err: `${ts} [INFO] [${all}] acme: Validations succeeded; requesting certificates` },
    { err: `${ts} [INFO] [${first}] Server responded with a certificate.` }
  ]
}

function legoTimestamp (epoch: number): string {
  return isoDateTime(epoch).replace(/-/g, '/')
}

/** Runs `fn-letsencrypt-enable` for one app; failures exit like the plugin. */
async function enableOne (ctx: Ctx, app: string, force: boolean, header = true): Promise<void> {
  const plan = await ctx.store.update((s) => {
    const a = ctx.requireApp(s, app)
    const now = ctx.now()
    if (!force && isActive(a) && now < a.cert!.expiresAt - gracePeriod(a, s) &&
        sortBytes(a.cert!.hostnames).join(' ') === sortBytes(a.vhosts).join(' ')) {
      return { skip: true as const }
    }
    if (header) ctx.info2(`Enabling letsencrypt for ${app}`)
    if (prop(a, s, 'email').computed === '') {
      ctx.warn('ERROR: Cannot request a certificate without an e-mail address!')
      ctx.warn('  please provide your e-mail address using')
      ctx.fail(`  dokku letsencrypt:set ${app} email <e-mail>`)
    }
    const domains = a.vhosts.filter((v) => v !== '_' && !v.includes('*'))
    if (domains.length === 0) ctx.fail(`No domains detected for ${app}`)
    if (!a.deployed || !hasWebListeners(a)) ctx.fail(`Cannot enable letsencrypt for ${app}: no http or https proxy port mapping was found.`)
    const dns = prop(a, s, 'dns-provider').computed !== ''
    return { skip: false as const, domains, dns, snapshot: structuredClone(a) }
  })
  if (plan.skip) {
    ctx.info1(`Certificate is still valid for ${app}, skipping certificate request`)
    ctx.info1('Pass --force to letsencrypt:enable to request a new certificate anyway')
    return
  }
  const ts = legoTimestamp(ctx.now())
  const after = { ...plan.snapshot, cert: letsencryptCert(plan.domains, ctx.now()) }
  await ctx.stream([
    `-----> Enabling ACME proxy for ${app}...`,
    `-----> Getting letsencrypt certificate for ${app} via ${plan.dns ? 'DNS-01' : 'HTTP-01'}`,
    ...plan.domains.map((d) => ({ err: `        - Domain '${d}'` })),
    ...legoLines(ts, plan.domains),
    '-----> Certificate retrieved successfully.',
    "-----> Installing let's encrypt certificates",
    ...proxyRebuildLines(after),
    `-----> Disabling ACME proxy for ${app}...`,
    '-----> Done'
  ])
  await ctx.store.update((s) => {
    const a = s.apps[app]
    if (!a) return
    a.cert = letsencryptCert(plan.domains, ctx.now())
    a.letsencrypt.active = true
  })
}

export async function cmdLetsencryptEnable (ctx: Ctx, args: string[]): Promise<void> {
  const force = args.includes('--force') || args.includes('-f')
  const positional = args.filter((x) => !x.startsWith('-'))
  if (args.includes('--all')) {
    const s = await ctx.store.read()
    for (const app of sortBytes(Object.keys(s.apps))) await enableOne(ctx, app, force)
    return
  }
  await enableOne(ctx, positional[0] ?? '', force)
}

function isDue (a: AppState, s: SimState, now: number): boolean {
  return now >= a.cert!.expiresAt - gracePeriod(a, s)
}

export async function cmdLetsencryptAutoRenew (ctx: Ctx, args: string[]): Promise<void> {
  const s = await ctx.store.read()
  const now = ctx.now()
  const app = args[0]
  if (app !== undefined && app !== '') {
    const a = ctx.requireApp(s, app)
    if (!isActive(a)) {
      ctx.info1(`Letsencrypt not enabled for ${app}`)
      return
    }
    if (!isDue(a, s, now)) {
      ctx.verbose(`${app} still has ${letsencryptTimediff(a.cert!.expiresAt - gracePeriod(a, s) - now)} left before renewal`)
      return
    }
    ctx.info2(`Auto-renew ${app}...`)
    await enableOne(ctx, app, true)
    return
  }
  ctx.info2('Auto-renewing all apps...')
  let failed = 0
  for (const name of sortBytes(Object.keys(s.apps))) {
    const a = s.apps[name]!
    if (!isActive(a)) continue
    if (!isDue(a, s, now)) {
      ctx.verbose(`${name} still has ${letsencryptTimediff(a.cert!.expiresAt - gracePeriod(a, s) - now)} days left before renewal`)
      continue
    }
    ctx.info1(`${name} needs renewal`)
    try {
      await enableOne(ctx, name, true)
    } catch (err) {
      if (!(err instanceof SimExit)) throw err
      failed++
    }
  }
  ctx.info2('Finished auto-renewal')
  if (failed > 0) ctx.fail('One or more apps failed to have their certificates renewed')
}

export async function cmdLetsencryptDisable (ctx: Ctx, args: string[]): Promise<void> {
  const app = args[0]
  const a = await ctx.store.update((s) => {
    const a = ctx.requireApp(s, app)
    a.cert = null
    a.letsencrypt.active = false
    return structuredClone(a)
  })
  await ctx.stream([
    `-----> Disabling letsencrypt for app`,
    `       Removing letsencrypt files for ${app}`,
    `       Removing SSL endpoint from ${app}`,
    ...proxyRebuildLines(a),
    '-----> Done'
  ])
}

export async function cmdLetsencryptCronJob (ctx: Ctx, args: string[]): Promise<void> {
  const add = args.includes('--add')
  const remove = args.includes('--remove')
  const enabled = await ctx.store.update((s) => {
    if (add) s.global.letsencryptAutorenew = true
    if (remove) s.global.letsencryptAutorenew = false
    return s.global.letsencryptAutorenew
  })
  if (add) return ctx.info1("Added cron job to dokku's crontab.")
  if (remove) return ctx.info1("Removed cron job from dokku's crontab.")
  if (enabled) {
    ctx.info2('Auto-renew cron job is enabled')
    ctx.verbose("Run 'dokku letsencrypt:cron-job --remove' to disable.")
  } else {
    ctx.info2('Auto-renew cron job is not enabled')
    ctx.verbose("Run 'dokku letsencrypt:cron-job --add' to enable.")
  }
}
