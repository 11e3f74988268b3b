/**
 * Streamed deploy output (restart, release, rebuild, scale) and the state change a deploy
 * makes: new containers for the deployed process types, a new release, restore=true. A deploy
 * holds the app's deploy lock while its output streams.
 */
import type { Ctx, StreamLine } from './context.js'
import { sortBytes } from './format.js'
import { containerId } from './seed.js'
import { buildKind as buildKindOf, finalizeBuild, logAppender, startBuild } from './builds.js'
import { logEvents } from './event-log.js'
import type { AppState, BuildRecordState, LockState, SimState } from './state.js'

export function hasWebListeners (a: AppState): boolean {
  return (a.formation.web ?? 0) > 0
}

/** `dokku urls APP`. */
export function appUrls (a: AppState): string[] {
  const scheme = a.cert ? 'https' : 'http'
  return a.vhosts.filter((v) => !v.includes('*')).map((v) => `${scheme}://${v}`)
}

/** nginx-vhosts `nginx_build_config` output. */
export function proxyRebuildLines (a: AppState): string[] {
  if (!hasWebListeners(a) || !a.deployed) return []
  const lines = a.vhosts.map((v) => `-----> Configuring ${v}...(using built-in template)`)
  lines.push(`-----> Creating ${a.cert ? 'https' : 'http'} nginx.conf`, '       Reloading nginx')
  return lines
}

/** Process types a deploy touches, in the order dokku walks the formation. */
export function deployOrder (formation: Record<string, number>, only: readonly string[] | null): string[] {
  return sortBytes(Object.keys(formation)).filter((p) => only === null ? formation[p]! > 0 : only.includes(p))
}

function procLines (a: AppState, proc: string, count: number): string[] {
  const lines = [`-----> Deploying ${proc} (count=${count})`]
  for (let i = 1; i <= count; i++) {
    const id = `${proc}.${i}`
    lines.push(`       Attempting pre-flight checks (${id})`)
    if (proc === 'web') {
      lines.push(`       Waiting for 10 seconds (${id})`, `       Default container check successful (${id})`)
    } else {
      lines.push(`       Default container check successful (${id})`)
    }
    if (a.containers.some((c) => c.proc === proc && c.index === i)) {
      lines.push(`       Scheduling old container shutdown in 60 seconds (${id})`)
    }
  }
  return lines
}

/** The `deploy` trigger for some process types (`null` = the whole formation). */
export function deployLines (app: string, a: AppState, only: readonly string[] | null, seq: number): string[] {
  const types = deployOrder(a.formation, only)
  const lines: string[] = []
  for (const p of types) lines.push(...procLines(a, p, a.formation[p]!))
  const proxy = proxyRebuildLines({ ...a, deployed: true })
  if (proxy.length > 0) lines.push('=====> Triggering early nginx proxy rebuild', ...proxy)
  lines.push('-----> Running post-deploy')
  if (proxy.length > 0) lines.push(`-----> Ensuring network configuration is in sync for ${app}`, ...proxy)
  const renamed: string[] = []
  const nextRelease = a.releaseSeq + 1
  for (const p of types) {
    for (let i = 1; i <= a.formation[p]!; i++) {
      renamed.push(`       Renaming container ${app}.${p}.${i}.upcoming-${seq + i} (${containerId(app, p, i, nextRelease).slice(0, 12)}) to ${app}.${p}.${i}`)
    }
  }
  if (renamed.length > 0) lines.push('-----> Renaming containers', ...renamed)
  lines.push('-----> Checking for postdeploy task', '       No postdeploy task found, skipping')
  const old = a.containers.filter((c) => types.includes(c.proc))
  if (old.length > 0) lines.push('-----> Shutting down old containers in 60 seconds', ...old.map((c) => `       ${c.cid}`))
  return lines
}

/** `release_and_deploy`: release tasks, the deploy, then the URLs. */
export function releaseAndDeployLines (app: string, a: AppState, seq: number): string[] {
  const lines = [
    `-----> Releasing ${app}...`,
    '-----> Checking for predeploy task',
    '       No predeploy task found, skipping',
    '-----> Checking for release task',
    '       No release task found, skipping',
    '=====> Processing deployment checks',
    '       No CHECKS file found. Simple container checks will be performed.',
    `-----> Deploying ${app} via the docker-local scheduler...`,
    ...deployLines(app, a, null, seq)
  ]
  const urls = appUrls(a)
  if (hasWebListeners(a) && urls.length > 0) lines.push('=====> Application deployed:', ...urls.map((u) => `       ${u}`), '')
  return lines
}

const BUILD_LINES: Record<string, string[]> = {
  node: [
    '-----> Node.js app detected',
    '-----> Creating runtime environment',
    '       NPM_CONFIG_LOGLEVEL=error',
    '       NODE_VERBOSE=false',
    '       NODE_ENV=production',
    '       NODE_MODULES_CACHE=true',
    '-----> Installing binaries',
    '       engines.node (package.json):  20.x',
    '       Resolving node version 20.x...',
    '       Downloading and installing node 20.19.4...',
    '-----> Restoring cache',
    '       Cached directories were not restored due to a change in version of node, npm, yarn or stack',
    '-----> Installing dependencies',
    '       Installing node modules (package-lock.json)',
    '       added 214 packages, and audited 215 packages in 6s',
    '-----> Build',
    '-----> Pruning devDependencies',
    '-----> Caching build',
    '-----> Build succeeded!'
  ],
  python: [
    '-----> Python app detected',
    '-----> Using Python 3.12.11 specified in .python-version',
    '-----> Installing Python 3.12.11',
    '-----> Installing pip 25.1.1',
    '-----> Installing dependencies using pip',
    '       Installing collected packages: sqlparse, asgiref, django, gunicorn, psycopg',
    '       Successfully installed asgiref-3.9.1 django-5.2.5 gunicorn-23.0.0 psycopg-3.2.9 sqlparse-0.5.3',
    '-----> $ python manage.py collectstatic --noinput',
    '       164 static files copied to \'/app/staticfiles\'.'
  ],
  ruby: [
    '-----> Ruby app detected',
    '-----> Installing bundler 2.5.22',
    '-----> Removing BUNDLED WITH version in the Gemfile.lock',
    '-----> Compiling Ruby/Rails',
    '-----> Using Ruby version: ruby-3.3.9',
    '-----> Installing dependencies using bundler 2.5.22',
    '       Running: BUNDLE_WITHOUT=\'development:test\' bundle install -j4',
    '       Bundle complete! 42 Gemfile dependencies, 97 gems now installed.',
    '-----> Detecting rake tasks',
    '-----> Preparing app for Rails asset pipeline',
    '       Running: rake assets:precompile',
    '       Asset precompilation completed (4.12s)'
  ],
  go: [
    '#0 building with "default" instance using docker driver',
    '#1 [internal] load build definition from Dockerfile',
    '#1 transferring dockerfile: 412B done',
    '#1 DONE 0.0s',
    '#2 [internal] load metadata for docker.io/library/golang:1.24-alpine',
    '#2 DONE 0.9s',
    '#3 [builder 1/4] FROM docker.io/library/golang:1.24-alpine',
    '#3 CACHED',
    '#4 [builder 2/4] COPY . /src',
    '#4 DONE 0.1s',
    '#5 [builder 3/4] RUN go build -o /bin/app ./cmd/worker',
    '#5 DONE 14.2s',
    '#6 exporting to image',
    '#6 writing image sha256:5d1c0f1e4b3a done',
    '#6 DONE 0.4s'
  ],
  static: []
}

/** Full build output for `ps:rebuild` (herokuish or Dockerfile builder). */
export function buildLines (app: string, a: AppState): string[] {
  const builder = a.builder === 'dockerfile' ? 'Dockerfile' : a.builder
  const lines = ['-----> Cleaning up...', `-----> Building ${app} from ${builder}`]
  if (a.builder === 'herokuish') lines.push('-----> Adding BUILD_ENV to build environment...', '       BUILD_ENV added successfully')
  lines.push(...(BUILD_LINES[a.profile] ?? []))
  if (a.builder === 'herokuish') {
    lines.push('-----> Discovering process types', `       Procfile declares types -> ${a.procfile.join(', ')}`)
  }
  return lines
}

/** Applies a finished deploy of `only` (null = everything) to the app. */
export function applyDeploy (app: string, a: AppState, only: readonly string[] | null, now: number): void {
  const release = a.releaseSeq + 1
  const touched = only === null ? Object.keys(a.formation) : [...only]
  const kept = a.containers.filter((c) => !touched.includes(c.proc))
  const fresh = []
  for (const p of sortBytes(touched)) {
    for (let i = 1; i <= (a.formation[p] ?? 0); i++) {
      fresh.push({ proc: p, index: i, cid: containerId(app, p, i, release), status: 'running', startedAt: now })
    }
  }
  a.containers = [...kept, ...fresh].sort((x, y) => x.proc === y.proc ? x.index - y.index : (x.proc < y.proc ? -1 : 1))
  a.releaseSeq = release
  a.lastDeployAt = now
  a.deployed = true
  a.restore = true
}

export function failDeployLocked (ctx: Ctx, app: string): never {
  ctx.warn(`${app} currently has a deploy lock in place. Exiting...`)
  return ctx.fail("Run 'apps:unlock' to release the existing deploy lock")
}

/** A deploy that failed after its output began (a healthcheck, a pull): what it prints and how it ends. */
export interface DeployFailure {
  lines: StreamLine[]
  code: number
  /** dokku finalizes the record (a failed deploy) or leaves it running (a failed build exits first). */
  finalize: boolean
}

export interface DeployPlan<T> {
  /**
   * Whether this entry point takes the deploy lock (deploys.md §2.1): pushes, ps:rebuild and
   * git:* builds do; ps:restart, ps:start, ps:scale and config redeploys neither take nor heed it.
   */
  takesLock: boolean
  /**
   * The build record the capture makes (0.38+, deploys.md §0.1, §2.1): its source, and whether
   * dokku ever finalizes it (`ps:restart` never does: its record ends abandoned).
   */
  build?: { source: string; finalize?: boolean; existing?: string }
  /** Validation and planning under the state lock; may fail (exit). Return null to skip the deploy. */
  plan (state: SimState, a: AppState): T | null
  /** The streamed lines, from the planned snapshot. */
  lines (snapshot: AppState, planned: T, seq: number): StreamLine[]
  /** The state change once the output has streamed. */
  apply (a: AppState, planned: T, now: number): void
  /** A deploy that fails once its lines are out (null: it succeeds). */
  failure? (planned: T): DeployFailure | null
  /** The state change of such a failure (the deploy branch rolled back, …). */
  applyFailure? (a: AppState, planned: T): void
  /** Triggers the events log gets on success, besides post-deploy (deploy-source-set, …). */
  events? (planned: T): Array<readonly [string, readonly string[]]>
}

/**
 * Runs a deploy: takes the deploy lock (failing like dokku when someone holds it), streams the
 * output step by step, applies the result and releases the lock. Returns false if skipped.
 * On 0.38+ a deploy with `build` keeps a build record (running until finalized) whose log gets
 * every byte printed meanwhile; the lock file holds its id.
 */
export async function runDeploy<T> (ctx: Ctx, app: string, p: DeployPlan<T>): Promise<boolean> {
  let lock: LockState | null = null
  let record: BuildRecordState | null = null
  const prepared = await ctx.store.update((s) => {
    const a = ctx.requireApp(s, app)
    const planned = p.plan(s, a)
    if (planned === null) return null
    // The capture starts before the lock is taken: a refused deploy has a record of its own.
    // (git:* start theirs earlier, before they fetch: `existing`.)
    if (p.build?.existing !== undefined) record = a.builds?.find((b) => b.id === p.build!.existing) ?? null
    else if (p.build) record = startBuild(ctx, a, p.build.source)
    if (p.takesLock) {
      if (ctx.lockIsLive(a.lock)) return 'locked' as const
      lock = ctx.newDeployLock()
      if (record) lock.buildId = (record as BuildRecordState).id
      a.lock = lock
    }
    if (p.build && buildKindOf(p.build.source) === 'build') logEvents(ctx, s, [['receive-app', [app]]])
    s.seq += 1
    return { planned, snapshot: structuredClone(a), seq: s.seq * 1000 }
  })
  if (prepared === null) return false
  const built = record as BuildRecordState | null
  if (built && ctx.capture === null) ctx.capture = logAppender(ctx, app, built.id)
  if (prepared === 'locked') failDeployLocked(ctx, app)
  let failure: DeployFailure | null = null
  try {
    await ctx.stream(p.lines(prepared.snapshot, prepared.planned, prepared.seq))
    failure = p.failure?.(prepared.planned) ?? null
    if (failure) {
      await ctx.step()
      await ctx.stream(failure.lines)
    }
  } finally {
    // A killed deploy (builds:cancel, a timeout) changes nothing more and leaves its lock
    // behind, stale once its process is gone, as a real killed process does.
    if (!ctx.io.signal?.aborted) {
      await ctx.store.update((s) => {
        const a = s.apps[app]
        if (!a) return
        if (failure === null) {
          // apps:unlock does not stop a running deploy: the result lands either way.
          p.apply(a, prepared.planned, ctx.now())
          logEvents(ctx, s, [['deployed-app-image-tag', [app]], ['post-deploy', [app, '', '', 'latest']], ...(p.events?.(prepared.planned) ?? [])])
        } else {
          p.applyFailure?.(a, prepared.planned)
        }
        const finalize = p.build?.finalize !== false && (failure === null || failure.finalize)
        if (built && finalize) finalizeBuild(ctx, s, app, built.id, failure === null ? 'succeeded' : 'failed', failure?.code ?? 0)
        if (lock !== null && a.lock?.token === (lock as LockState).token && finalize) a.lock = null
      })
    }
    ctx.capture = null
  }
  if (failure) ctx.exit(failure.code)
  return true
}
