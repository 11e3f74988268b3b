import * as apps from './commands/apps.js'
import * as builds from './commands/builds.js'
import * as certs from './commands/certs.js'
import * as config from './commands/config.js'
import * as databases from './commands/databases.js'
import * as domains from './commands/domains.js'
import * as dokkuEvents from './commands/events.js'
import * as git from './commands/git.js'
import * as host from './commands/host.js'
import * as letsencrypt from './commands/letsencrypt.js'
import * as logs from './commands/logs.js'
import * as plugins from './commands/plugins.js'
import * as ps from './commands/ps.js'
import * as scheduler from './commands/scheduler.js'
import * as settingsBuilder from './commands/builder.js'
import * as settingsBuildpacks from './commands/buildpacks.js'
import * as settingsChecks from './commands/checks.js'
import * as settingsCron from './commands/cron.js'
import * as settingsDockerOptions from './commands/docker-options.js'
import * as settingsHttpAuth from './commands/http-auth.js'
import * as settingsMaintenance from './commands/maintenance.js'
import * as settingsNginx from './commands/nginx.js'
import * as settingsPorts from './commands/ports.js'
import * as settingsProxy from './commands/proxy.js'
import * as settingsPs from './commands/ps-set.js'
import * as settingsResource from './commands/resource.js'
import * as settingsStorage from './commands/storage.js'
import type { BuilderReport, BuildpacksReport, DockerfileReport } from './parsers/builder.js'
import type { ChecksReport } from './parsers/checks.js'
import type { CronTask } from './parsers/cron.js'
import type { DockerOptionsReport } from './parsers/docker-options.js'
import type { HttpAuthReport, MaintenanceReport } from './parsers/maintenance.js'
import type { NginxReport } from './parsers/nginx.js'
import type { PortsReport } from './parsers/ports.js'
import type { ProxyReport } from './parsers/proxy.js'
import type { ResourceReport } from './parsers/resource.js'
import type { Mount } from './parsers/storage.js'
import type { CommandOutput, CommandSpec, PluginResult } from './commands/spec.js'
import { supports, versionCommand } from './commands/version.js'
import { DokkuError, dokkuMessages, errorFromRun, OutputParseError } from './errors.js'
import type { AppReport } from './parsers/apps.js'
import type { CertsReport } from './parsers/certs.js'
import type { BuildRecord } from './parsers/builds.js'
import type { EnvVars } from './parsers/config.js'
import type { ServiceInfo, ServiceListItem } from './parsers/databases.js'
import type { DomainsReport } from './parsers/domains.js'
import type { DokkuEvent, EventsStatus } from './parsers/events.js'
import type { GitReport } from './parsers/git.js'
import type { CronJobState, GlobalDomains, HostReport, SshKey } from './parsers/host.js'
import type { LetsencryptListItem, LetsencryptReport } from './parsers/letsencrypt.js'
import { LineSplitter, parseLogLine, type LogLine } from './parsers/logs.js'
import type { PluginInfo } from './parsers/plugins.js'
import type { ProcessScale, PsReport } from './parsers/ps.js'
import type { K3sCluster, SchedulerReport } from './parsers/scheduler.js'
import { UNKNOWN_VERSION, versionAtLeast, type DokkuVersion } from './parsers/version.js'
import { composeRedactors, redactDsnPasswords, redactingOutput, type Redactor } from './redact.js'
import { displayArgv, type Runner, type RunResult } from './runner.js'
import { DB_PLUGINS, validateAppName, type DbPlugin } from './validate.js'
import type { ArchiveType } from './validate-deploy.js'

/** What the client needs of a Runner; tests pass a fake with the same shape. */
export type RunnerLike = Pick<Runner, 'run'>

export type OutputListener = (stream: 'stdout' | 'stderr', text: string) => void

/** For commands that may run as a job (restart, rebuild, scale, config changes, …). */
export interface JobOptions {
  /** Live output, as it arrives (values and DSN passwords redacted where the command has any). */
  onOutput?: OutputListener
  signal?: AbortSignal
  /** History label; each command has a sensible default. */
  label?: string
  /** A history row made earlier (a queued job). */
  historyId?: number
  timeoutMs?: number
  /** Called when the command leaves its lane's queue and starts. */
  onStart?: () => void
}

/** The result of a command that changes something. */
export interface CommandOutcome {
  historyId: number
  /** stdout, redacted. */
  output: string
  /** Dokku's ` !` lines from a successful run ("App x has not been deployed", …), redacted. */
  warnings: string[]
  /** dokku's own words when it succeeded without doing anything; null when it did something. */
  nothingToDo: string | null
}

/**
 * dokku's soft refusals: exit 0 and a ` !` warning, nothing changed (README of dokku-reference,
 * "soft failures"; ps.md). A job that meets one ends as "nothing to do", not as a success.
 */
const NOTHING_TO_DO = [
  /^App \S+ has not been deployed$/,
  /^App \S+ already running$/,
  /^App \S+ is not running$/,
  /^Skipping build as no changes were detected$/
]

export type { PluginResult } from './commands/spec.js'

export interface DatabaseServices {
  plugin: DbPlugin
  installed: boolean
  services: ServiceListItem[]
}

export interface LogTailOptions extends logs.LogsOptions {
  /** Each complete output line, parsed (stdout and stderr alike). */
  onLine?: (line: LogLine) => void
  /** Raw chunks as they arrive. */
  onOutput?: OutputListener
  signal?: AbortSignal
}

export interface LogTailEnd {
  historyId: number
  /** `stopped`: by stop() or the signal; `ended`: dokku finished by itself (no containers…). */
  reason: 'stopped' | 'ended' | 'timeout'
}

export interface LogTail {
  stop (): void
  /** Resolves when the tail ends; rejects with a DokkuError when dokku refuses (app missing, not deployed). */
  done: Promise<LogTailEnd>
}

interface Ran<T> {
  /** The parser's answer (awaited: the reports over every app are parsed a few apps at a time). */
  value: Awaited<T>
  result: RunResult
  redact: Redactor
}

/**
 * Typed access to dokku. Every method validates its input before anything runs
 * (InvalidArgumentError), runs one command through the Runner (one history row), and turns a
 * failure into a DokkuError carrying dokku's own message. The dokku version is read once,
 * on first need, and picks JSON or text output per command.
 */
export class DokkuClient {
  private versionPromise: Promise<DokkuVersion> | null = null
  private resolvedVersion: DokkuVersion | null = null

  constructor (private readonly runner: RunnerLike, private readonly options: { now?: () => Date } = {}) {}

  /** `dokku version`, cached; a failure to reach dokku is not cached. */
  version (): Promise<DokkuVersion> {
    this.versionPromise ??= this.detectVersion().then((v) => {
      this.resolvedVersion = v
      return v
    }, (error: unknown) => {
      this.versionPromise = null
      throw error
    })
    return this.versionPromise
  }

  /** The version once read, without asking dokku (the advisory banner on every page); null before. */
  knownVersion (): DokkuVersion | null {
    return this.resolvedVersion
  }

  /**
   * Reads `dokku version` again (the watchdog, each round: an upgrade shows without a restart).
   * A host that does not answer rejects, and the version known before stays.
   */
  async refreshVersion (): Promise<DokkuVersion> {
    const v = await this.detectVersion()
    this.resolvedVersion = v
    this.versionPromise = Promise.resolve(v)
    return v
  }

  private async detectVersion (): Promise<DokkuVersion> {
    try {
      return (await this.run(versionCommand())).value
    } catch (error) {
      // "Unable to determine dokku's version" (exit 1) or odd output: dokku works, use text formats.
      if (error instanceof DokkuError && (error.kind === 'failed' || error.kind === 'parse')) return UNKNOWN_VERSION
      throw error
    }
  }

  /**
   * Identical reads in flight at the same moment share one run (single-flight): ten tabs
   * polling the dashboard cost dokku one call. Keyed by argv; entries leave when the run ends.
   */
  private readonly inFlight = new Map<string, Promise<Ran<unknown>>>()

  private run<T> (spec: CommandSpec<T>, options: JobOptions = {}): Promise<Ran<T>> {
    const shareable = spec.kind === 'read' && !spec.stream && options.historyId === undefined &&
      options.onOutput === undefined && options.signal === undefined
    if (!shareable) return this.runOnce(spec, options)
    const key = spec.args.join('\0')
    const pending = this.inFlight.get(key)
    if (pending) return pending as Promise<Ran<T>>
    const started = this.runOnce(spec, options).finally(() => this.inFlight.delete(key))
    this.inFlight.set(key, started)
    return started
  }

  private async runOnce<T> (spec: CommandSpec<T>, options: JobOptions = {}): Promise<Ran<T>> {
    const redact = composeRedactors(spec.redactOutput, redactDsnPasswords)
    // Live output gets the same redaction as the stored copy, whatever the command: what a job
    // panel shows and what history keeps never differ in what they hide. (A log tail is the
    // app's own output, passed through as it comes.)
    const live = options.onOutput && !spec.stream ? redactingOutput(options.onOutput, redact) : null
    let result: RunResult
    try {
      result = await this.runner.run('dokku', {
        args: spec.args,
        display: spec.display,
        redactOutput: redact,
        app: spec.app ?? null,
        kind: spec.kind === 'read' ? 'read' : 'action',
        lane: spec.kind === 'job' ? 'job' : undefined,
        label: options.label ?? spec.label ?? null,
        historyId: options.historyId,
        timeoutMs: options.timeoutMs ?? spec.timeoutMs,
        signal: options.signal,
        onOutput: live ? live.onOutput : options.onOutput,
        onStart: options.onStart,
        stream: spec.stream
      })
    } finally {
      live?.flush()
    }
    const out: CommandOutput = { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode }
    const command = displayArgv(['dokku', ...(spec.display ?? spec.args)])
    if (result.status !== 'success' && !(result.status === 'failed' && spec.acceptFailure?.(out))) {
      throw errorFromRun(result, { command, redact })
    }
    try {
      return { value: await spec.parse(out), result, redact }
    } catch (error) {
      if (error instanceof OutputParseError) {
        throw new DokkuError('parse', `Unexpected output from ${command}: ${redact(error.message)}`, {
          exitCode: result.exitCode, historyId: result.id, command
        })
      }
      throw error
    }
  }

  private async change (spec: CommandSpec<void>, options: JobOptions = {}): Promise<CommandOutcome> {
    const { result, redact } = await this.run(spec, options)
    return outcome(result, redact)
  }

  // ---- apps ----------------------------------------------------------------------------------

  async listApps (): Promise<string[]> {
    return (await this.run(apps.listApps(await this.version()))).value
  }

  async appReport (app: string): Promise<AppReport> {
    validateAppName(app)
    return (await this.run(apps.appReport(app, await this.version()))).value
  }

  async createApp (app: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(apps.createApp(app), options)
  }

  /** Runs with `--force` only when `confirmation` is exactly the app's name. */
  async destroyApp (app: string, confirmation: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(apps.destroyApp(app, confirmation), options)
  }

  // ---- ps ------------------------------------------------------------------------------------

  async psReport (app: string): Promise<PsReport> {
    validateAppName(app)
    return (await this.run(ps.psReport(app, await this.version()))).value
  }

  /** Every app's processes in one `ps:report` call (for the dashboard). */
  async psReportAll (): Promise<PsReport[]> {
    return (await this.run(ps.psReportAll())).value
  }

  async getScale (app: string): Promise<ProcessScale[]> {
    validateAppName(app)
    return (await this.run(ps.getScale(app, await this.version()))).value
  }

  async setScale (app: string, formation: ps.Formation, options: JobOptions & { skipDeploy?: boolean } = {}): Promise<CommandOutcome> {
    return this.change(ps.setScale(app, formation, { skipDeploy: options.skipDeploy }), options)
  }

  async restart (app: string, options: JobOptions & { process?: string } = {}): Promise<CommandOutcome> {
    return this.change(ps.restart(app, { process: options.process }), options)
  }

  async rebuild (app: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(ps.rebuild(app), options)
  }

  async stop (app: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(ps.stop(app), options)
  }

  async start (app: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(ps.start(app), options)
  }

  // ---- builds --------------------------------------------------------------------------------

  /**
   * Asks dokku to stop the app's running deploy where it runs (`builds:cancel`, 0.38.0+).
   * `supported: false` on older dokku, which has no such command.
   */
  async cancelBuild (app: string): Promise<{ supported: false } | ({ supported: true } & builds.BuildCancel)> {
    validateAppName(app)
    if (!versionAtLeast(await this.version(), '0.38.0')) return { supported: false }
    return { supported: true, ...(await this.run(builds.cancelBuild(app))).value }
  }

  // ---- deploys: git, builds, events (deploys.md) -----------------------------------------------

  /** `git:sync`: fetch a repository's ref and (with `build`) build and deploy it, as a job. */
  async gitSync (app: string, repo: string, ref: string | null, build: git.SyncBuild, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(git.gitSync(app, repo, ref, build, await this.version()), options)
  }

  /** `git:from-image`: build and deploy an image (exit 1 when it is the image already deployed). */
  async gitFromImage (app: string, image: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(git.gitFromImage(app, image, await this.version()), options)
  }

  async gitFromArchive (app: string, url: string, type: ArchiveType, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(git.gitFromArchive(app, url, type, await this.version()), options)
  }

  async gitReport (app: string): Promise<GitReport> {
    validateAppName(app)
    return (await this.run(git.gitReport(app, await this.version()))).value
  }

  /** The app's build records (0.38.0+); `supported: false` on older dokku, which keeps none. */
  async listBuilds (app: string, filter: builds.BuildListFilter = {}): Promise<{ supported: false } | { supported: true; builds: BuildRecord[] }> {
    validateAppName(app)
    if (!supports(await this.version(), 'builds')) return { supported: false }
    return { supported: true, builds: (await this.run(builds.listBuilds(app, filter))).value }
  }

  /** A finished build's log as dokku captured it (stdout and stderr as one stream). */
  async buildOutput (app: string, id: string): Promise<string> {
    return (await this.run(builds.buildOutput(app, id))).value
  }

  /** The last lines of dokku's events log, parsed; [] when the log is missing or empty. */
  async events (): Promise<DokkuEvent[]> {
    return (await this.run(dokkuEvents.events(() => this.now()))).value
  }

  async eventsStatus (): Promise<EventsStatus> {
    return (await this.run(dokkuEvents.eventsList())).value
  }

  /** Turns dokku's events log on for every later call on the host: only on the admin's request. */
  async eventsOn (options?: JobOptions): Promise<CommandOutcome> {
    return this.change(dokkuEvents.eventsOn(), options)
  }

  // ---- config --------------------------------------------------------------------------------

  async configExport (app: string): Promise<EnvVars> {
    return (await this.run(config.configExport(app))).value
  }

  /** One value, or null when the key is not set. */
  async configGet (app: string, key: string): Promise<string | null> {
    return (await this.run(config.configGet(app, key))).value
  }

  async configSet (app: string, vars: Readonly<Record<string, config.ConfigValue>>, options: JobOptions & { noRestart?: boolean } = {}): Promise<CommandOutcome> {
    return this.change(config.configSet(app, vars, { noRestart: options.noRestart }), options)
  }

  async configUnset (app: string, keys: readonly string[], options: JobOptions & { noRestart?: boolean } = {}): Promise<CommandOutcome> {
    return this.change(config.configUnset(app, keys, { noRestart: options.noRestart }), options)
  }

  // ---- domains and certificates ----------------------------------------------------------------

  async domainsReport (app: string): Promise<DomainsReport> {
    validateAppName(app)
    return (await this.run(domains.domainsReport(app, await this.version()))).value
  }

  /** Every app's domains in one `domains:report` call (for the dashboard). */
  async domainsReportAll (): Promise<DomainsReport[]> {
    return (await this.run(domains.domainsReportAll())).value
  }

  async addDomains (app: string, list: readonly string[], options?: JobOptions): Promise<CommandOutcome> {
    return this.change(domains.addDomains(app, list), options)
  }

  async removeDomains (app: string, list: readonly string[], options?: JobOptions): Promise<CommandOutcome> {
    return this.change(domains.removeDomains(app, list), options)
  }

  async certsReport (app: string): Promise<CertsReport> {
    validateAppName(app)
    return (await this.run(certs.certsReport(app, await this.version(), this.now()))).value
  }

  // ---- letsencrypt ---------------------------------------------------------------------------

  /** Apps with an active certificate; falls back to `letsencrypt:ls` for plugins before 0.10.0. */
  async letsencryptList (): Promise<PluginResult<{ items: LetsencryptListItem[] }>> {
    const current = (await this.run(letsencrypt.letsencryptList())).value
    if (current.installed) return current
    return (await this.run(letsencrypt.letsencryptList({ legacy: true }))).value
  }

  async letsencryptReport (app: string): Promise<PluginResult<{ report: LetsencryptReport }>> {
    return (await this.run(letsencrypt.letsencryptReport(app))).value
  }

  async letsencryptEnable (app: string, options: JobOptions & { force?: boolean } = {}): Promise<CommandOutcome> {
    return this.change(letsencrypt.letsencryptEnable(app, { force: options.force }), options)
  }

  async letsencryptDisable (app: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(letsencrypt.letsencryptDisable(app), options)
  }

  /** Renews what is due: one app, or every app when `app` is omitted. */
  async letsencryptAutoRenew (app?: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(letsencrypt.letsencryptAutoRenew(app), options)
  }

  /** Sets (or, with null, unsets) the e-mail for one app, or globally with app = null. */
  async letsencryptSetEmail (app: string | null, email: string | null, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(letsencrypt.letsencryptSetEmail(app, email), options)
  }

  // ---- plugins -------------------------------------------------------------------------------

  async listPlugins (): Promise<PluginInfo[]> {
    return (await this.run(plugins.pluginList(await this.version()))).value
  }

  // ---- scheduler -----------------------------------------------------------------------------

  /** Every app's scheduler in one `scheduler:report` call; `installed: false` before dokku 0.26. */
  async schedulerReportAll (): Promise<PluginResult<{ apps: SchedulerReport[] }>> {
    return (await this.run(scheduler.schedulerReportAll())).value
  }

  /** The nodes of dokku's k3s cluster, or why there are none (`none` on a dokku before 0.33). */
  async k3sCluster (): Promise<K3sCluster> {
    const spec = scheduler.k3sClusterList(await this.version())
    if (spec === null) return { state: 'none', message: null }
    return (await this.run(spec)).value
  }

  // ---- databases -----------------------------------------------------------------------------

  async listServices (plugin: DbPlugin): Promise<PluginResult<{ services: ServiceListItem[] }>> {
    return (await this.run(databases.listServices(plugin))).value
  }

  /**
   * Every database plugin with its services: one `<db>:list` per plugin, all at once. A plugin
   * that is missing or disabled answers that its command does not exist, so no plugin:list is
   * needed first: the databases page costs one round of calls, not two in a row.
   */
  async listAllServices (): Promise<DatabaseServices[]> {
    return Promise.all(DB_PLUGINS.map(async (plugin): Promise<DatabaseServices> => {
      const listed = await this.listServices(plugin)
      return listed.installed ? { plugin, installed: true, services: listed.services } : { plugin, installed: false, services: [] }
    }))
  }

  async serviceInfo (plugin: DbPlugin, service: string): Promise<PluginResult<{ info: ServiceInfo }>> {
    return (await this.run(databases.serviceInfo(plugin, service))).value
  }

  /** Creates the service; `info` is the block dokku prints at the end (null if none). */
  async createService (plugin: DbPlugin, service: string, options?: JobOptions): Promise<CommandOutcome & { info: ServiceInfo | null }> {
    const { value, result, redact } = await this.run(databases.createService(plugin, service), options)
    return { ...outcome(result, redact), info: value }
  }

  async linkService (plugin: DbPlugin, service: string, app: string, options: JobOptions & { alias?: string, noRestart?: boolean } = {}): Promise<CommandOutcome> {
    return this.change(databases.linkService(plugin, service, app, { alias: options.alias, noRestart: options.noRestart }), options)
  }

  async unlinkService (plugin: DbPlugin, service: string, app: string, options: JobOptions & { noRestart?: boolean } = {}): Promise<CommandOutcome> {
    return this.change(databases.unlinkService(plugin, service, app, { noRestart: options.noRestart }), options)
  }

  /** Runs with `--force` only when `confirmation` is exactly the service's name. */
  async destroyService (plugin: DbPlugin, service: string, confirmation: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(databases.destroyService(plugin, service, confirmation), options)
  }

  // ---- the host: SSH keys, global domains, cleanup, disk, cron job (issue 11, server.md) ------

  async sshKeys (): Promise<SshKey[]> {
    return (await this.run(host.sshKeysList())).value
  }

  /** Needs root: a DokkuError `forbidden` ("This command must be run as root") otherwise. */
  async addSshKey (name: string, keyFile: string, options?: JobOptions): Promise<CommandOutcome & { fingerprint: string | null }> {
    const { value, result, redact } = await this.run(host.sshKeysAdd(name, keyFile), options)
    return { ...outcome(result, redact), fingerprint: value }
  }

  async removeSshKey (key: { name: string; fingerprint: string }, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(host.sshKeysRemove(key, await this.version()), options)
  }

  /** Whether dokku runs as root for Docklight, and dokku's own words when it does not. */
  async rootProbe (): Promise<{ root: boolean; refusal: string | null }> {
    return (await this.run(host.rootProbe())).value
  }

  async globalDomains (): Promise<GlobalDomains> {
    return (await this.run(host.globalDomainsReport())).value
  }

  async addGlobalDomains (list: readonly string[], options?: JobOptions): Promise<CommandOutcome> {
    return this.change(host.addGlobalDomains(list), options)
  }

  async removeGlobalDomains (list: readonly string[], options?: JobOptions): Promise<CommandOutcome> {
    return this.change(host.removeGlobalDomains(list), options)
  }

  async setGlobalDomains (list: readonly string[], options?: JobOptions): Promise<CommandOutcome> {
    return this.change(host.setGlobalDomains(list), options)
  }

  async cleanup (options?: JobOptions): Promise<CommandOutcome> {
    return this.change(host.cleanup(), options)
  }

  /** The global section of `dokku report` (disk figures among it). */
  async hostReport (): Promise<HostReport> {
    return (await this.run(host.hostReport())).value
  }

  async letsencryptCronJob (): Promise<PluginResult<{ state: CronJobState }>> {
    return (await this.run(host.letsencryptCronJob())).value
  }

  async letsencryptCronJobSet (enable: boolean, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(host.letsencryptCronJobSet(enable), options)
  }

  /** Every app's certificate in one `certs:report` (text; `daysLeft` counted from now). */
  async certsReportAll (): Promise<CertsReport[]> {
    return (await this.run(host.certsReportAll(this.now()))).value
  }

  // ---- app settings: ports, proxy, checks, resources, storage, nginx, ps:set, builder,
  // buildpacks, docker-options, cron, maintenance, http-auth (issue 10, app-settings.md) ----------

  async portsReport (app: string): Promise<PortsReport> {
    validateAppName(app)
    return (await this.run(settingsPorts.portsReport(app, await this.version()))).value
  }

  async portsChange (app: string, change: settingsPorts.PortsChange, entries: readonly string[], options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsPorts.portsChange(app, change, entries), options)
  }

  async proxyReport (app: string): Promise<ProxyReport> {
    validateAppName(app)
    return (await this.run(settingsProxy.proxyReport(app, await this.version()))).value
  }

  async proxySetType (app: string, type: string | null, options?: JobOptions): Promise<CommandOutcome> {
    validateAppName(app)
    return this.change(settingsProxy.proxySetType(app, type, await this.version()), options)
  }

  /** Restarts the app with nginx: run it as a job. */
  async proxyToggle (app: string, enable: boolean, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsProxy.proxyToggle(app, enable), options)
  }

  async proxyBuildConfig (app: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsProxy.proxyBuildConfig(app), options)
  }

  async checksReport (app: string): Promise<ChecksReport> {
    validateAppName(app)
    return (await this.run(settingsChecks.checksReport(app, await this.version()))).value
  }

  async checksChange (app: string, change: settingsChecks.ChecksChange, processTypes: readonly string[] | null, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsChecks.checksChange(app, change, processTypes), options)
  }

  async checksSetWaitToRetire (app: string, seconds: number | null, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsChecks.checksSetWaitToRetire(app, seconds), options)
  }

  async resourceReport (app: string): Promise<ResourceReport> {
    validateAppName(app)
    return (await this.run(settingsResource.resourceReport(app, await this.version()))).value
  }

  async resourceSet (app: string, kind: settingsResource.ResourceKind, processType: string, values: settingsResource.ResourceValues,
    scheduler: 'docker-local' | 'k3s', options?: JobOptions): Promise<CommandOutcome> {
    validateAppName(app)
    return this.change(settingsResource.resourceSet(app, kind, processType, values, await this.version(), scheduler), options)
  }

  /** `processType` null clears every limit and reservation of every process type (dokku's rule). */
  async resourceClear (app: string, kind: settingsResource.ResourceKind, processType: string | null, options?: JobOptions): Promise<CommandOutcome> {
    validateAppName(app)
    return this.change(settingsResource.resourceClear(app, kind, processType, await this.version()), options)
  }

  async storageList (app: string): Promise<Mount[]> {
    validateAppName(app)
    return (await this.run(settingsStorage.storageList(app, await this.version()))).value
  }

  async storageMount (app: string, mount: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsStorage.storageMount(app, mount), options)
  }

  async storageUnmount (app: string, target: settingsStorage.Unmount, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsStorage.storageUnmount(app, target), options)
  }

  async storageEnsureDirectory (app: string, directory: string, chown: string | null, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsStorage.storageEnsureDirectory(app, directory, chown), options)
  }

  async nginxReport (app: string): Promise<NginxReport> {
    validateAppName(app)
    return (await this.run(settingsNginx.nginxReport(app, await this.version()))).value
  }

  async nginxSet (app: string, key: string, value: string | null, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsNginx.nginxSet(app, key, value), options)
  }

  async nginxLogs (app: string, log: settingsNginx.NginxLog): Promise<string[]> {
    return (await this.run(settingsNginx.nginxLogs(app, log))).value
  }

  async psSet (app: string, key: settingsPs.PsKey, value: string | null, options?: JobOptions): Promise<CommandOutcome> {
    validateAppName(app)
    return this.change(settingsPs.psSet(app, key, value, await this.version()), options)
  }

  async builderReport (app: string): Promise<BuilderReport> {
    validateAppName(app)
    return (await this.run(settingsBuilder.builderReport(app, await this.version()))).value
  }

  async builderSetSelected (app: string, builder: string | null, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsBuilder.builderSetSelected(app, builder), options)
  }

  async dockerfileReport (app: string): Promise<DockerfileReport> {
    validateAppName(app)
    return (await this.run(settingsBuilder.dockerfileReport(app, await this.version()))).value
  }

  async dockerfileSetPath (app: string, path: string | null, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsBuilder.dockerfileSetPath(app, path), options)
  }

  async buildpacksReport (app: string): Promise<BuildpacksReport> {
    validateAppName(app)
    return (await this.run(settingsBuildpacks.buildpacksReport(app, await this.version()))).value
  }

  async buildpacksAdd (app: string, url: string, index: number | null, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsBuildpacks.buildpacksAdd(app, url, index), options)
  }

  async buildpacksRemove (app: string, url: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsBuildpacks.buildpacksRemove(app, url), options)
  }

  /** The whole list at once (`--replace`, 0.38.22+). */
  async buildpacksReplace (app: string, urls: readonly string[], options?: JobOptions): Promise<CommandOutcome> {
    validateAppName(app)
    return this.change(settingsBuildpacks.buildpacksReplace(app, urls, await this.version()), options)
  }

  async buildpacksClear (app: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsBuildpacks.buildpacksClear(app), options)
  }

  async dockerOptionsReport (app: string): Promise<DockerOptionsReport> {
    validateAppName(app)
    return (await this.run(settingsDockerOptions.dockerOptionsReport(app, await this.version()))).value
  }

  /** Refused (InvalidArgumentError, nothing run) before dokku 0.38.25. */
  async dockerOptionsAdd (app: string, phases: readonly string[], option: string, process: string | null, options?: JobOptions): Promise<CommandOutcome> {
    validateAppName(app)
    return this.change(settingsDockerOptions.dockerOptionsAdd(app, phases, option, await this.version(), process), options)
  }

  async dockerOptionsRemove (app: string, phases: readonly string[], option: string, process: string | null, options?: JobOptions): Promise<CommandOutcome> {
    validateAppName(app)
    return this.change(settingsDockerOptions.dockerOptionsRemove(app, phases, option, await this.version(), process), options)
  }

  async dockerOptionsClear (app: string, phases: readonly string[] | null, options?: JobOptions): Promise<CommandOutcome> {
    validateAppName(app)
    return this.change(settingsDockerOptions.dockerOptionsClear(app, phases, await this.version()), options)
  }

  async cronList (app: string): Promise<CronTask[]> {
    validateAppName(app)
    return (await this.run(settingsCron.cronList(app, await this.version()))).value
  }

  /** Streams the task's output; dokku exits 1 on any failure of the task, its own exit code lost. */
  async cronRun (app: string, id: string, options?: JobOptions): Promise<CommandOutcome> {
    validateAppName(app)
    return this.change(settingsCron.cronRun(app, id, await this.version()), options)
  }

  async cronSuspend (app: string, id: string, suspend: boolean, options?: JobOptions): Promise<CommandOutcome> {
    validateAppName(app)
    return this.change(settingsCron.cronSuspend(app, id, suspend, await this.version()), options)
  }

  async maintenanceReport (app: string): Promise<PluginResult<{ report: MaintenanceReport }>> {
    return (await this.run(settingsMaintenance.maintenanceReport(app))).value
  }

  async maintenanceToggle (app: string, enable: boolean, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsMaintenance.maintenanceToggle(app, enable), options)
  }

  async httpAuthReport (app: string): Promise<PluginResult<{ report: HttpAuthReport }>> {
    return (await this.run(settingsHttpAuth.httpAuthReport(app))).value
  }

  async httpAuthEnable (app: string, user: string | null, password: string | null, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsHttpAuth.httpAuthEnable(app, user, password), options)
  }

  async httpAuthDisable (app: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsHttpAuth.httpAuthDisable(app), options)
  }

  async httpAuthAddUser (app: string, user: string, password: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsHttpAuth.httpAuthAddUser(app, user, password), options)
  }

  async httpAuthRemoveUser (app: string, user: string, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsHttpAuth.httpAuthRemoveUser(app, user), options)
  }

  async httpAuthAllowedIp (app: string, address: string, add: boolean, options?: JobOptions): Promise<CommandOutcome> {
    return this.change(settingsHttpAuth.httpAuthAllowedIp(app, address, add), options)
  }

  // ---- logs ----------------------------------------------------------------------------------

  async logs (app: string, options: logs.LogsOptions = {}): Promise<LogLine[]> {
    return (await this.run(logs.logs(app, options))).value
  }

  /**
   * Follows an app's logs until `stop()` or the signal. Input is validated at once (this throws
   * InvalidArgumentError synchronously); dokku's refusals reject `done`.
   */
  tailLogs (app: string, options: LogTailOptions = {}): LogTail {
    const spec = logs.tailLogs(app, options)
    const controller = new AbortController()
    const stop = () => controller.abort()
    if (options.signal?.aborted) stop()
    else options.signal?.addEventListener('abort', stop, { once: true })

    const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() }
    const emit = (lines: string[]) => { for (const line of lines) options.onLine?.(parseLogLine(line)) }
    const onOutput: OutputListener = (stream, text) => {
      options.onOutput?.(stream, text)
      emit(splitters[stream].push(text))
    }

    const done = this.run(spec, { signal: controller.signal, onOutput }).then(
      ({ result }): LogTailEnd => ({ historyId: result.id, reason: 'ended' }),
      (error: unknown): LogTailEnd => {
        if (error instanceof DokkuError && (error.kind === 'cancelled' || error.kind === 'timeout') && error.historyId !== null) {
          return { historyId: error.historyId, reason: error.kind === 'cancelled' ? 'stopped' : 'timeout' }
        }
        throw error
      }
    ).finally(() => {
      emit(splitters.stdout.flush())
      emit(splitters.stderr.flush())
      options.signal?.removeEventListener('abort', stop)
    })
    return { stop, done }
  }

  private now (): Date {
    return this.options.now?.() ?? new Date()
  }
}

function outcome (result: RunResult, redact: Redactor): CommandOutcome {
  const warnings = [...dokkuMessages(redact(result.stderr)), ...dokkuMessages(redact(result.stdout))]
  const output = redact(result.stdout)
  const skipped = [...warnings, ...output.split('\n').map((l) => l.trim())].find((m) => NOTHING_TO_DO.some((p) => p.test(m))) ?? null
  return { historyId: result.id, output, warnings, nothingToDo: skipped }
}

/** Whether an error is a DokkuError of one of the given kinds. */
export function isDokkuError (error: unknown, ...kinds: Array<DokkuError['kind']>): error is DokkuError {
  return error instanceof DokkuError && (kinds.length === 0 || kinds.includes(error.kind))
}
