/**
 * The simulator's persistent state: one JSON file (`DOKKU_SIM_STATE`), written atomically
 * (temporary file + rename) and changed only under a lock file (O_EXCL, stale after a few
 * seconds), so that many parallel invocations never lose an update.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { SimAppSettings, SimGlobalSettings } from './settings-state.js'

export const STATE_SCHEMA = 1

export interface ContainerState {
  /** Process type, e.g. `web`. */
  proc: string
  /** Instance number, 1-based. */
  index: number
  /** 64 hex characters; reports show the first 11. */
  cid: string
  /** Docker `.State.Status`: running, exited, restarting, paused, created, dead, missing. */
  status: string
  /** UNIX seconds. */
  startedAt: number
  finishedAt?: number
  exitCode?: number
}

export interface CertState {
  startsAt: number
  expiresAt: number
  hostnames: string[]
  issuer: string
  subject: string
  verified: string
}

export interface LockState {
  /** `manual` comes from apps:lock; `deploy` is held by a running deploy (stale once its pid is gone). */
  kind: 'manual' | 'deploy'
  pid: number
  token: string
  at: number
  /** The deploy's build id, which dokku 0.38+ writes into the lock file (absent before 0.38). */
  buildId?: string
}

/**
 * One build record (`data/builds/<app>/<id>.json`, deploys.md §2.1). The log lives next to the
 * state file (`<state>.builds/<app>/<id>.log`); seeded records carry a short one inline instead.
 */
export interface BuildRecordState {
  id: string
  kind: 'build' | 'deploy'
  pid: number
  /** UNIX milliseconds. */
  startedAt: number
  finishedAt?: number
  status: 'running' | 'succeeded' | 'failed' | 'canceled'
  source: string
  exitCode?: number
  /** Seeded records: the log journald would still have. */
  log?: string
}

/** The app's git repository, as git:report and git:sync see it (absent: nothing beyond the seed). */
export interface GitState {
  /** Raw deploy-branch property ('' unset). */
  deployBranch?: string
  /** HEAD of the deploy branch. */
  sha?: string
  sourceImage?: string
  /** UNIX seconds. */
  lastUpdatedAt?: number
  /** Raw rev-env-var property; absent: default GIT_REV. */
  revEnvVar?: string
  /** The commit the last from-image/from-archive made on top of the image or archive ('' none). */
  imageOrArchive?: string
}

/** dokku's events log (`/var/log/dokku/events.log`) and whether logging is on. */
export interface EventsState {
  enabled: boolean
  /** rsyslog's timestamp template: `classic` (Aug 21 20:19:24) or `rfc3339`. */
  format?: 'classic' | 'rfc3339'
  hostname?: string
  /** The file's lines, oldest first (bounded: the newest MAX_EVENT_LINES). */
  log: string[]
}

export type AppProfile = 'node' | 'python' | 'ruby' | 'go' | 'static'

export interface AppState {
  createdAt: number
  deployed: boolean
  deploySource: string
  deploySourceMetadata: string
  /** A git repo exists (`$DOKKU_ROOT/APP/refs`); ps:rebuild is a no-op without one. */
  hasRepo: boolean
  builder: string
  profile: AppProfile
  /** Process types declared by the deployed Procfile. */
  procfile: string[]
  formation: Record<string, number>
  /** app.json `formation` manages scale (`Ps can scale: false`). */
  formationFromAppJson: boolean
  containers: ContainerState[]
  restore: boolean
  releaseSeq: number
  lastDeployAt: number
  env: Record<string, string>
  vhosts: string[]
  /** Raw ps properties: procfile-path, restart-policy, skip-deploy, start-cmd, dockerfile-start-cmd, stop-timeout-seconds. */
  ps: Record<string, string>
  lock: LockState | null
  cert: CertState | null
  letsencrypt: { active: boolean, props: Record<string, string> }
  /** Raw scheduler properties (`selected`, `shell`); absent: none set (docker-local). */
  scheduler?: Record<string, string>
  /** Ports, proxy, checks, resources, storage, nginx, builder, cron, … (settings-state.ts); absent: nothing set. */
  settings?: SimAppSettings
  /** Build records, oldest first (absent: none yet). */
  builds?: BuildRecordState[]
  git?: GitState
}

/** One node of dokku's k3s cluster (`scheduler-k3s:cluster:list`). */
export interface K3sNodeState {
  name: string
  /** Sorted; empty for a plain worker. */
  roles: string[]
  ready: boolean
  /** The ssh target `cluster:add` used; '' for the node dokku itself runs on. */
  remoteHost: string
  /** kubelet version, e.g. `v1.33.4+k3s1`. */
  version: string
}

/** A k3s cluster dokku initialized (`scheduler-k3s:initialize`); absent: no kubeconfig on the host. */
export interface K3sState {
  nodes: K3sNodeState[]
  /** The Kubernetes API does not answer (k3s down). */
  apiDown?: boolean
}

export interface ServiceState {
  password: string
  createdAt: number
  /** Docker status of the service container. */
  status: string
  image: string
  id: string
  ip: string
  /** `-` when not exposed, else `5432->23456 ` pairs. */
  exposedPorts: string
  configOptions: string
  links: string[]
}

export interface PluginState {
  name: string
  version: string
  enabled: boolean
  core: boolean
  description: string
  sourceUrl: string
  committish: string
  branch: string
}

export interface SimState {
  schema: number
  createdAt: number
  global: {
    vhosts: string[]
    env: Record<string, string>
    ps: Record<string, string>
    appsDisableAutocreation: string
    letsencrypt: Record<string, string>
    letsencryptAutorenew: boolean
    /** Global scheduler properties (`selected`, `shell`); absent: none set. */
    scheduler?: Record<string, string>
    /** Global properties of the settings plugins (settings-state.ts); absent: none set. */
    settings?: SimGlobalSettings
    /** The filesystems `dokku report` shows (df -h); absent: one ext4 root, 40% used. */
    disk?: SimDisk[]
  }
  /** Dokku's k3s cluster; absent on a host that never initialized one. */
  k3s?: K3sState
  /** The events log; absent: logging off and an empty log. */
  events?: EventsState
  apps: Record<string, AppState>
  /** Services by datastore plugin (`postgres`, `redis`, …), then by service name. */
  services: Record<string, Record<string, ServiceState>>
  plugins: PluginState[]
  /** Counter for deterministic IPs and upcoming-container suffixes. */
  seq: number
  /** `~dokku/.ssh/authorized_keys`, in file order; absent: empty. */
  sshKeys?: SimSshKey[]
  /** authorized_keys holds a `#` comment line, which dokku's check after an add trips over (server.md §1.3). */
  authorizedKeysHasComment?: boolean
}

/** One key line sshcommand wrote. */
export interface SimSshKey {
  name: string
  /** `SHA256:…` as ssh-keygen -l prints it. */
  fingerprint: string
  /** `type base64 [comment]`. */
  publicKey: string
}

/** One filesystem of `df -h` in `dokku report`. */
export interface SimDisk {
  filesystem: string
  mount: string
  sizeBytes: number
  /** Used when the state was made (`createdAt`). */
  usedBytes: number
  /** How fast it fills (bytes per day since `createdAt`); absent: it does not grow. */
  growthBytesPerDay?: number
}

export class StateError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'StateError'
  }
}

export interface LockOptions {
  /** A lock file older than this is considered left behind by a dead process. */
  staleMs?: number
  /** Give up after this long. */
  timeoutMs?: number
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** Runs `fn` while holding `lockPath` (created with O_EXCL). */
export async function withFileLock<T> (lockPath: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const staleMs = opts.staleMs ?? 5000
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000)
  for (;;) {
    try {
      const fh = await open(lockPath, 'wx')
      try {
        await fh.writeFile(`${process.pid} ${Date.now()}\n`)
      } finally {
        await fh.close()
      }
      break
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT') {
        await mkdir(dirname(lockPath), { recursive: true })
        continue
      }
      if (code !== 'EEXIST') throw err
      try {
        const st = await stat(lockPath)
        if (Date.now() - st.mtimeMs > staleMs) {
          // Move it aside first so that two waiters cannot both remove a fresh lock.
          const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`
          await rename(lockPath, aside)
          await unlink(aside).catch(() => {})
          continue
        }
      } catch {
        continue // it vanished meanwhile: try again at once
      }
      if (Date.now() > deadline) throw new StateError(`timed out waiting for the simulator state lock ${lockPath}`)
      await sleep(2 + Math.floor(Math.random() * 10))
    }
  }
  try {
    return await fn()
  } finally {
    await unlink(lockPath).catch(() => {})
  }
}

/** Writes the state file atomically: a temporary file in the same directory, then rename. */
export async function writeStateFile (path: string, state: SimState): Promise<void> {
  await mkdir(dirname(path), { recursive: true })
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    await writeFile(tmp, JSON.stringify(state) + '\n', { mode: 0o600 })
    await rename(tmp, path)
  } catch (err) {
    await unlink(tmp).catch(() => {})
    throw err
  }
}

/** Reads the state file; `null` when it does not exist. */
export async function readStateFile (path: string): Promise<SimState | null> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new StateError(`simulator state ${path} is not valid JSON`)
  }
  const s = parsed as SimState
  if (typeof s !== 'object' || s === null || s.schema !== STATE_SCHEMA || typeof s.apps !== 'object') {
    throw new StateError(`simulator state ${path} has an unknown layout (expected schema ${STATE_SCHEMA})`)
  }
  return s
}

/** Reads and changes the state file; creates it from `seed()` the first time. */
export class StateStore {
  constructor (readonly path: string, private readonly seed: () => SimState, private readonly lockOptions: LockOptions = {}) {}

  get lockPath (): string { return `${this.path}.lock` }

  /** The current state (no lock: writers replace the file atomically). */
  async read (): Promise<SimState> {
    const existing = await readStateFile(this.path)
    if (existing) return existing
    return withFileLock(this.lockPath, async () => {
      const again = await readStateFile(this.path)
      if (again) return again
      const fresh = this.seed()
      await writeStateFile(this.path, fresh)
      return fresh
    }, this.lockOptions)
  }

  /** Read-modify-write under the lock. If `fn` throws, nothing is written; its result is returned. */
  async update<T> (fn: (state: SimState) => T): Promise<T> {
    return withFileLock(this.lockPath, async () => {
      const state = (await readStateFile(this.path)) ?? this.seed()
      const result = fn(state)
      await writeStateFile(this.path, state)
      return result
    }, this.lockOptions)
  }
}
