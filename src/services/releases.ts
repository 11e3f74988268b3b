import type { ActorKind, Release, ReleaseStatus } from '../db/releases.js'
import type { BuildRecord } from '../dokku/parsers/builds.js'
import { groupEvents, type EventGroup } from '../dokku/parsers/events.js'
import { validateImageRef } from '../dokku/validate-deploy.js'
import type { Host } from '../hosts/host.js'
import { appNames } from './apps.js'
import { storeOf } from './deploy-store.js'

/**
 * The release history (deploys.md §3.3 step 1): Docklight records each of its deploys as it
 * runs them, and learns of the others (a `git push`, a CLI `git:from-image`) from dokku's build
 * records (0.38+) and its events log, matching what it reads to what it knows so that one
 * deploy is one release. All reads here are bounded: a few apps per pass, each source at most
 * every RECONCILE_INTERVAL_MS.
 */

/** Who deployed. */
export interface Actor {
  kind: ActorKind
  /** The SSH key's NAME, or the webhook and its delivery. */
  name: string | null
}

export const DOCKLIGHT_ACTOR: Actor = { kind: 'docklight', name: null }

/** What a release's "who" column says. */
export function actorLabel (r: Pick<Release, 'actorKind' | 'actor'>): string {
  switch (r.actorKind) {
    case 'docklight': return 'Docklight'
    case 'ssh-key': return r.actor ? `${r.actor} (SSH key)` : 'an SSH key'
    case 'webhook': return r.actor ?? 'a webhook'
    default: return r.actor ?? 'unknown'
  }
}

/** `git` is the seed's (and pre-0.26 dokku's) name for a push. */
export function normalizeSource (source: string): string {
  return source === 'git' ? 'git-push' : source
}

/** The deploy-source a build source writes when it succeeds (archives: their own type). */
const DEPLOY_SOURCE_OF_BUILD: Record<string, string> = {
  'git-hook': 'git-push',
  'git:sync': 'git-sync',
  'git:from-image': 'docker-image',
  'git:load-image': 'docker-image'
}
const ARCHIVE_SOURCES = ['tar', 'tar.gz', 'zip']

/** The build source of a deploy source (what dokku's record of such a deploy says). */
export function buildSourceOf (deploySource: string): string | null {
  if (ARCHIVE_SOURCES.includes(deploySource)) return 'git:from-archive'
  return Object.entries(DEPLOY_SOURCE_OF_BUILD).find(([, d]) => d === deploySource)?.[0] ?? null
}

function sourcesMatch (deploySource: string, buildSource: string): boolean {
  return buildSourceOf(deploySource) === buildSource
}

/** An image deploy's reference and, when it pins one, its digest. */
export function imageFields (source: string, metadata: string): { image: string | null; imageDigest: string | null } {
  if (source !== 'docker-image' || metadata === '') return { image: null, imageDigest: null }
  try {
    return { image: metadata, imageDigest: validateImageRef(metadata).digest }
  } catch {
    return { image: metadata, imageDigest: null }
  }
}

/** "Treat abandoned and exit_code == -1 as outcome unknown" (deploys.md §2.1). */
export function statusOfBuild (b: Pick<BuildRecord, 'status' | 'exitCode'>): ReleaseStatus {
  if (b.status === 'abandoned') return 'unknown'
  if (b.status === 'canceled') return 'canceled'
  if (b.status === 'failed' && b.exitCode === -1) return 'unknown'
  return b.status
}

const ms = (iso: string) => Date.parse(iso)
const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE

function duration (from: string, to: string | null): number | null {
  return to === null ? null : Math.max(0, ms(to) - ms(from))
}

function nearest<T extends { startedAt: string }> (items: T[], at: string): T | undefined {
  return [...items].sort((x, y) => Math.abs(ms(x.startedAt) - ms(at)) - Math.abs(ms(y.startedAt) - ms(at)))[0]
}

// ---- a Docklight deploy --------------------------------------------------------------------

export interface OpenRelease {
  id: number
  startedAt: string
  /** The deploy-source this deploy writes when it succeeds. */
  source: string
}

/** A Docklight deploy starts: its release, running, with what it means to deploy. */
export function openJobRelease (host: Host, app: string, jobId: number, expected: { source: string; metadata: string }, actor: Actor, rollbackOf: number | null): OpenRelease {
  const startedAt = new Date().toISOString()
  const id = storeOf(host).releases.insert({
    host: host.name,
    app,
    status: 'running',
    source: expected.source,
    metadata: expected.metadata,
    ...imageFields(expected.source, expected.metadata),
    actorKind: actor.kind,
    actor: actor.name,
    learnedFrom: 'job',
    jobId,
    rollbackOf,
    startedAt
  })
  return { id, startedAt, source: expected.source }
}

export type JobOutcome = 'succeeded' | 'failed' | 'canceled' | 'unknown' | 'nothing'

/**
 * The deploy ended. `nothing`: dokku deployed nothing (no change), so there is no release.
 * After a success, what dokku now says it runs is recorded (deploy-source and its metadata,
 * the rev var, the image digest), and on 0.38+ the build record's id; these reads are best
 * effort: the deploy succeeded whatever they answer.
 */
export async function closeJobRelease (host: Host, app: string, open: OpenRelease, outcome: JobOutcome, error: string | null): Promise<void> {
  const { releases } = storeOf(host)
  if (outcome === 'nothing') {
    releases.remove(open.id)
    return
  }
  const finishedAt = new Date().toISOString()
  releases.update(open.id, { status: outcome, finishedAt, durationMs: duration(open.startedAt, finishedAt), error })
  const build = await findBuild(host, app, open).catch(() => null)
  if (build !== null) {
    // builds:cancel SIGQUITs the deploy before our own cancel lands: dokku's record says so.
    releases.update(open.id, { buildId: build.id, ...(outcome === 'failed' && build.status === 'canceled' ? { status: 'canceled' as const } : {}) })
  }
  if (outcome !== 'succeeded') return
  const [report, git] = await Promise.all([host.dokku.appReport(app).catch(() => null), host.dokku.gitReport(app).catch(() => null)])
  const revVar = git?.revEnvVar ?? 'GIT_REV'
  const gitRev = revVar === '' ? null : await host.dokku.configGet(app, revVar).catch(() => null)
  const patch: Partial<Release> = { gitRev }
  if (report && report.deploySource !== '') {
    const source = normalizeSource(report.deploySource)
    patch.source = source
    patch.metadata = report.deploySourceMetadata
    Object.assign(patch, imageFields(source, report.deploySourceMetadata))
  }
  releases.update(open.id, patch)
}

/** The build record of a deploy we ran: its source's oldest unclaimed record since it began. */
async function findBuild (host: Host, app: string, open: OpenRelease): Promise<BuildRecord | null> {
  const wanted = buildSourceOf(open.source)
  if (wanted === null) return null
  const listed = await host.dokku.listBuilds(app, { kind: 'build' })
  if (!listed.supported) return null
  const { releases } = storeOf(host)
  const since = ms(open.startedAt) - 2 * MINUTE
  const mine = listed.builds
    .filter((b) => b.source === wanted && ms(b.startedAt) >= since && !releases.byBuild(host.name, app, b.id))
    .sort((x, y) => ms(x.startedAt) - ms(y.startedAt))
  return mine[0] ?? null
}

// ---- deploys made elsewhere ----------------------------------------------------------------

/** How often one host's events log, or one app's build records, is read again at most. */
export const RECONCILE_INTERVAL_MS = 15_000
/** Apps whose build records one background pass reads at most (the rest wait for the next). */
export const MAX_APPS_PER_PASS = 10
/** Bound: reconcile times remembered per host (apps beyond it are simply read again). */
const MAX_TRACKED_APPS = 2000

/** Per host (the object: a rebuilt app starts afresh), when each source was last read. */
let lastRead = new WeakMap<Host, Map<string, number>>()

/** True (and remembered) when `key` of this host was not read in the last interval. */
function due (host: Host, key: string, now = Date.now()): boolean {
  let seen = lastRead.get(host)
  if (!seen) lastRead.set(host, seen = new Map())
  const at = seen.get(key)
  if (at !== undefined && now - at < RECONCILE_INTERVAL_MS) return false
  if (seen.size >= MAX_TRACKED_APPS) seen.clear()
  seen.set(key, now)
  return true
}

/** When this app's builds were last read (0: never), to pick the apps a pass reads. */
function lastReadOf (host: Host, key: string): number {
  return lastRead.get(host)?.get(key) ?? 0
}

/** Forget every throttle (tests). */
export function resetReconcileClock (): void {
  lastRead = new WeakMap()
}

/** The history groups of Docklight's own runs that an event group may be. */
const OWN_GROUPS: Record<EventGroup['kind'], string[]> = { deploy: ['git', 'ps'], config: ['config'], domains: ['domains'], app: ['apps'] }

/** Docklight's own run that this event group records, if any (it ran then, on that app). */
function ownRun (host: Host, g: EventGroup): number | null {
  const at = ms(g.at)
  for (const group of OWN_GROUPS[g.kind]) {
    for (const row of host.history.list({ host: host.name, app: g.app, kind: 'actions', group, limit: 20 })) {
      const start = ms(row.createdAt) - MINUTE
      const end = (row.finishedAt === null ? Date.now() : ms(row.finishedAt)) + MINUTE
      if (at >= start && at <= end) return row.id
    }
  }
  return null
}

/** Reads the events log (throttled) and keeps its useful groups; deploys become releases. */
export async function reconcileEvents (host: Host): Promise<void> {
  if (!due(host, '\0events')) return
  const store = storeOf(host)
  const groups = groupEvents(await host.dokku.events())
  for (const g of groups) {
    const { id } = store.events.upsert({
      host: host.name,
      groupKey: `${g.dokkuPid}:${g.app}`,
      app: g.app,
      pid: g.dokkuPid,
      kind: g.kind,
      summary: g.summary,
      detail: JSON.stringify(g.detail),
      who: g.who,
      at: g.at
    })
    const row = store.events.get(id)!
    if (row.historyId === null) {
      const run = ownRun(host, g)
      if (run !== null) store.events.linkRun(id, run)
    }
    if (g.kind === 'deploy' && g.detail.source && row.releaseId === null) {
      store.events.linkRelease(id, releaseFromEvent(host, g, id))
    }
  }
}

/** The release a successful source deploy seen in the events log is: one we know, or a new one. */
function releaseFromEvent (host: Host, g: EventGroup, eventRowId: number): number {
  const { releases, events } = storeOf(host)
  const key = `event:${eventRowId}`
  const known = releases.byEvent(host.name, g.app, key)
  if (known) return known.id
  const source = normalizeSource(g.detail.source ?? '')
  const metadata = g.detail.metadata ?? ''
  const end = g.endAt ?? g.at
  const around = releases.between(host.name, g.app, new Date(ms(g.at) - DAY).toISOString(), new Date(ms(g.at) + DAY).toISOString())
    .filter((r) => r.eventKey === null)
  const same = around.filter((r) => r.source === source && r.metadata === metadata && r.status !== 'failed' && r.status !== 'canceled')
  const fromBuilds = around.filter((r) => r.learnedFrom === 'builds' && r.metadata === '' && r.status === 'succeeded' &&
    (r.source === source || sourcesMatch(source, buildSourceOf(r.source) ?? r.source)) && Math.abs(ms(r.finishedAt ?? r.startedAt) - ms(end)) < 15 * MINUTE)
  const match = nearest(same, g.at) ?? nearest(fromBuilds, g.at)
  if (match) {
    const patch: Partial<Release> = { eventKey: key }
    if (match.metadata === '') {
      Object.assign(patch, { source, metadata, gitRev: source === 'git-push' ? metadata : match.gitRev, ...imageFields(source, metadata) })
    }
    if (match.actorKind === 'unknown' && g.who !== null) Object.assign(patch, { actorKind: 'ssh-key', actor: g.who })
    releases.update(match.id, patch)
    // Our own deploy, seen again in dokku's log: the feed shows the job.
    if (match.jobId !== null) events.linkRun(eventRowId, match.jobId)
    return match.id
  }
  return releases.insert({
    host: host.name,
    app: g.app,
    status: 'succeeded',
    source,
    metadata,
    gitRev: source === 'git-push' ? metadata : null,
    ...imageFields(source, metadata),
    actorKind: g.who === null ? 'unknown' : 'ssh-key',
    actor: g.who,
    learnedFrom: 'events',
    eventKey: key,
    startedAt: g.at,
    finishedAt: end,
    durationMs: duration(g.at, end)
  })
}

/** Reads one app's build records (0.38+, throttled) into releases. */
export async function reconcileBuilds (host: Host, app: string): Promise<void> {
  if (!due(host, app)) return
  const listed = await host.dokku.listBuilds(app, { kind: 'build' })
  if (!listed.supported) return
  const { releases } = storeOf(host)
  for (const b of [...listed.builds].sort((x, y) => ms(x.startedAt) - ms(y.startedAt))) {
    const status = statusOfBuild(b)
    const known = releases.byBuild(host.name, app, b.id)
    if (known) {
      // A record dokku finished since (or reaped): its outcome, unless our own job knew better.
      if ((known.status === 'running' || known.status === 'unknown') && known.status !== status) {
        releases.update(known.id, { status, finishedAt: b.finishedAt, durationMs: duration(known.startedAt, b.finishedAt) })
      }
      continue
    }
    const around = releases.between(host.name, app, new Date(ms(b.startedAt) - 15 * MINUTE).toISOString(), new Date(ms(b.startedAt) + 15 * MINUTE).toISOString())
      .filter((r) => r.buildId === null)
    const job = nearest(around.filter((r) => r.learnedFrom === 'job' && sourcesMatch(r.source, b.source) && Math.abs(ms(r.startedAt) - ms(b.startedAt)) < 5 * MINUTE), b.startedAt)
    const seen = b.status === 'succeeded' && b.finishedAt !== null
      ? nearest(around.filter((r) => r.learnedFrom === 'events' && sourcesMatch(r.source, b.source) && Math.abs(ms(r.finishedAt ?? r.startedAt) - ms(b.finishedAt!)) < 15 * MINUTE), b.startedAt)
      : undefined
    const match = job ?? seen
    if (match) {
      const patch: Partial<Release> = { buildId: b.id }
      if (match.learnedFrom === 'events') Object.assign(patch, { startedAt: b.startedAt, finishedAt: b.finishedAt, durationMs: duration(b.startedAt, b.finishedAt) })
      if (match.status === 'unknown') patch.status = status
      releases.update(match.id, patch)
      continue
    }
    releases.insert({
      host: host.name,
      app,
      status,
      source: DEPLOY_SOURCE_OF_BUILD[b.source] ?? b.source,
      actorKind: 'unknown',
      learnedFrom: 'builds',
      buildId: b.id,
      startedAt: b.startedAt,
      finishedAt: b.finishedAt,
      durationMs: duration(b.startedAt, b.finishedAt)
    })
  }
  await fillCurrentMetadata(host, app)
}

/**
 * A build record holds no image or sha: the newest successful one that nothing else explained
 * gets what apps:report says is deployed, when its source agrees.
 */
async function fillCurrentMetadata (host: Host, app: string): Promise<void> {
  const { releases } = storeOf(host)
  const newest = releases.list(host.name, app, 20).find((r) => r.status === 'succeeded')
  if (!newest || newest.metadata !== '' || newest.learnedFrom !== 'builds') return
  const report = await host.cache.get(`apps:report:${app}`, [app], () => host.dokku.appReport(app))
  const source = normalizeSource(report.deploySource)
  const archive = ARCHIVE_SOURCES.includes(source) && newest.source === 'git:from-archive'
  if (source === '' || (source !== newest.source && !archive)) return
  releases.update(newest.id, {
    source,
    metadata: report.deploySourceMetadata,
    gitRev: source === 'git-push' ? report.deploySourceMetadata : null,
    ...imageFields(source, report.deploySourceMetadata)
  })
}

/** One app, before its deploy page lists releases: the events log and its build records. */
export async function reconcileApp (host: Host, app: string): Promise<void> {
  await Promise.allSettled([reconcileEvents(host), reconcileBuilds(host, app)])
}

/**
 * A background pass over a host (the watchdog, the activity feed): the events log, and the
 * build records of the MAX_APPS_PER_PASS apps read longest ago. Never throws: what could not
 * be read is read next time.
 */
export async function reconcileHost (host: Host, maxApps = MAX_APPS_PER_PASS): Promise<void> {
  const names = await appNames(host).catch(() => [] as string[])
  const pick = [...names].sort((a, b) => lastReadOf(host, a) - lastReadOf(host, b)).slice(0, maxApps)
  await Promise.allSettled([reconcileEvents(host), ...pick.map((app) => reconcileBuilds(host, app))])
}

/** The last deploy of each app on a host, as the watchdog asks for it. */
export interface LastDeploy {
  status: ReleaseStatus
  /** When it finished (when it started, while it runs). */
  at: string
  /** deploy-source (git-push, git-sync, docker-image, tar…) or the build source. */
  source: string
  buildId: string | null
  /** The Docklight job that ran it (a history id), if Docklight did. */
  jobId: number | null
  releaseId: number
  error: string | null
}

/**
 * Each app's newest deploy on the host, after a bounded reconcile pass: Docklight's own jobs,
 * and pushes and CLI deploys seen in builds or events.
 */
export async function lastDeploys (host: Host): Promise<Map<string, LastDeploy>> {
  await reconcileHost(host)
  const out = new Map<string, LastDeploy>()
  for (const r of storeOf(host).releases.latestPerApp(host.name)) {
    out.set(r.app, { status: r.status, at: r.finishedAt ?? r.startedAt, source: r.source, buildId: r.buildId, jobId: r.jobId, releaseId: r.id, error: r.error })
  }
  return out
}
