import { singleReport, toRecord } from './report.js'

/** `builder:report`, `buildpacks:report`, `builder-dockerfile:report` (dokku-reference/misc.md §3, app-settings.md §10). */

export interface BuilderReport {
  app: string
  /** The app's own choice; '' when dokku auto-detects. */
  selected: string
  /** What applies: the app's, else the global one; '' means auto-detect. */
  computedSelected: string
  /** What dokku detected at the last build (`herokuish`, `dockerfile`, …). */
  detected: string
  buildDir: string
  raw: Record<string, string>
}

export function parseBuilderReport (app: string, stdout: string, format: 'json' | 'text'): BuilderReport {
  const fields = singleReport(stdout, format, 'builder')
  const selected = fields.get('selected') ?? ''
  return {
    app,
    selected,
    computedSelected: fields.get('computed-selected') || selected || fields.get('global-selected') || '',
    detected: fields.get('detected') ?? '',
    buildDir: fields.get('computed-build-dir') || fields.get('build-dir') || '',
    raw: toRecord(fields)
  }
}

export interface BuildpacksReport {
  app: string
  /** In build order. */
  buildpacks: string[]
  /** The stack image used ('' on versions that do not report one). */
  stack: string
  raw: Record<string, string>
}

/** `--buildpacks-list` is comma-separated, no spaces. */
export function parseBuildpacksReport (app: string, stdout: string, format: 'json' | 'text'): BuildpacksReport {
  const fields = singleReport(stdout, format, 'buildpacks')
  return {
    app,
    buildpacks: (fields.get('list') ?? '').split(',').map((b) => b.trim()).filter((b) => b !== ''),
    stack: fields.get('computed-stack') || fields.get('stack') || '',
    raw: toRecord(fields)
  }
}

export const DEFAULT_DOCKERFILE = 'Dockerfile'

export interface DockerfileReport {
  app: string
  /** The app's own path ('' when unset). */
  dockerfilePath: string
  /** What the build uses. */
  computedDockerfilePath: string
  raw: Record<string, string>
}

export function parseDockerfileReport (app: string, stdout: string, format: 'json' | 'text'): DockerfileReport {
  const fields = singleReport(stdout, format, 'builder-dockerfile')
  const own = fields.get('dockerfile-path') ?? ''
  return {
    app,
    dockerfilePath: own,
    computedDockerfilePath: fields.get('computed-dockerfile-path') || own || fields.get('global-dockerfile-path') || DEFAULT_DOCKERFILE,
    raw: toRecord(fields)
  }
}
