import { InvalidArgumentError } from '../errors.js'
import { parseBuildpacksReport, type BuildpacksReport } from '../parsers/builder.js'
import { versionAtLeast, type DokkuVersion } from '../parsers/version.js'
import { validateAppName } from '../validate.js'
import { validateBuildpackIndex, validateBuildpackUrl } from '../validate-settings.js'
import { SETTINGS_FEATURES } from './settings-features.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'
import { reportFormat } from './version.js'

/** The most buildpacks one app may list here. */
export const MAX_BUILDPACKS = 20

/** `dokku buildpacks:report <app> [--format json]` (json ≥0.23.1). */
export function buildpacksReport (app: string, version: DokkuVersion): CommandSpec<BuildpacksReport> {
  const name = validateAppName(app)
  const format = reportFormat(version, 'goReportJson')
  return {
    args: format === 'json' ? ['buildpacks:report', name, '--format', 'json'] : ['buildpacks:report', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseBuildpacksReport(name, stdout, format)
  }
}

/** `dokku buildpacks:add [--index <n>] <app> <url>` (1-based; no index appends). dokku does not dedupe. */
export function buildpacksAdd (app: string, url: string, index: number | null = null): CommandSpec<void> {
  const name = validateAppName(app)
  const value = validateBuildpackUrl(url)
  const at = index === null ? null : validateBuildpackIndex(index)
  return {
    args: ['buildpacks:add', ...(at === null ? [] : ['--index', String(at)]), name, value],
    app: name,
    label: `Add buildpack ${value} to ${name}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}

/** `dokku buildpacks:remove <app> <url>`. */
export function buildpacksRemove (app: string, url: string): CommandSpec<void> {
  const name = validateAppName(app)
  const value = validateBuildpackUrl(url)
  return { args: ['buildpacks:remove', name, value], app: name, label: `Remove buildpack ${value} from ${name}`, timeoutMs: TIMEOUTS.change, parse: noParse }
}

/**
 * `dokku buildpacks:set --replace <app> <url>…` (0.38.22+): the whole list in one atomic call
 * (reorder). Older dokku has no `--replace`: callers clear and add instead.
 */
export function buildpacksReplace (app: string, urls: readonly string[], version: DokkuVersion): CommandSpec<void> {
  const name = validateAppName(app)
  if (!versionAtLeast(version, SETTINGS_FEATURES.buildpacksReplace)) throw new InvalidArgumentError('buildpacks', 'buildpacks:set --replace needs dokku 0.38.22 or newer')
  if (urls.length === 0) throw new InvalidArgumentError('buildpacks', 'Give at least one buildpack (clear removes them all)')
  if (urls.length > MAX_BUILDPACKS) throw new InvalidArgumentError('buildpacks', `At most ${MAX_BUILDPACKS} buildpacks`)
  const list = urls.map((u) => validateBuildpackUrl(u))
  return {
    args: ['buildpacks:set', '--replace', name, ...list],
    app: name,
    label: `Set the buildpacks of ${name}: ${list.join(', ')}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}

/** `dokku buildpacks:clear <app>`: the next build detects its buildpack again. */
export function buildpacksClear (app: string): CommandSpec<void> {
  const name = validateAppName(app)
  return { args: ['buildpacks:clear', name], app: name, label: `Clear the buildpacks of ${name}`, timeoutMs: TIMEOUTS.change, parse: noParse }
}
