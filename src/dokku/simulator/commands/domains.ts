/** `domains:report`, `domains:add`, `domains:remove`, `domains:set`, and `certs:report`. */
import type { Ctx } from '../context.js'
import { proxyRebuildLines } from '../deploy.js'
import { opensslDate, sortBytes } from '../format.js'
import { runReport, type ReportDef } from '../report.js'
import type { AppState, SimState } from '../state.js'

const DOMAIN_RE = /^[a-z0-9.*-]*[a-z0-9*-]$/

export function isValidDomain (d: string): boolean {
  return d === '_' || DOMAIN_RE.test(d)
}

function domainsGlobal (s: SimState): Array<[string, string]> {
  return [
    ['--domains-global-enabled', String(s.global.vhosts.length > 0)],
    ['--domains-global-vhosts', s.global.vhosts.join(' ')]
  ]
}

export async function cmdDomainsReport (ctx: Ctx, args: string[]): Promise<void> {
  const def: ReportDef = {
    reportType: 'domains',
    legacyPrefix: false,
    jsonSince: '0.38.0',
    goSince: '0.38.22',
    globalSince: '0.15.4',
    bashGlobalHeader: 'Global domains information',
    appFlags: (s, app) => {
      const a = s.apps[app]!
      return [
        ['--domains-app-enabled', String(a.env.NO_VHOST !== '1')],
        ['--domains-app-vhosts', a.vhosts.join(' ')],
        ...domainsGlobal(s)
      ]
    },
    globalFlags: domainsGlobal
  }
  await runReport(ctx, 'domains:report', def, args)
}

async function rebuildProxy (ctx: Ctx, a: AppState): Promise<void> {
  for (const l of proxyRebuildLines(a)) {
    ctx.line(l)
    await ctx.step(0.3)
  }
}

function requireDomains (ctx: Ctx, app: string, domains: string[]): void {
  if (domains.length === 0) ctx.fail(`Please specify a domain name. Usage: dokku ${app}  <domain> [<domain> ...]`)
}

export async function cmdDomainsAdd (ctx: Ctx, args: string[]): Promise<void> {
  const [app, ...given] = args
  const { lines, a } = await ctx.store.update((s) => {
    const a = ctx.requireApp(s, app)
    requireDomains(ctx, app!, given)
    const domains = given.map((d) => d.toLowerCase())
    for (const d of domains) if (!isValidDomain(d)) ctx.fail(`${d} is invalid. exiting...`)
    const lines: string[] = []
    for (const d of domains) {
      if (a.vhosts.includes(d)) {
        lines.push(`Skipping: ${d} already added to ${app}`)
      } else {
        a.vhosts.push(d)
        lines.push(`Added ${d} to ${app}`)
      }
    }
    delete a.env.NO_VHOST
    return { lines, a: structuredClone(a) }
  })
  for (const l of lines) ctx.info1(l)
  await rebuildProxy(ctx, a)
}

export async function cmdDomainsRemove (ctx: Ctx, args: string[]): Promise<void> {
  const [app, ...given] = args
  const a = await ctx.store.update((s) => {
    const a = ctx.requireApp(s, app)
    requireDomains(ctx, app!, given)
    const drop = new Set(given.map((d) => d.toLowerCase()))
    a.vhosts = a.vhosts.filter((v) => !drop.has(v))
    return structuredClone(a)
  })
  for (const d of given) ctx.info1(`Removed ${d} from ${app}`)
  await rebuildProxy(ctx, a)
}

export async function cmdDomainsSet (ctx: Ctx, args: string[]): Promise<void> {
  const [app, ...given] = args
  const a = await ctx.store.update((s) => {
    const a = ctx.requireApp(s, app)
    requireDomains(ctx, app!, given)
    const domains = given.map((d) => d.toLowerCase())
    for (const d of domains) if (!isValidDomain(d)) ctx.fail(`${d} is invalid. exiting...`)
    a.vhosts = [...new Set(domains)]
    return structuredClone(a)
  })
  ctx.info1(`Set ${given.join(' ')} for ${app}`)
  await rebuildProxy(ctx, a)
}

function sslFlags (s: SimState, app: string): Array<[string, string]> {
  const a = s.apps[app]!
  const c = a.cert
  return [
    ['--ssl-dir', `/home/dokku/${app}/tls`],
    ['--ssl-enabled', String(c !== null)],
    ['--ssl-hostnames', c ? sortBytes(new Set(c.hostnames)).join(' ') : ''],
    ['--ssl-expires-at', c ? opensslDate(c.expiresAt) : ''],
    ['--ssl-issuer', c ? c.issuer : ''],
    ['--ssl-starts-at', c ? opensslDate(c.startsAt) : ''],
    ['--ssl-subject', c ? c.subject : ''],
    ['--ssl-verified', c ? c.verified : '']
  ]
}

export async function cmdCertsReport (ctx: Ctx, args: string[]): Promise<void> {
  const def: ReportDef = {
    reportType: 'ssl',
    legacyPrefix: false,
    jsonSince: '0.38.0',
    goSince: '0.38.22',
    globalSince: '0.38.0',
    appFlags: sslFlags,
    globalFlags: () => []
  }
  await runReport(ctx, 'certs:report', def, args)
}
