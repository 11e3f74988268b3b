import type { HostConfig, HostTarget } from '../config.js'
import type { HistoryRepository } from '../db/history.js'
import { ReadCache } from '../dokku/cache.js'
import { DokkuClient } from '../dokku/client.js'
import { Runner, type RunnerOptions } from '../dokku/runner.js'
import type { Transport } from '../dokku/transport.js'
import type { JobManager, JobSnapshot, JobSpec } from '../jobs/manager.js'
import { HostHealth, type HostHealthView } from './health.js'

export interface HostOptions {
  runner: RunnerOptions
  cacheTtlMs: number
  /** How long a page waits for this host before it shows it as unreachable. */
  pageTimeoutMs: number
}

/** What a host's pages need to know of it, without the machinery. */
export interface HostInfo {
  name: string
  /** "local dokku", "ssh dokku@example.com:22", "simulated" */
  description: string
  kind: HostTarget['kind']
  health: HostHealthView
}

/** A job on one host: the spec without the host's own fields, which the host fills in. */
export type HostJobSpec = Omit<JobSpec, 'host' | 'remote'>

/**
 * One Dokku server: its own transport, runner (with its read and job lanes), DokkuClient (with
 * its own version detection), read cache and health. Jobs share one manager (job ids are history
 * ids, global), locked per host and app.
 */
export class Host {
  readonly runner: Runner
  readonly dokku: DokkuClient
  readonly cache: ReadCache
  readonly health = new HostHealth()
  /** How long a page that spans hosts waits for this one (the dashboard). */
  readonly pageTimeoutMs: number

  constructor (
    readonly config: HostConfig,
    readonly transport: Transport,
    readonly history: HistoryRepository,
    private readonly jobManager: JobManager,
    options: HostOptions
  ) {
    this.runner = new Runner(transport, history, {
      ...options.runner,
      host: config.name,
      onReport: (report) => this.health.record(report)
    })
    this.dokku = new DokkuClient(this.runner)
    this.cache = new ReadCache({ ttlMs: options.cacheTtlMs })
    this.pageTimeoutMs = options.pageTimeoutMs
  }

  get name (): string { return this.config.name }

  /** dokku runs on another machine: ending our process does not end it there. */
  get remote (): boolean { return this.runner.remote }

  get info (): HostInfo {
    return { name: this.name, description: this.transport.description, kind: this.config.target.kind, health: this.health.view }
  }

  /** Starts a job on this host (AppBusyError when the app already has one). */
  startJob (spec: HostJobSpec): JobSnapshot {
    return this.jobManager.start({ ...spec, host: this.name, remote: this.remote })
  }

  runningJob (app: string): JobSnapshot | undefined {
    return this.jobManager.runningFor(this.name, app)
  }

  /** Stops every run still going and closes the transport (the SSH master connection). */
  async close (): Promise<void> {
    await this.runner.close()
    await this.transport.close?.()
  }
}
