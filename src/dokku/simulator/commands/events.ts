/**
 * `events`, `events:list`, `events:on`, `events:off` (plugins/20_events; deploys.md §4), and
 * the triggers the simulator's own mutations write to the log while logging is on.
 */
import type { Ctx } from '../context.js'
import { logEvents } from '../event-log.js'
import { rightPad } from '../format.js'

/** A part of the triggers dokku 0.38 hooks (160 in all), in `sort -n` order; every one a line of `events:list`. */
const HOOKED = [
  'app-create', 'app-destroy', 'app-exists', 'app-list', 'app-maybe-create', 'check-deploy', 'config-get', 'config-get-global',
  'deploy-source-set', 'deployed-app-image-tag', 'git-get-property', 'git-post-pull', 'git-pre-pull', 'post-config-update',
  'post-create', 'post-delete', 'post-deploy', 'post-domains-update', 'pre-receive-app', 'receive-app', 'release-and-deploy',
  'retire-container-failed', 'scheduler-deploy', 'user-auth'
]

export async function cmdEvents (ctx: Ctx, args: string[]): Promise<void> {
  const follow = args.includes('-t')
  const state = await ctx.store.read()
  // `tail -n 100 $DOKKU_EVENTS_LOGFILE`: old lines even while logging is off; nothing when there is no file.
  const log = state.events?.log ?? []
  for (const line of log.slice(-100)) ctx.line(line)
  if (!follow) return
  let shown = log.length
  for (;;) {
    if (ctx.io.signal?.aborted) return
    await ctx.step()
    const now = (await ctx.store.read()).events?.log ?? []
    for (const line of now.slice(Math.min(shown, now.length))) ctx.line(line)
    shown = now.length
  }
}

export async function cmdEventsList (ctx: Ctx): Promise<void> {
  const state = await ctx.store.read()
  if (!state.events?.enabled) {
    ctx.warn('Events logger disabled')
    return
  }
  // dokku_col_log_info2_quiet / dokku_col_log_msg: printf-padded columns, trailing spaces and all.
  if (!ctx.quiet) ctx.line(`=====> ${rightPad('Events currently logged', 18)} ${' '.repeat(25)} ${' '.repeat(25)} ${' '.repeat(25)}`)
  for (const t of HOOKED) ctx.line(`${rightPad(t, 25)} ${' '.repeat(25)} ${' '.repeat(25)} ${' '.repeat(25)}`)
}

export async function cmdEventsOn (ctx: Ctx): Promise<void> {
  ctx.line('Enabling dokku events logger')
  await ctx.store.update((s) => { s.events = { ...s.events, log: s.events?.log ?? [], enabled: true } })
}

export async function cmdEventsOff (ctx: Ctx): Promise<void> {
  ctx.line('Disabling dokku events logger')
  await ctx.store.update((s) => { if (s.events) s.events.enabled = false })
}

/** Positional words after the flags a Go or bash subcommand takes (`--no-restart`, `--encoded`, `--global`). */
function positional (args: readonly string[]): string[] {
  return args.filter((a) => !a.startsWith('--'))
}

/**
 * The triggers a finished, successful command fires that the log records for a timeline:
 * post-create, post-delete, post-config-update (key names only) and post-domains-update.
 * Deploys log their own (runDeploy).
 */
export function commandTriggers (command: string, args: readonly string[]): Array<readonly [string, readonly string[]]> {
  const words = positional(args)
  const app = words[0]
  if (app === undefined) return []
  switch (command) {
    case 'apps:create': return [['app-create', [app]], ['post-create', [app]]]
    case 'apps:destroy': return [['app-destroy', [app]], ['post-delete', [app, '']]]
    case 'config:set': {
      if (args.includes('--global')) return []
      const keys = words.slice(1).map((w) => w.split('=')[0]!).filter((k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
      return keys.length > 0 ? [['config-get', [app, 'DOKKU_APP_TYPE']], ['post-config-update', [app, 'set', ...keys]]] : []
    }
    case 'config:unset': return args.includes('--global') ? [] : [['post-config-update', [app, 'unset', ...words.slice(1)]]]
    case 'config:clear': return args.includes('--global') ? [] : [['post-config-update', [app, 'clear']]]
    case 'domains:add': return [['post-domains-update', [app, 'add', ...words.slice(1)]]]
    case 'domains:remove': return [['post-domains-update', [app, 'remove', ...words.slice(1)]]]
    case 'domains:set': return [['post-domains-update', [app, 'set', ...words.slice(1)]]]
    case 'domains:clear': return [['post-domains-update', [app, 'clear']]]
    default: return []
  }
}

/** After a command succeeded: its triggers into the log, when logging is on (one read otherwise). */
export async function recordCommandEvents (ctx: Ctx, command: string, args: readonly string[]): Promise<void> {
  const triggers = commandTriggers(command, args)
  if (triggers.length === 0) return
  const state = await ctx.store.read()
  if (!state.events?.enabled) return
  await ctx.store.update((s) => logEvents(ctx, s, triggers))
}
