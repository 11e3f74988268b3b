import { InvalidArgumentError } from '../errors.js'
import { parseBuildListJson, type BuildRecord, type BuildStatus } from '../parsers/builds.js'
import { validateAppName } from '../validate.js'
import { validateBuildId } from '../validate-deploy.js'
import { TIMEOUTS, type CommandSpec } from './spec.js'

/** What `builds:cancel` did (deploys.md §2.5): its info1 line, and whether a deploy was ended. */
export interface BuildCancel {
  /** A running deploy was signalled, or had already died and was marked failed. */
  stopped: boolean
  /** dokku's own words, e.g. "Killing app deploy" or "App not currently deploying". */
  message: string
}

const STOPPED = [/^Killing app deploy$/, /^Build was already terminated, marking failed$/]

/**
 * `dokku builds:cancel <app>` (0.38.0+): SIGQUITs the process group of the deploy that holds the
 * app's lock. It cannot stop ps:restart, config redeploys or ps:start (they take no lock).
 */
export function cancelBuild (app: string): CommandSpec<BuildCancel> {
  const name = validateAppName(app)
  return {
    args: ['builds:cancel', name],
    app: name,
    label: `Cancel the deploy of ${name}`,
    timeoutMs: TIMEOUTS.read,
    parse: ({ stdout, stderr }) => {
      const lines = [...stdout.split('\n'), ...stderr.split('\n')].map((l) => l.replace(/^(?:-----> | !     )/, '').trim()).filter((l) => l !== '')
      return { stopped: lines.some((l) => STOPPED.some((p) => p.test(l))), message: lines.join(' ') || 'dokku printed nothing' }
    }
  }
}

const KINDS = ['build', 'deploy'] as const
const LIST_STATUSES: readonly BuildStatus[] = ['running', 'succeeded', 'failed', 'canceled', 'abandoned']

export interface BuildListFilter {
  kind?: 'build' | 'deploy'
  status?: BuildStatus
}

/**
 * `dokku builds:list <app> --format json [--kind …] [--status …]` (0.38.0+): every record of
 * the app, live ones first, then newest first; capped by dokku's retention when unfiltered.
 */
export function listBuilds (app: string, filter: BuildListFilter = {}): CommandSpec<BuildRecord[]> {
  const name = validateAppName(app)
  if (filter.kind !== undefined && !(KINDS as readonly string[]).includes(filter.kind)) throw new InvalidArgumentError('kind', 'Build kind must be build or deploy')
  if (filter.status !== undefined && !LIST_STATUSES.includes(filter.status)) throw new InvalidArgumentError('status', `Build status must be one of ${LIST_STATUSES.join(', ')}`)
  return {
    args: ['builds:list', name, '--format', 'json',
      ...(filter.kind === undefined ? [] : ['--kind', filter.kind]),
      ...(filter.status === undefined ? [] : ['--status', filter.status])],
    app: name,
    kind: 'read',
    timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseBuildListJson(stdout)
  }
}

/**
 * `dokku builds:output <app> <id>`: the build's captured log. For a live build dokku runs
 * `tail -f`, which never ends by itself: ask only for finished builds (the timeout ends it
 * otherwise).
 */
export function buildOutput (app: string, id: string): CommandSpec<string> {
  const name = validateAppName(app)
  const build = validateBuildId(id)
  return {
    args: ['builds:output', name, build],
    app: name,
    kind: 'read',
    timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => stdout
  }
}
