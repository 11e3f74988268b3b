/**
 * The simulator's entry point: dokku's entry script (global flags before the command,
 * `version`, `help`, unknown commands) and the dispatch to each plugin's commands.
 */
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cmdAppsCreate, cmdAppsDestroy, cmdAppsExists, cmdAppsList, cmdAppsLock, cmdAppsLocked, cmdAppsReport, cmdAppsUnlock, cmdVersion } from './commands/apps.js'
import { cmdBuildsCancel, cmdBuildsInfo, cmdBuildsList, cmdBuildsOutput, cmdBuildsPrune, cmdBuildsReport } from './commands/builds.js'
import { cmdEvents, cmdEventsList, cmdEventsOff, cmdEventsOn, recordCommandEvents } from './commands/events.js'
import { cmdGitFromArchive, cmdGitFromImage, cmdGitReport, cmdGitSync } from './commands/git.js'
import { cmdConfigClear, cmdConfigExport, cmdConfigGet, cmdConfigKeys, cmdConfigSet, cmdConfigShow, cmdConfigUnset } from './commands/config.js'
import { datastoreInstalled, runDatastore } from './commands/databases.js'
import { cmdCertsReport, cmdDomainsAdd, cmdDomainsRemove, cmdDomainsReport, cmdDomainsSet } from './commands/domains.js'
import { cmdLetsencryptActive, cmdLetsencryptAutoRenew, cmdLetsencryptCronJob, cmdLetsencryptDisable, cmdLetsencryptEnable, cmdLetsencryptList, cmdLetsencryptReport, cmdLetsencryptSet } from './commands/letsencrypt.js'
import { cmdCleanup, cmdDomainsAddGlobal, cmdDomainsClearGlobal, cmdDomainsRemoveGlobal, cmdDomainsSetGlobal, cmdReport } from './commands/host.js'
import { cmdLogs } from './commands/logs.js'
import { cmdPluginList, cmdPluginRootOnly } from './commands/plugin.js'
import { cmdPsRebuild, cmdPsReport, cmdPsRestart, cmdPsScale, cmdPsStart, cmdPsStop } from './commands/ps.js'
import { cmdK3sClusterList, cmdSchedulerReport } from './commands/scheduler.js'
import { BUILDER_COMMANDS } from './commands/builder.js'
import { CHECKS_COMMANDS } from './commands/checks.js'
import { CRON_COMMANDS } from './commands/cron.js'
import { DOCKER_OPTIONS_COMMANDS } from './commands/docker-options.js'
import { MAINTENANCE_COMMANDS } from './commands/maintenance.js'
import { NGINX_COMMANDS } from './commands/nginx.js'
import { PORTS_COMMANDS } from './commands/ports.js'
import { PROXY_COMMANDS } from './commands/proxy.js'
import { PS_SET_COMMANDS } from './commands/ps-set.js'
import { RESOURCE_COMMANDS } from './commands/resource.js'
import { STORAGE_COMMANDS } from './commands/storage.js'
import { cmdPluginInstalled, cmdSshKeysAdd, cmdSshKeysList, cmdSshKeysRemove } from './commands/ssh-keys.js'
import { Ctx, SimExit, type GlobalFlags, type SimEnv, type SimIO } from './context.js'
import { createSeedState } from './seed.js'
import { StateError, StateStore } from './state.js'
import { parseVersion } from './version.js'

type Handler = (ctx: Ctx, args: string[]) => Promise<void> | void

const COMMANDS: Record<string, Handler> = {
  version: cmdVersion,
  '-v': cmdVersion,
  '--version': cmdVersion,
  apps: cmdAppsList,
  'apps:list': cmdAppsList,
  'apps:create': cmdAppsCreate,
  'apps:destroy': cmdAppsDestroy,
  'apps:exists': cmdAppsExists,
  'apps:report': cmdAppsReport,
  'apps:lock': cmdAppsLock,
  'apps:unlock': cmdAppsUnlock,
  'apps:locked': cmdAppsLocked,
  'ps:report': cmdPsReport,
  'ps:scale': cmdPsScale,
  'ps:restart': cmdPsRestart,
  'ps:rebuild': cmdPsRebuild,
  'ps:stop': cmdPsStop,
  'ps:start': cmdPsStart,
  config: cmdConfigShow,
  'config:show': cmdConfigShow,
  'config:get': cmdConfigGet,
  'config:keys': cmdConfigKeys,
  'config:export': cmdConfigExport,
  'config:set': cmdConfigSet,
  'config:unset': cmdConfigUnset,
  'config:clear': cmdConfigClear,
  'domains:report': cmdDomainsReport,
  'domains:add': cmdDomainsAdd,
  'domains:remove': cmdDomainsRemove,
  'domains:set': cmdDomainsSet,
  'certs:report': cmdCertsReport,
  'letsencrypt:list': cmdLetsencryptList,
  'letsencrypt:report': cmdLetsencryptReport,
  'letsencrypt:set': cmdLetsencryptSet,
  'letsencrypt:enable': cmdLetsencryptEnable,
  'letsencrypt:auto-renew': cmdLetsencryptAutoRenew,
  'letsencrypt:active': cmdLetsencryptActive,
  'letsencrypt:disable': cmdLetsencryptDisable,
  'letsencrypt:cron-job': cmdLetsencryptCronJob,
  'plugin:list': cmdPluginList,
  'builds:cancel': cmdBuildsCancel,
  // deploys (deploys.md §1, §2, §4)
  'builds:list': cmdBuildsList,
  'builds:info': cmdBuildsInfo,
  'builds:output': cmdBuildsOutput,
  'builds:report': cmdBuildsReport,
  'builds:prune': cmdBuildsPrune,
  'git:sync': cmdGitSync,
  'git:from-image': cmdGitFromImage,
  'git:from-archive': cmdGitFromArchive,
  'git:report': cmdGitReport,
  events: cmdEvents,
  'events:list': cmdEventsList,
  'events:on': cmdEventsOn,
  'events:off': cmdEventsOff,
  'scheduler:report': cmdSchedulerReport,
  'scheduler-k3s:cluster:list': (ctx, args) => cmdK3sClusterList(ctx, args, 'scheduler-k3s:cluster:list'),
  'scheduler-k3s:cluster-list': (ctx, args) => cmdK3sClusterList(ctx, args, 'scheduler-k3s:cluster-list'),
  logs: cmdLogs,
  // app settings (app-settings.md): ports, proxy, checks, resource, storage, nginx, ps:set,
  // builder, buildpacks, docker-options, cron, and the maintenance and http-auth plugins
  ...PORTS_COMMANDS,
  ...PROXY_COMMANDS,
  ...CHECKS_COMMANDS,
  ...RESOURCE_COMMANDS,
  ...STORAGE_COMMANDS,
  ...NGINX_COMMANDS,
  ...PS_SET_COMMANDS,
  ...BUILDER_COMMANDS,
  ...DOCKER_OPTIONS_COMMANDS,
  ...CRON_COMMANDS,
  ...MAINTENANCE_COMMANDS,
  // the host (server.md §1, §5, §7, §9)
  'ssh-keys:list': cmdSshKeysList,
  'ssh-keys:add': cmdSshKeysAdd,
  'ssh-keys:remove': cmdSshKeysRemove,
  'plugin:installed': cmdPluginInstalled,
  'domains:add-global': cmdDomainsAddGlobal,
  'domains:remove-global': cmdDomainsRemoveGlobal,
  'domains:set-global': cmdDomainsSetGlobal,
  'domains:clear-global': cmdDomainsClearGlobal,
  cleanup: cmdCleanup,
  report: cmdReport
}

const HELP = `Usage: dokku [--quiet|--trace|--force] COMMAND <app> [command-specific-options]

Primary help options, type "dokku COMMAND:help" for more details, or dokku help --all to see all commands.

Commands:

    apps          Manage apps
    certs         Manage SSL (TLS) certs
    config        Manage global and app-specific config vars
    domains       Manage domains used by the proxy
    letsencrypt   Manage the letsencrypt integration
    logs          Manage log integration for an app
    plugin        Manage installed plugins
    ps            List processes running in app containers
    version       Print dokku's version
`

/** Default state file when `DOKKU_SIM_STATE` is unset. */
export function defaultStatePath (): string {
  return join(tmpdir(), 'dokku-simulator', 'state.json')
}

function intEnv (env: SimEnv, name: string, def: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return def
  const n = Number(raw)
  return Number.isFinite(n) && n >= 0 ? n : def
}

/** dokku's entry script: global flags are only recognised before the command. */
export function splitGlobalFlags (argv: readonly string[]): { globals: GlobalFlags, rest: string[] } {
  const globals: GlobalFlags = { quiet: false, force: false, trace: false, noRestart: false, app: null }
  const rest = [...argv]
  while (rest.length > 0 && rest[0]!.startsWith('--') && rest[0] !== '--version') {
    const a = rest.shift()!
    if (a === '--quiet') globals.quiet = true
    else if (a === '--force') globals.force = true
    else if (a === '--trace') globals.trace = true
    else if (a === '--no-restart') globals.noRestart = true
    else if (a === '--app') globals.app = rest.shift() ?? null
    else if (a.startsWith('--app=')) globals.app = a.slice('--app='.length)
  }
  return { globals, rest }
}

export function notACommand (ctx: Ctx, words: readonly string[]): never {
  ctx.warn(`\`${words.join(' ')}\` is not a dokku command.`)
  return ctx.fail('See `dokku help` for a list of available commands.')
}

async function dispatch (ctx: Ctx, words: string[]): Promise<void> {
  const [command, ...args] = words
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    ctx.out(HELP)
    return
  }
  const handler = COMMANDS[command]
  if (handler) {
    await handler(ctx, args)
    // What it did goes to the events log, when that is on (deploys log their own lines).
    await recordCommandEvents(ctx, command, args)
    return
  }
  if (command.startsWith('plugin:')) {
    if (command === 'plugin:help') {
      ctx.out('Usage: dokku plugin[:COMMAND]\n\nManage installed plugins\n\nAdditional commands:\n    plugin:list    Print active plugins\n')
      return
    }
    cmdPluginRootOnly(ctx)
  }
  const colon = command.indexOf(':')
  if (colon > 0) {
    const prefix = command.slice(0, colon)
    const state = await ctx.store.read()
    if (datastoreInstalled(state, prefix) && await runDatastore(ctx, prefix, command.slice(colon + 1), args)) return
  }
  notACommand(ctx, words)
}

/**
 * Runs one dokku invocation. `argv` is what follows the program name. Resolves to the exit
 * code; output goes through `io` exactly as dokku splits it between stdout and stderr.
 *
 * Environment knobs: `DOKKU_SIM_STATE` (state file), `DOKKU_SIM_VERSION` (dokku version to
 * imitate), `DOKKU_SIM_LATENCY_MS` (delay before answering), `DOKKU_SIM_STEP_MS` (delay between
 * streamed lines, default 150), `DOKKU_SIM_APPS` (generated apps in a new state),
 * `DOKKU_SIM_NOW` (fixed clock, UNIX seconds), `DOKKU_SIM_FOLLOW_LIMIT` (stop `logs -t` after N lines),
 * `DOKKU_SIM_SEED` (`b`: a new state starts as demo host b, with other apps; default `a`).
 */
export async function simulate (argv: readonly string[], env: SimEnv, io: SimIO): Promise<number> {
  const { globals, rest } = splitGlobalFlags(argv)
  const statePath = env.DOKKU_SIM_STATE !== undefined && env.DOKKU_SIM_STATE !== '' ? env.DOKKU_SIM_STATE : defaultStatePath()
  let ctxRef: Ctx | null = null
  const store = new StateStore(statePath, () => createSeedState({
    now: ctxRef ? ctxRef.now() : Math.floor(Date.now() / 1000),
    extraApps: intEnv(env, 'DOKKU_SIM_APPS', 0),
    seed: env.DOKKU_SIM_SEED === 'b' ? 'b' : 'a'
  }))
  const ctx = new Ctx(io, env, store, parseVersion(env.DOKKU_SIM_VERSION), globals, intEnv(env, 'DOKKU_SIM_STEP_MS', 150))
  ctxRef = ctx
  try {
    const latency = intEnv(env, 'DOKKU_SIM_LATENCY_MS', 0)
    if (latency > 0) await io.sleep(latency)
    await dispatch(ctx, rest)
    return 0
  } catch (err) {
    if (err instanceof SimExit) return err.code
    if (err instanceof StateError) {
      io.stderr(` !     ${err.message}\n`)
      return 1
    }
    io.stderr(` !     simulator error: ${err instanceof Error ? err.message : String(err)}\n`)
    return 1
  }
}
