import type { Release } from '../db/releases.js'
import { FEATURES, supports } from '../dokku/commands/version.js'
import { DokkuError, InvalidArgumentError } from '../dokku/errors.js'
import { isDokkuError, type CommandOutcome, type JobOptions } from '../dokku/client.js'
import type { AppReport } from '../dokku/parsers/apps.js'
import { readableBuildLog } from '../dokku/parsers/builds.js'
import type { GitReport } from '../dokku/parsers/git.js'
import { ARCHIVE_TYPES, validateArchiveType, validateArchiveUrl, validateGitRef, validateImageRef, validateRepoUrl } from '../dokku/validate-deploy.js'
import type { Host } from '../hosts/host.js'
import { deployCancel } from '../jobs/deploy-cancel.js'
import type { JobSnapshot } from '../jobs/manager.js'
import { storeOf } from './deploy-store.js'
import {
  actorLabel, closeJobRelease, DOCKLIGHT_ACTOR, normalizeSource, openJobRelease, reconcileApp, type Actor, type JobOutcome
} from './releases.js'
import { CONFIG_NOT_ROLLED_BACK, rollbackPlan, rollbackTarget, type CurrentDeploy, type RollbackPlan } from './rollback.js'
import { webhookView, type RequestBase, type WebhookView } from './webhooks.js'

/**
 * Deploys from the browser (and the API and webhooks, which call the same functions):
 * `git:sync --build`, `git:from-image`, `git:from-archive` and rollbacks, each a job holding
 * the app's lock, with live output, dokku's deploy-lock refusal said as such, a cancel that
 * asks dokku 0.38+ to stop it where it runs (builds:cancel), and a release recorded as it ends.
 */

export { lastDeploys, type LastDeploy } from './releases.js'
export type { Release } from '../db/releases.js'
export type { RollbackPlan } from './rollback.js'
export { ARCHIVE_TYPES, CONFIG_NOT_ROLLED_BACK }

export interface DeployOptions {
  actor?: Actor
  /** The release a rollback goes back to. */
  rollbackOf?: number
  label?: string
}

/** dokku's deploy-lock refusal (deploys.md §5.1), said as what it is. */
export function lockMessage (app: string, dokkuSaid: string): string {
  return `Another deploy holds ${app}'s deploy lock, so dokku refused this one ("${dokkuSaid.split('\n')[0]}"). ` +
    'Wait for that deploy to finish, or cancel it from its job; use apps:unlock only when no deploy runs.'
}

interface DeploySpec {
  label: string
  /** What this deploy writes as deploy-source (and its metadata, when known up front). */
  expected: { source: string; metadata: string }
  run: (ctx: JobOptions & { historyId: number; signal: AbortSignal }) => Promise<CommandOutcome>
}

function outcomeOf (error: unknown, signal: AbortSignal): JobOutcome {
  if (signal.aborted || isDokkuError(error, 'cancelled')) return 'canceled'
  if (isDokkuError(error, 'timeout', 'unavailable')) return 'unknown'
  // `git:from-image` of the image already deployed: exit 1, nothing deployed (deploys.md §0).
  if (error instanceof Error && /No changes detected/.test(error.message)) return 'nothing'
  return 'failed'
}

/** The job of every deploy form: the release opens as it starts and closes with its outcome. */
function startDeploy (host: Host, app: string, spec: DeploySpec, opts: DeployOptions): JobSnapshot {
  const actor = opts.actor ?? DOCKLIGHT_ACTOR
  return host.startJob({
    app,
    label: spec.label,
    cancel: deployCancel(host.dokku, app, spec.label, host.remote),
    run: async (ctx) => {
      const open = openJobRelease(host, app, ctx.historyId, spec.expected, actor, opts.rollbackOf ?? null)
      let outcome: CommandOutcome
      try {
        outcome = await spec.run(ctx)
      } catch (error) {
        const locked = isDokkuError(error, 'locked')
        const message = locked ? lockMessage(app, (error as DokkuError).message) : error instanceof Error ? error.message : String(error)
        await closeJobRelease(host, app, open, outcomeOf(error, ctx.signal), message).catch(() => undefined)
        if (locked) {
          const e = error as DokkuError
          throw new DokkuError('locked', message, { exitCode: e.exitCode, historyId: e.historyId, command: e.command ?? undefined })
        }
        throw error
      }
      await closeJobRelease(host, app, open, outcome.nothingToDo ? 'nothing' : 'succeeded', null).catch(() => undefined)
      return outcome
    }
  })
}

async function requireFeature (host: Host, feature: keyof typeof FEATURES, what: string, field: string): Promise<void> {
  const version = await host.dokku.version()
  if (!supports(version, feature)) throw new InvalidArgumentError(field, `${what} needs dokku ${FEATURES[feature]} or later (this host runs ${version.raw})`)
}

export interface GitDeployForm {
  repo: string
  ref?: string
  /** `--build-if-changes`: build only when the ref moved (0.34.0+). */
  ifChanges?: boolean
}

/** `git:sync --build` (or `--build-if-changes`) of a repository's branch, tag or commit. */
export async function deployFromGit (host: Host, app: string, form: GitDeployForm, opts: DeployOptions = {}): Promise<JobSnapshot> {
  const repo = validateRepoUrl(form.repo.trim(), 'repo').url
  const typedRef = (form.ref ?? '').trim()
  const ref = typedRef === '' ? null : validateGitRef(typedRef, 'ref')
  await requireFeature(host, 'gitSync', 'git:sync', 'repo')
  if (form.ifChanges) await requireFeature(host, 'gitSyncBuildIfChanges', '--build-if-changes', 'ifChanges')
  const build = form.ifChanges ? 'build-if-changes' : 'build'
  return startDeploy(host, app, {
    label: opts.label ?? `Deploy ${app} from ${repo}${ref === null ? '' : '#' + ref}`,
    expected: { source: 'git-sync', metadata: ref !== null && /^[0-9a-f]{40}$/.test(ref) ? `${repo}#${ref}` : '' },
    run: (ctx) => host.dokku.gitSync(app, repo, ref, build, ctx)
  }, opts)
}

/** `git:from-image` of an image reference (a digest pins it; a tag may move). */
export async function deployFromImage (host: Host, app: string, form: { image: string }, opts: DeployOptions = {}): Promise<JobSnapshot> {
  const image = validateImageRef(form.image.trim(), 'image').ref
  await requireFeature(host, 'gitFromImage', 'git:from-image', 'image')
  return startDeploy(host, app, {
    label: opts.label ?? `Deploy ${app} from image ${image}`,
    expected: { source: 'docker-image', metadata: image },
    run: (ctx) => host.dokku.gitFromImage(app, image, ctx)
  }, opts)
}

/** `git:from-archive --archive-type <type>` of an archive URL. */
export async function deployFromArchive (host: Host, app: string, form: { url: string; type: string }, opts: DeployOptions = {}): Promise<JobSnapshot> {
  const url = validateArchiveUrl(form.url.trim(), 'url')
  const type = validateArchiveType(form.type, 'type')
  await requireFeature(host, 'gitFromArchive', 'git:from-archive', 'url')
  return startDeploy(host, app, {
    label: opts.label ?? `Deploy ${app} from ${type} archive ${url}`,
    expected: { source: type, metadata: url },
    run: (ctx) => host.dokku.gitFromArchive(app, url, type, ctx)
  }, opts)
}

// ---- the deploy page -----------------------------------------------------------------------

export interface ReleaseRow {
  release: Release
  who: string
  current: boolean
  rollback: RollbackPlan
  /** A log can be shown: dokku's build log (0.38+) or the job's own output. */
  hasLog: boolean
}

export interface DeployPage {
  /** This dokku keeps build records and logs (0.38+). */
  builds: boolean
  report: AppReport | null
  git: GitReport | null
  /** What this host's dokku can do, for the forms. */
  features: { gitSync: boolean; buildIfChanges: boolean; fromImage: boolean; fromArchive: boolean; builds: boolean }
  version: string
  runningJob: JobSnapshot | null
  releases: ReleaseRow[]
  /** Values the forms start with: the repository and branch or image deployed now. */
  defaults: { repo: string; ref: string; image: string }
  webhook: WebhookView
  /** Reading dokku's records failed: what is listed may be incomplete. */
  notice: string | null
}

/** How many releases the deploy page lists. */
const RELEASES_SHOWN = 30

function currentDeploy (current: Release | undefined, report: AppReport | null, git: GitReport | null): CurrentDeploy {
  return {
    releaseId: current?.id ?? null,
    source: report ? normalizeSource(report.deploySource) : undefined,
    metadata: report?.deploySourceMetadata,
    deployBranch: git?.deployBranch ?? 'master'
  }
}

function currentRelease (list: Release[], report: AppReport | null): Release | undefined {
  if (!report || report.deploySource === '') return undefined
  const source = normalizeSource(report.deploySource)
  return list.find((r) => r.status === 'succeeded' && r.source === source && r.metadata === report.deploySourceMetadata)
}

/** The releases table: newest first, each with who, whether it runs now, and its rollback. */
export interface ReleasesPanel {
  releases: ReleaseRow[]
  /** This dokku keeps build logs (0.38+). */
  builds: boolean
}

async function releaseRows (host: Host, app: string, report: AppReport | null, git: GitReport | null): Promise<ReleasesPanel> {
  const version = await host.dokku.version()
  const list = storeOf(host).releases.list(host.name, app, RELEASES_SHOWN)
  const current = currentRelease(list, report)
  const builds = supports(version, 'builds')
  return {
    builds,
    releases: list.map((release): ReleaseRow => ({
      release,
      who: actorLabel(release),
      current: current?.id === release.id,
      rollback: rollbackPlan(host, release, currentDeploy(current, report, git)),
      hasLog: (builds && release.buildId !== null) || release.jobId !== null
    }))
  }
}

function reports (host: Host, app: string): Promise<[AppReport, GitReport | null]> {
  return Promise.all([
    host.cache.get(`apps:report:${app}`, [app], () => host.dokku.appReport(app)),
    host.cache.get(`git:report:${app}`, [app], () => host.dokku.gitReport(app)).catch(() => null)
  ])
}

/** The releases table alone (refreshed after each job on the app), after a reconcile of the app. */
export async function releasesPanel (host: Host, app: string): Promise<ReleasesPanel> {
  await reconcileApp(host, app)
  const [report, git] = await reports(host, app)
  return releaseRows(host, app, report, git)
}

/** Everything the deploy tab shows: after a reconcile of this app, its releases with their rollback plans. */
export async function deployPage (host: Host, app: string, request: RequestBase): Promise<DeployPage> {
  const [, [report, git], version] = await Promise.all([reconcileApp(host, app), reports(host, app), host.dokku.version()])
  const panel = await releaseRows(host, app, report, git)
  const source = normalizeSource(report.deploySource)
  const sync = source === 'git-sync' ? report.deploySourceMetadata.slice(0, report.deploySourceMetadata.lastIndexOf('#')) : ''
  return {
    builds: panel.builds,
    report,
    git,
    features: {
      gitSync: supports(version, 'gitSync'),
      buildIfChanges: supports(version, 'gitSyncBuildIfChanges'),
      fromImage: supports(version, 'gitFromImage'),
      fromArchive: supports(version, 'gitFromArchive'),
      builds: panel.builds
    },
    version: version.raw,
    runningJob: host.runningJob(app) ?? null,
    releases: panel.releases,
    defaults: { repo: sync, ref: git?.deployBranch && git.deployBranch !== 'master' ? git.deployBranch : '', image: source === 'docker-image' ? report.deploySourceMetadata : '' },
    webhook: webhookView(host, app, request),
    notice: null
  }
}

export interface ReleaseDetail {
  release: Release
  who: string
  /** The build log, escapes and `\r` redraws resolved; null when there is none to show. */
  log: string | null
  /** Where it came from, or why there is none. */
  logNote: string
  rollback: RollbackPlan
  current: boolean
  configNote: string
}

/** One release: its facts, its build log (builds:output on 0.38+, else the job's output) and its rollback. */
export async function releaseDetail (host: Host, app: string, id: number): Promise<ReleaseDetail | null> {
  const store = storeOf(host)
  const release = store.releases.get(id)
  if (!release || release.host !== host.name || release.app !== app) return null
  const [report, git, version] = await Promise.all([
    host.cache.get(`apps:report:${app}`, [app], () => host.dokku.appReport(app)).catch(() => null),
    host.cache.get(`git:report:${app}`, [app], () => host.dokku.gitReport(app)).catch(() => null),
    host.dokku.version()
  ])
  const current = currentRelease(store.releases.list(host.name, app, RELEASES_SHOWN), report)
  let log: string | null = null
  let logNote = 'Docklight has no log of this deploy: it ran outside Docklight on a dokku older than 0.38, which keeps no build logs.'
  const running = host.runningJob(app)
  if (release.jobId !== null && running?.id === release.jobId) {
    log = running.output
    logNote = 'The job is still running: its output so far.'
  } else if (release.buildId !== null && supports(version, 'builds') && release.status !== 'running') {
    try {
      log = readableBuildLog(await host.cache.get(`builds:output:${app}:${release.buildId}`, [app], () => host.dokku.buildOutput(app, release.buildId!)))
      logNote = `dokku's build log (builds:output ${release.buildId}).`
    } catch (err) {
      logNote = `dokku could not give the build log: ${err instanceof Error ? err.message : String(err)}`
    }
  }
  if (log === null && release.jobId !== null) {
    const entry = host.history.get(release.jobId)
    if (entry) {
      log = readableBuildLog(entry.stdout + (entry.stderr ? '\n' + entry.stderr : ''))
      logNote = 'The output of the Docklight job that ran it.'
    }
  }
  return {
    release,
    who: actorLabel(release),
    log,
    logNote,
    rollback: rollbackPlan(host, release, currentDeploy(current, report, git)),
    current: current?.id === release.id,
    configNote: CONFIG_NOT_ROLLED_BACK
  }
}

/** Rolls back to a release (deploys.md §3.3) as a new deploy job; `confirm` is what its confirmation page sends. */
export async function rollback (host: Host, app: string, id: number, confirm: unknown): Promise<JobSnapshot> {
  const detail = await releaseDetail(host, app, id)
  if (!detail) throw new InvalidArgumentError('release', `Release #${id} is not one of ${app}'s`)
  const plan = rollbackTarget(detail.rollback, confirm, id)
  const opts: DeployOptions = { rollbackOf: id, label: `Roll back ${app} to release #${id}` }
  switch (plan.kind) {
    case 'image': return deployFromImage(host, app, { image: plan.image }, opts)
    case 'git-sync': return deployFromGit(host, app, { repo: plan.repo, ref: plan.sha }, opts)
    case 'archive': return deployFromArchive(host, app, { url: plan.url, type: plan.type }, opts)
  }
}
