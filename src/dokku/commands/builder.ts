import { parseBuilderReport, parseDockerfileReport, type BuilderReport, type DockerfileReport } from '../parsers/builder.js'
import type { DokkuVersion } from '../parsers/version.js'
import { validateAppName } from '../validate.js'
import { validateBuilder, validateRepoPath } from '../validate-settings.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'
import { reportFormat } from './version.js'

/** `dokku builder:report <app> [--format json]` (the builder plugin, 0.24.0+). */
export function builderReport (app: string, version: DokkuVersion): CommandSpec<BuilderReport> {
  const name = validateAppName(app)
  const format = reportFormat(version, 'goReportJson')
  return {
    args: format === 'json' ? ['builder:report', name, '--format', 'json'] : ['builder:report', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseBuilderReport(name, stdout, format)
  }
}

/** `dokku builder:set <app> selected [<builder>]`; null: auto-detect again. Applies at the next build. */
export function builderSetSelected (app: string, builder: string | null): CommandSpec<void> {
  const name = validateAppName(app)
  const value = builder === null ? null : validateBuilder(builder)
  return {
    args: ['builder:set', name, 'selected', ...(value === null ? [] : [value])],
    app: name,
    label: value === null ? `Let dokku detect the builder of ${name}` : `Build ${name} with ${value}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}

/** `dokku builder-dockerfile:report <app> [--format json]` (json ≥0.38.0; bash text before 0.38.22). */
export function dockerfileReport (app: string, version: DokkuVersion): CommandSpec<DockerfileReport> {
  const name = validateAppName(app)
  const format = reportFormat(version, 'bashReportJson')
  return {
    args: format === 'json' ? ['builder-dockerfile:report', name, '--format', 'json'] : ['builder-dockerfile:report', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseDockerfileReport(name, stdout, format)
  }
}

/** `dokku builder-dockerfile:set <app> dockerfile-path [<path>]` (0.25.0+); null: `Dockerfile`. */
export function dockerfileSetPath (app: string, path: string | null): CommandSpec<void> {
  const name = validateAppName(app)
  const value = path === null ? null : validateRepoPath(path, 'dockerfile_path', 'The Dockerfile path')
  return {
    args: ['builder-dockerfile:set', name, 'dockerfile-path', ...(value === null ? [] : [value])],
    app: name,
    label: value === null ? `Reset the Dockerfile path of ${name}` : `Build ${name} from ${value}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}
