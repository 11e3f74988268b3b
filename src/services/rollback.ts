import type { Release } from '../db/releases.js'
import { InvalidArgumentError } from '../dokku/errors.js'
import { validateCommitSha, validateImageRef, validateRepoUrl } from '../dokku/validate-deploy.js'
import type { Host } from '../hosts/host.js'

/**
 * Rolling back to a release, per deploys.md §3.3: dokku has no rollback, and keeps no old
 * images, so a rollback is a new build of what the release deployed. An image app gets
 * `git:from-image APP image@digest`; a git-sync app `git:sync --build APP repo sha`; an archive
 * app `git:from-archive` of its URL. A pushed app has no source dokku can fetch again: the
 * user runs the `git push` shown. Config is never rolled back.
 */
export type RollbackPlan =
  | { kind: 'image'; image: string; pinned: boolean; argv: string[]; rebuilds: string }
  | { kind: 'git-sync'; repo: string; sha: string; argv: string[]; rebuilds: string }
  | { kind: 'archive'; url: string; type: 'tar' | 'tar.gz' | 'zip'; argv: string[]; rebuilds: string }
  | { kind: 'push'; sha: string; command: string; rebuilds: string }
  | { kind: 'none'; why: string }

/** What the confirmation says, whatever the kind. */
export const CONFIG_NOT_ROLLED_BACK = 'Config vars are not rolled back: the app keeps its current config (set them separately if the old release needs other values).'

/** The git remote of the host for a push: `dokku@host` (ssh://… when the port is not 22). */
export function pushRemote (host: Host, app: string): string {
  const t = host.config.target
  if (t.kind === 'ssh') return t.port === 22 ? `${t.user}@${t.host}:${app}` : `ssh://${t.user}@${t.host}:${t.port}/${app}`
  return `dokku@<your-dokku-host>:${app}`
}

/** How to go back to a release (`kind: none` says why not). */
export interface CurrentDeploy {
  /** The release that runs now, when one is known. */
  releaseId: number | null
  /** What apps:report says runs now (dokku refuses to rebuild the same image: exit 1). */
  source?: string
  metadata?: string
  deployBranch: string
}

export function rollbackPlan (host: Host, r: Release, current: CurrentDeploy): RollbackPlan {
  if (r.status !== 'succeeded') return { kind: 'none', why: 'Only a release that deployed successfully can be gone back to.' }
  if (current.releaseId === r.id || (r.metadata !== '' && r.source === current.source && r.metadata === current.metadata)) {
    return { kind: 'none', why: 'This is what runs now.' }
  }
  if (r.metadata === '') return { kind: 'none', why: 'dokku did not say what this deploy built (its build record holds no source), so it cannot be rebuilt.' }
  const app = r.app
  switch (r.source) {
    case 'docker-image': {
      try {
        const image = validateImageRef(r.metadata)
        return {
          kind: 'image',
          image: image.ref,
          pinned: image.digest !== null,
          argv: ['dokku', 'git:from-image', app, image.ref],
          rebuilds: `dokku builds a new image FROM ${image.ref} and deploys it${image.digest === null ? '. This reference has no digest: its tag may point to a different image today' : ''}.`
        }
      } catch {
        return { kind: 'none', why: 'The image reference this release recorded is not one Docklight can send to dokku.' }
      }
    }
    case 'git-sync': {
      const hash = r.metadata.lastIndexOf('#')
      try {
        const repo = validateRepoUrl(r.metadata.slice(0, hash)).url
        const sha = validateCommitSha(r.metadata.slice(hash + 1))
        return {
          kind: 'git-sync',
          repo,
          sha,
          argv: ['dokku', 'git:sync', '--build', app, repo, sha],
          rebuilds: `dokku fetches ${repo}, moves the deploy branch back to ${sha.slice(0, 12)} and builds it from source with today's buildpacks and base images (not byte-identical to the old build).`
        }
      } catch {
        return { kind: 'none', why: 'The repository or commit this release recorded is not one Docklight can send to dokku.' }
      }
    }
    case 'tar':
    case 'tar.gz':
    case 'zip':
      return {
        kind: 'archive',
        url: r.metadata,
        type: r.source,
        argv: ['dokku', 'git:from-archive', '--archive-type', r.source, app, r.metadata],
        rebuilds: `dokku downloads ${r.metadata} again and builds it: if that URL now serves another archive, that is what gets deployed.`
      }
    case 'git-push': {
      if (!/^[0-9a-f]{40}$/.test(r.metadata)) return { kind: 'none', why: 'This push recorded no commit id.' }
      const branch = current.deployBranch || 'master'
      return {
        kind: 'push',
        sha: r.metadata,
        command: `git push --force ${pushRemote(host, app)} ${r.metadata}:refs/heads/${branch}`,
        rebuilds: `dokku builds commit ${r.metadata.slice(0, 12)} again. It came from a git push, which dokku cannot fetch by itself: run this from a checkout that has the commit.`
      }
    }
    default:
      return { kind: 'none', why: `A ${r.source || 'deploy'} release cannot be rebuilt from what dokku recorded.` }
  }
}

/** The release a rollback form names, checked: the app's, and one Docklight can rebuild. */
export function rollbackTarget (plan: RollbackPlan, confirm: unknown, releaseId: number): Exclude<RollbackPlan, { kind: 'none' } | { kind: 'push' }> {
  if (confirm !== String(releaseId)) throw new InvalidArgumentError('confirm', 'Confirm the rollback on its confirmation page first')
  if (plan.kind === 'none') throw new InvalidArgumentError('release', plan.why)
  if (plan.kind === 'push') throw new InvalidArgumentError('release', `dokku cannot fetch a pushed commit by itself. Run: ${plan.command}`)
  return plan
}
