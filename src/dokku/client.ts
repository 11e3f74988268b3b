import * as apps from './commands/apps.js'
import * as builds from './commands/builds.js'
import * as certs from './commands/certs.js'
import * as config from './commands/config.js'
import * as databases from './commands/databases.js'
import * as domains from './commands/domains.js'
import * as letsencrypt from './commands/letsencrypt.js'
import * as logs from './commands/logs.js'
import * as plugins from './commands/plugins.js'
import * as ps from './commands/ps.js'
import * as scheduler from './commands/scheduler.js'
import type { CommandOutput, CommandSpec, PluginResult } from './commands/spec.js'
import { versionCommand } from './commands/version.js'
import { DokkuError, dokkuMessages, errorFromRun, OutputParseError } from './errors.js'
import type { AppReport } from './parsers/apps.js'
import type { CertsReport } from './parsers/certs.js'
import type { EnvVars } from './parsers/config.js'
import type { ServiceInfo, ServiceListItem } from './parsers/databases.js'
import type { DomainsReport } from './parsers/domains.js'
import type { LetsencryptListItem, LetsencryptReport } from './parsers/letsencrypt.js'
import { LineSplitter, parseLogLine, type LogLine } from './parsers/logs.js'
import type { PluginInfo } from './parsers/plugins.js'
import type { ProcessScale, PsReport } from './parsers/ps.js'
import type { K3sCluster, SchedulerReport } from './parsers/scheduler.js'
import { UNKNOWN_VERSION, versionAtLeast, type DokkuVersion } from './parsers/version.js'
import { composeRedactors, redactDsnPasswords, redactingOutput, type Redactor } from './redact.js'
import { displayArgv, type Runner, type RunResult } from './runner.js'
import { DB_PLUGINS, validateAppName, type DbPlugin } from './validate.js'

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
  value: T
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

  constructor (private readonly runner: RunnerLike, private readonly options: { now?: () => Date } = {}) {}

  /** `dokku version`, cached; a failure to reach dokku is not cached. */
  version (): Promise<DokkuVersion> {
    this.versionPromise ??= this.detectVersion().catch((error: unknown) => {
      this.versionPromise = null
      throw error
    })
    return this.versionPromise
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
      return { value: spec.parse(out), result, redact }
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
   * Every database plugin with its services: one plugin:list, then one `<db>:list` per enabled
   * plugin, in parallel.
   */
  async listAllServices (): Promise<DatabaseServices[]> {
    const enabled = new Set((await this.listPlugins()).filter((p) => p.enabled).map((p) => p.name))
    return Promise.all(DB_PLUGINS.map(async (plugin): Promise<DatabaseServices> => {
      if (!enabled.has(plugin)) return { plugin, installed: false, services: [] }
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
