/**
 * `storage:list`, `storage:mount`, `storage:unmount`, `storage:ensure-directory`
 * (dokku-reference/app-settings.md §5; plugins/storage, Go since 0.37.5, entries since 0.38.0).
 * Only the legacy colon form is simulated: a mount becomes a `legacy-<sha1>` entry plus an
 * attachment, as dokku 0.38 stores it. Named entries (`storage:create`) are not.
 */
import { createHash } from 'node:crypto'
import type { Ctx } from '../context.js'
import { compareBytes, goJsonString } from '../format.js'
import type { FlagSpec } from '../pflag.js'
import { settingsOf, type SimMount } from '../settings-state.js'
import type { Handler } from './settings-common.js'

export const STORAGE_ROOT = '/var/lib/dokku/data/storage'

/** `LegacyMountToEntry`: `legacy-` + 10 hex of sha1(host path), or of `vol:<name>` for a volume. */
export function legacyEntryName (host: string): string {
  const input = host.startsWith('/') ? host : `vol:${host}`
  return 'legacy-' + createHash('sha1').update(input).digest('hex').slice(0, 10)
}

/** `formatStorageListEntry`: `host:container[:ro,opts]`. */
export function mountText (m: SimMount): string {
  const options = [...(m.readonly ? ['ro'] : []), ...m.options]
  return options.length > 0 ? `${m.host}:${m.container}:${options.join(',')}` : `${m.host}:${m.container}`
}

/** `AttachmentsForPhase`: sorted by entry name, then container path. */
function sorted (mounts: readonly SimMount[]): SimMount[] {
  return [...mounts].sort((a, b) => compareBytes(legacyEntryName(a.host), legacyEntryName(b.host)) || compareBytes(a.container, b.container))
}

function listJson (ctx: Ctx, mounts: readonly SimMount[]): string {
  if (ctx.atLeast('0.38.0')) {
    return '[' + mounts.map((m) => {
      const fields = [`"entry_name":${goJsonString(legacyEntryName(m.host))}`, `"host_path":${goJsonString(m.host)}`, `"container_path":${goJsonString(m.container)}`]
      if (m.readonly) fields.push('"readonly":true')
      if (m.options.length > 0) fields.push(`"volume_options":${goJsonString(m.options.join(','))}`)
      return `{${fields.join(',')}}`
    }).join(',') + ']'
  }
  const rows = mounts.map((m) => ({ host_path: m.host, container_path: m.container, volume_options: [...(m.readonly ? ['ro'] : []), ...m.options].join(',') }))
  // The bash plugin (≤0.37.4) built its JSON with jq: pretty-printed.
  return ctx.atLeast('0.37.5') ? JSON.stringify(rows) : JSON.stringify(rows, null, 2)
}

async function cmdStorageList (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('storage:list', [{ name: 'format', type: 'string', def: 'text', usage: '--format: output format (text, json)' }], args)
  const app = positional[0] ?? ''
  const format = String(values.format)
  const s = await ctx.store.read()
  const a = ctx.requireApp(s, app)
  if (format !== 'text' && format !== 'json') ctx.fail('Invalid --format value specified')
  const mounts = ctx.atLeast('0.38.0') ? sorted(a.settings?.storage ?? []) : [...(a.settings?.storage ?? [])]
  if (format === 'json') {
    ctx.line(listJson(ctx, mounts))
    return
  }
  // Before the Go plugin (0.37.5) a bare storage:list printed raw lines: no header, no indent.
  const explicit = args.some((x) => x === '--format' || x.startsWith('--format='))
  if (!ctx.atLeast('0.37.5') && !explicit) {
    for (const m of mounts) ctx.line(mountText(m))
    return
  }
  ctx.info1Quiet(`${app} volume bind-mounts:`)
  for (const m of mounts) {
    if (ctx.quiet) ctx.line(mountText(m))
    else ctx.verbose(mountText(m))
  }
}

const MOUNT_FLAGS: FlagSpec[] = [
  { name: 'container-dir', type: 'string', def: '', usage: '--container-dir: container path to mount at' },
  { name: 'phase', type: 'string', def: '', usage: '--phase: phase(s) to mount in (deploy, run)' },
  { name: 'process-type', type: 'string', def: '', usage: '--process-type: process type to mount for' },
  { name: 'volume-subpath', type: 'string', def: '', usage: '--volume-subpath: subpath within the volume' },
  { name: 'volume-readonly', type: 'bool', def: false, usage: '--volume-readonly: mount read-only' },
  { name: 'volume-chown', type: 'string', def: '', usage: '--volume-chown: chown the volume' },
  { name: 'volume-options', type: 'string', def: '', usage: '--volume-options: extra volume options' }
]

/** `VerifyPaths` and `ParseMountPath`: dokku's checks of the colon form. */
function parseColonForm (ctx: Ctx, mountPath: string): SimMount {
  if (mountPath.startsWith('/')) {
    if (!/^\/.*:\//.test(mountPath)) ctx.fail('Storage path must be two valid paths divided by colon.')
  } else if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]+:\//.test(mountPath)) {
    ctx.fail('Volume name must be two characters or more. Volume name must not contain invalid characters. Storage path must be two valid paths divided by colon.')
  }
  const [host = '', container = '', ...rest] = mountPath.split(':')
  const opts = rest.join(':')
  if (container === '') ctx.fail('Storage path must be two valid paths divided by colon.')
  const tokens = opts === '' ? [] : opts.split(',')
  return { host, container, readonly: tokens.includes('ro'), options: tokens.filter((t) => t !== 'ro') }
}

function mountHandler (mount: boolean): Handler {
  const command = mount ? 'storage:mount' : 'storage:unmount'
  return async (ctx, args) => {
    const { positional } = ctx.pflags(command, mount ? MOUNT_FLAGS : [MOUNT_FLAGS[0]!], args)
    const [app = '', target = ''] = positional
    await ctx.store.update((s) => {
      const a = ctx.requireApp(s, app)
      if (!target.includes(':')) {
        if (mount) ctx.fail(`storage entry ${goJsonString(target)} does not exist; create it first with \`dokku storage:create\``)
        ctx.fail(`storage entry ${goJsonString(target)} is not mounted on ${app}`)
      }
      const parsed = parseColonForm(ctx, target)
      const settings = settingsOf(a)
      const mounts = settings.storage ?? []
      const same = (m: SimMount) => legacyEntryName(m.host) === legacyEntryName(parsed.host) && m.container === parsed.container
      if (mount) {
        if (mounts.some(same)) ctx.fail('Mount path already exists.')
        settings.storage = [...mounts, parsed]
      } else {
        if (!mounts.some(same)) ctx.fail('Mount path does not exist.')
        settings.storage = mounts.filter((m) => !same(m))
        if (settings.storage.length === 0) delete settings.storage
      }
    })
    // Legacy mount and unmount print nothing on success.
  }
}

const CHOWN_IDS: Record<string, string> = { herokuish: '32767', heroku: '1000', paketo: '2000', packeto: '2000', root: '0', false: 'false' }

async function cmdEnsureDirectory (ctx: Ctx, args: string[]): Promise<void> {
  if (!ctx.atLeast('0.25.5')) {
    ctx.warn('`storage:ensure-directory` is not a dokku command.')
    ctx.fail('See `dokku help` for a list of available commands.')
  }
  const { values, positional } = ctx.pflags('storage:ensure-directory', [{ name: 'chown', type: 'string', def: 'herokuish', usage: '--chown: chown option (herokuish, heroku, paketo, root, false)' }], args)
  if (ctx.atLeast('0.38.7')) ctx.warn("Deprecated: please use 'storage:create' instead of 'storage:ensure-directory'")
  const directory = positional[0] ?? ''
  if (directory === '') ctx.fail('Please specify a directory to create')
  if (!/^[A-Za-z0-9_-]+$/.test(directory)) ctx.fail('Directory can only contain the following set of characters: [A-Za-z0-9_-]')
  const chown = String(values.chown)
  let id = CHOWN_IDS[chown]
  if (chown === 'paketo' && !ctx.atLeast('0.35.17')) id = undefined
  if (id === undefined && /^\d+$/.test(chown) && Number(chown) <= 65535 && ctx.atLeast('0.38.22')) id = String(Number(chown))
  if (id === undefined) ctx.fail('Unsupported chown permissions')
  if (chown === 'packeto') ctx.verbose("Detected deprecated chown flag 'packeto'. Using 'paketo' instead. Please update your configuration.")
  ctx.info1(`Ensuring ${STORAGE_ROOT}/${directory} exists`)
  if (id !== 'false') ctx.verboseQuiet(`Setting directory ownership to ${id}:${id}`)
  ctx.verboseQuiet('Directory ready for mounting')
}

export const STORAGE_COMMANDS: Record<string, Handler> = {
  'storage:list': cmdStorageList,
  'storage:mount': mountHandler(true),
  'storage:unmount': mountHandler(false),
  'storage:ensure-directory': cmdEnsureDirectory
}
