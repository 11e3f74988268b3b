import { InvalidArgumentError } from '../errors.js'
import { parseGitReport, type GitReport } from '../parsers/git.js'
import type { DokkuVersion } from '../parsers/version.js'
import { validateAppName } from '../validate.js'
import { validateArchiveType, validateArchiveUrl, validateGitRef, validateImageRef, validateRepoUrl, type ArchiveType } from '../validate-deploy.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'
import { reportFormat, supports, FEATURES, type Feature } from './version.js'

/**
 * The git plugin's deploys (deploys.md §1): `git:sync`, `git:from-image`, `git:from-archive`,
 * each a full build and deploy under dokku's deploy lock, and `git:report`. Over SSH these go
 * through dokku's naive split (no quoting), which the validators allow for.
 */

function requireFeature (version: DokkuVersion, feature: Feature, what: string, field: string): void {
  if (!supports(version, feature)) throw new InvalidArgumentError(field, `${what} needs dokku ${FEATURES[feature]} or later`)
}

/** `--build` builds whatever it fetched; `--build-if-changes` only a sha that moved; `none` only fetches. */
export type SyncBuild = 'build' | 'build-if-changes' | 'none'

/** `dokku git:sync [--build|--build-if-changes] <app> <repository> [<ref>]`. */
export function gitSync (app: string, repo: string, ref: string | null, build: SyncBuild, version: DokkuVersion): CommandSpec<void> {
  const name = validateAppName(app)
  const url = validateRepoUrl(repo).url
  const gitRef = ref === null || ref === '' ? null : validateGitRef(ref)
  if (build !== 'build' && build !== 'build-if-changes' && build !== 'none') throw new InvalidArgumentError('build', 'Choose --build, --build-if-changes or no build')
  requireFeature(version, 'gitSync', 'git:sync', 'repo')
  if (build === 'build-if-changes') requireFeature(version, 'gitSyncBuildIfChanges', '--build-if-changes', 'build')
  const flag = build === 'none' ? [] : [`--${build}`]
  return {
    args: ['git:sync', ...flag, name, url, ...(gitRef === null ? [] : [gitRef])],
    app: name,
    kind: 'job',
    label: `Deploy ${name} from ${url}${gitRef === null ? '' : '#' + gitRef}`,
    timeoutMs: TIMEOUTS.deploy,
    parse: noParse
  }
}

/** `dokku git:from-image <app> <image>`: a build of `FROM <image>`; the same image again exits 1. */
export function gitFromImage (app: string, image: string, version: DokkuVersion): CommandSpec<void> {
  const name = validateAppName(app)
  const ref = validateImageRef(image).ref
  requireFeature(version, 'gitFromImage', 'git:from-image', 'image')
  return {
    args: ['git:from-image', name, ref],
    app: name,
    kind: 'job',
    label: `Deploy ${name} from image ${ref}`,
    timeoutMs: TIMEOUTS.deploy,
    parse: noParse
  }
}

/** `dokku git:from-archive --archive-type <type> <app> <url>`. */
export function gitFromArchive (app: string, url: string, type: ArchiveType, version: DokkuVersion): CommandSpec<void> {
  const name = validateAppName(app)
  const archive = validateArchiveUrl(url)
  const archiveType = validateArchiveType(type)
  requireFeature(version, 'gitFromArchive', 'git:from-archive', 'url')
  return {
    args: ['git:from-archive', '--archive-type', archiveType, name, archive],
    app: name,
    kind: 'job',
    label: `Deploy ${name} from ${archiveType} archive ${archive}`,
    timeoutMs: TIMEOUTS.deploy,
    parse: noParse
  }
}

/** `dokku git:report <app> [--format json]` (JSON since 0.38.0). */
export function gitReport (app: string, version: DokkuVersion): CommandSpec<GitReport> {
  const name = validateAppName(app)
  const format = reportFormat(version, 'gitReportJson')
  return {
    args: format === 'json' ? ['git:report', name, '--format', 'json'] : ['git:report', name],
    app: name,
    kind: 'read',
    timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseGitReport(name, stdout, format)
  }
}
