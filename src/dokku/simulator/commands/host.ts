/**
 * Host-wide commands (server.md): `domains:add-global`, `:remove-global`, `:set-global`,
 * `:clear-global` (§5), `cleanup` (§7) and the global section of `dokku report` (§9.2).
 */
import type { Ctx } from '../context.js'
import { rightPad } from '../format.js'
import type { SimDisk, SimState } from '../state.js'
import { versionString } from '../version.js'
import { isValidDomain } from './domains.js'

/** `Please specify a domain name. Usage: dokku  <domain> …`: `$1 $2` after the shift are empty (two spaces). */
function requireGlobalDomains (ctx: Ctx, given: readonly string[]): string[] {
  if (given.length === 0) ctx.fail('Please specify a domain name. Usage: dokku  <domain> [<domain> ...]')
  const domains = given.map((d) => d.toLowerCase())
  // Every domain is checked before any is written.
  for (const d of domains) if (!isValidDomain(d)) ctx.fail(`${d} is invalid. exiting...`)
  return domains
}

export async function cmdDomainsAddGlobal (ctx: Ctx, args: string[]): Promise<void> {
  const domains = requireGlobalDomains(ctx, args)
  const lines = await ctx.store.update((s) => domains.map((d) => {
    if (s.global.vhosts.includes(d)) return `Skipping ${d}: already added`
    s.global.vhosts.push(d)
    return `Added ${d}`
  }))
  for (const l of lines) ctx.info1(l)
}

/** Prints `Removed <d>` for every argument, present or not: dokku checks nothing here. */
export async function cmdDomainsRemoveGlobal (ctx: Ctx, args: string[]): Promise<void> {
  if (args.length === 0) ctx.fail('Please specify a domain name. Usage: dokku  <domain> [<domain> ...]')
  const drop = new Set(args.map((d) => d.toLowerCase()))
  await ctx.store.update((s) => { s.global.vhosts = s.global.vhosts.filter((v) => !drop.has(v)) })
  for (const d of args) ctx.info1(`Removed ${d}`)
}

export async function cmdDomainsSetGlobal (ctx: Ctx, args: string[]): Promise<void> {
  const domains = requireGlobalDomains(ctx, args)
  await ctx.store.update((s) => { s.global.vhosts = [...new Set(domains)] })
  ctx.info1(`Set ${args.join(' ')}`)
}

export async function cmdDomainsClearGlobal (ctx: Ctx): Promise<void> {
  await ctx.store.update((s) => { s.global.vhosts = [] })
  ctx.info1Quiet('Clearing global domains')
}

/**
 * `dokku cleanup [<app>]`: exited and dead dokku containers are removed (ps:report then shows
 * them `missing`), with dangling images, of which the simulator keeps none. Docker's own output
 * is captured, not shown. `DOKKU_SKIP_CLEANUP=true` skips it.
 */
export async function cmdCleanup (ctx: Ctx, args: string[]): Promise<void> {
  if (ctx.env.DOKKU_SKIP_CLEANUP === 'true') {
    ctx.info1('DOKKU_SKIP_CLEANUP set. Skipping dokku cleanup')
    return
  }
  ctx.info1('Cleaning up...')
  const only = args[0] !== undefined && args[0] !== '--global' ? args[0] : null
  await ctx.store.update((s) => {
    for (const [name, a] of Object.entries(s.apps)) {
      if (only !== null && name !== only) continue
      for (const c of a.containers) if (c.status === 'exited' || c.status === 'dead') c.status = 'missing'
    }
  })
  await ctx.step()
}

const GiB = 1024 ** 3

/** The disks a state without its own have: one ext4 root, 40% used. */
export function defaultDisks (): SimDisk[] {
  return [{ filesystem: '/dev/vda1', mount: '/', sizeBytes: 78 * GiB, usedBytes: 31 * GiB }]
}

/** df -h's human size: one decimal under 10, none above (`4.6G`, `78G`). */
function human (bytes: number): string {
  const units = ['K', 'M', 'G', 'T', 'P']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++ }
  const shown = value < 10 ? (Math.ceil(value * 10) / 10).toFixed(1) : String(Math.ceil(value))
  return `${shown}${units[unit]}`
}

/** A disk's used bytes now: what the state says, plus its growth since the state was made. */
export function diskUsedNow (disk: SimDisk, s: SimState, now: number): number {
  const days = Math.max(0, now - s.createdAt) / 86400
  return Math.min(disk.sizeBytes, Math.round(disk.usedBytes + (disk.growthBytesPerDay ?? 0) * days))
}

function dfBlock (disks: readonly SimDisk[], s: SimState, now: number, inodes: boolean): string[] {
  const rows = [inodes
    ? ['Filesystem', 'Inodes', 'IUsed', 'IFree', 'IUse%', 'Mounted on']
    : ['Filesystem', 'Size', 'Used', 'Avail', 'Use%', 'Mounted on']]
  for (const d of disks) {
    if (inodes) {
      rows.push([d.filesystem, '5.0M', '412K', '4.6M', '9%', d.mount])
      continue
    }
    const used = diskUsedNow(d, s, now)
    rows.push([d.filesystem, human(d.sizeBytes), human(used), human(d.sizeBytes - used), `${Math.ceil((used / d.sizeBytes) * 100)}%`, d.mount])
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  return rows.map((r) => '       ' + r.map((cell, i) => (i === r.length - 1 ? cell : rightPad(cell, widths[i]!))).join(' ').trimEnd())
}

/**
 * `dokku report`: the global section (server.md §9.2), with header lines that end in a space
 * where dokku's do. Tools the simulator does not have are warned about on stderr, as dokku does
 * for the optional ones.
 */
export async function cmdReport (ctx: Ctx, args: string[]): Promise<void> {
  if (args.includes('--format')) ctx.fail('--format flag not supported on global report')
  const s = await ctx.store.read()
  const disks = s.global.disk ?? defaultDisks()
  const now = ctx.now()
  const lines = [
    '-----> uname: Linux dokku01 6.8.0-60-generic #63-Ubuntu SMP PREEMPT_DYNAMIC Tue Apr 15 12:00:00 UTC 2026 x86_64 x86_64 x86_64 GNU/Linux',
    '-----> memory: ',
    '               total        used        free      shared  buff/cache   available',
    '       Mem:     7941        2710        1402          12        4109        5231',
    '       Swap:       0           0           0',
    '-----> disk utilization: ',
    ...dfBlock(disks, s, now, false),
    '-----> disk inode utilization: ',
    ...dfBlock(disks, s, now, true),
    '-----> docker version: ',
    '       Client: Docker Engine - Community',
    '        Version:           28.3.2',
    '       Server: Docker Engine - Community',
    '        Engine:',
    '         Version:          28.3.2',
    '-----> docker daemon info: ',
    '       Server Version: 28.3.2',
    '       Storage Driver: overlay2',
    '       Operating System: Ubuntu 24.04.2 LTS',
    '-----> herokuish version: ',
    '       herokuish: 0.10.6',
    `-----> dokku version: dokku version ${versionString(ctx.version)}`,
    '-----> docker-container-healthchecker version: docker-container-healthchecker 0.13.1',
    '-----> docker-image-labeler version: docker-image-labeler 0.9.0',
    '-----> git version: git version 2.43.0',
    '-----> lambda-builder version: lambda-builder 0.9.1',
    '-----> netrc version: netrc 0.10.2',
    '-----> plugn version: plugn: 0.17.1',
    '-----> sigil version: 0.11.4',
    '-----> sshcommand version: sshcommand 0.20.2',
    '-----> dokku plugins: ',
    ...s.plugins.map((p) => `         ${rightPad(p.name, 20)} ${rightPad(p.core ? versionString(ctx.version) : p.version, 5)} ${rightPad(p.enabled ? 'enabled' : 'disabled', 10)} ${p.description}`)
  ]
  ctx.warn('dokku-event-listener binary is not available')
  ctx.warn('dokku-update binary is not available')
  ctx.warn('pack binary is not available')
  for (const l of lines) ctx.line(l)
}
