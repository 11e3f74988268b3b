import { SETTINGS_FEATURES } from '../../dokku/commands/settings-features.js'
import { InvalidArgumentError } from '../../dokku/errors.js'
import type { BuilderReport, BuildpacksReport, DockerfileReport } from '../../dokku/parsers/builder.js'
import { versionAtLeast } from '../../dokku/parsers/version.js'
import { BUILDERS, validateBuilder, validateBuildpackIndex, validateBuildpackUrl, validateRepoPath } from '../../dokku/validate-settings.js'
import type { Host } from '../../hosts/host.js'
import { applied, done, field, soft, type Effect, type Read, type SectionDef } from './common.js'
import { builderReport, buildpacksReport, dockerfileReport } from './reads.js'

/**
 * How the app is built: the builder (or auto-detect), the buildpacks in order (add, remove,
 * move, clear), and the Dockerfile path. Everything applies at the next build: rebuild or push.
 */

export { BUILDERS }

export interface BuilderView {
  builder: Read<BuilderReport>
  buildpacks: Read<BuildpacksReport>
  dockerfile: Read<DockerfileReport>
  effect: Effect
}

export const BUILDER_EFFECT: Effect = { kind: 'rebuild', text: 'Builder changes apply at the next build: rebuild the app or push.' }

export async function read (host: Host, app: string): Promise<BuilderView> {
  const [builder, buildpacks, dockerfile] = await Promise.all([
    soft(builderReport(host, app)), soft(buildpacksReport(host, app)), soft(dockerfileReport(host, app))
  ])
  return { builder, buildpacks, dockerfile, effect: BUILDER_EFFECT }
}

/** The list with `url` moved one place up or down. */
export function moved (list: readonly string[], url: string, direction: 'up' | 'down'): string[] {
  const at = list.indexOf(url)
  if (at === -1) throw new InvalidArgumentError('buildpack', 'That buildpack is not in the list')
  const to = direction === 'up' ? at - 1 : at + 1
  if (to < 0 || to >= list.length) throw new InvalidArgumentError('buildpack', `It is already ${direction === 'up' ? 'first' : 'last'}`)
  const next = [...list]
  next.splice(at, 1)
  next.splice(to, 0, url)
  return next
}

export const section: SectionDef<BuilderView> = {
  title: 'Builder',
  read,
  actions: {
    builder: async (host, app, form) => {
      const raw = field(form, 'builder')
      const builder = raw === '' ? null : validateBuilder(raw)
      const warnings = await applied(host, app, () => host.dokku.builderSetSelected(app, builder))
      return done(builder === null ? 'Builder: auto-detect at the next build.' : `Builder: ${builder} at the next build.`, warnings, 'rebuild')
    },
    dockerfile: async (host, app, form) => {
      const raw = field(form, 'dockerfile_path')
      const path = raw === '' ? null : validateRepoPath(raw, 'dockerfile_path', 'The Dockerfile path')
      const warnings = await applied(host, app, () => host.dokku.dockerfileSetPath(app, path))
      return done(`Dockerfile path: ${path ?? 'Dockerfile'} at the next build.`, warnings, 'rebuild')
    },
    'buildpack-add': async (host, app, form) => {
      const url = validateBuildpackUrl(field(form, 'buildpack'))
      const rawIndex = field(form, 'index')
      const index = rawIndex === '' ? null : validateBuildpackIndex(rawIndex)
      const warnings = await applied(host, app, () => host.dokku.buildpacksAdd(app, url, index))
      return done(`Added buildpack ${url}.`, warnings, 'rebuild')
    },
    'buildpack-remove': async (host, app, form) => {
      const url = validateBuildpackUrl(field(form, 'buildpack'))
      const warnings = await applied(host, app, () => host.dokku.buildpacksRemove(app, url))
      return done(`Removed buildpack ${url}.`, warnings, 'rebuild')
    },
    /** One place up or down: `buildpacks:set --replace` (0.38.22+), else remove and add at the new index. */
    'buildpack-move': async (host, app, form) => {
      const url = validateBuildpackUrl(field(form, 'buildpack'))
      const direction = field(form, 'direction')
      if (direction !== 'up' && direction !== 'down') throw new InvalidArgumentError('direction', 'Move up or down')
      const next = moved((await buildpacksReport(host, app)).buildpacks, url, direction)
      const replace = versionAtLeast(await host.dokku.version(), SETTINGS_FEATURES.buildpacksReplace)
      const warnings = await applied(host, app, async () => replace
        ? host.dokku.buildpacksReplace(app, next)
        : [await host.dokku.buildpacksRemove(app, url), await host.dokku.buildpacksAdd(app, url, next.indexOf(url) + 1)])
      return done(`Moved ${url} ${direction}: ${next.map((b, i) => `${i + 1}. ${b}`).join(' ')}`, warnings, 'rebuild')
    },
    'buildpack-clear': async (host, app) => {
      const warnings = await applied(host, app, () => host.dokku.buildpacksClear(app))
      return done('Cleared the buildpacks: the next build detects one.', warnings, 'rebuild')
    }
  }
}
