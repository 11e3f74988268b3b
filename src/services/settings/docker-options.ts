import { SETTINGS_FEATURES } from '../../dokku/commands/settings-features.js'
import { InvalidArgumentError } from '../../dokku/errors.js'
import type { DockerOptionsReport } from '../../dokku/parsers/docker-options.js'
import { formatVersion, versionAtLeast } from '../../dokku/parsers/version.js'
import { validateConfirmation } from '../../dokku/validate.js'
import { DOCKER_PHASES, validateDockerOption, validateListedDockerOption, type DockerPhase } from '../../dokku/validate-settings.js'
import type { Host } from '../../hosts/host.js'
import { applied, checked, done, field, soft, type Effect, type Form, type Read, type SectionDef } from './common.js'
import { dockerOptionsReport } from './reads.js'

/**
 * Docker options, read-only by default. Whoever sets them owns the host (`--privileged`, host
 * mounts, `--pid=host`…), so editing asks for the app's name typed out, and is refused outright
 * before dokku 0.38.25: older releases ran these values through a shell `eval` on the host
 * (app-settings.md §8.4). They apply to containers created after the change (a rebuild).
 */

export { DOCKER_PHASES }

export interface DockerOptionsView {
  options: Read<DockerOptionsReport>
  /** Editing is offered (dokku 0.38.25+). */
  editable: boolean
  /** The detected dokku version, for the refusal's wording. */
  version: string
  effect: Effect
}

export const DOCKER_OPTIONS_EFFECT: Effect = { kind: 'rebuild', text: 'Docker options apply to containers created after the change: rebuild the app to apply them.' }

export async function read (host: Host, app: string): Promise<DockerOptionsView> {
  const [options, version] = await Promise.all([soft(dockerOptionsReport(host, app)), host.dokku.version()])
  return { options, editable: versionAtLeast(version, SETTINGS_FEATURES.dockerOptionsNoEval), version: formatVersion(version), effect: DOCKER_OPTIONS_EFFECT }
}

/** Refused before anything runs: an old dokku, or the typed confirmation missing. */
async function requireEditing (host: Host, app: string, form: Form): Promise<void> {
  if (!versionAtLeast(await host.dokku.version(), SETTINGS_FEATURES.dockerOptionsNoEval)) {
    throw new InvalidArgumentError('option', 'Docklight edits docker options only on dokku 0.38.25 or newer: older releases pass them through a shell eval on the host. Upgrade dokku first.')
  }
  validateConfirmation(field(form, 'confirm'), app, 'confirm')
}

/** Phases from `phase_build`, `phase_deploy`, `phase_run` checkboxes, or one `phase` field. */
function phasesFrom (form: Form): DockerPhase[] {
  const single = field(form, 'phase')
  const phases = single !== '' ? [single] : DOCKER_PHASES.filter((p) => checked(form, `phase_${p}`))
  for (const p of phases) if (!(DOCKER_PHASES as readonly string[]).includes(p)) throw new InvalidArgumentError('phase', `The phase is one of ${DOCKER_PHASES.join(', ')}`)
  if (phases.length === 0) throw new InvalidArgumentError('phase', 'Choose at least one phase')
  return phases as DockerPhase[]
}

export const section: SectionDef<DockerOptionsView> = {
  title: 'Docker options',
  read,
  actions: {
    add: async (host, app, form) => {
      const phases = phasesFrom(form)
      const option = validateDockerOption(field(form, 'option'))
      const process = field(form, 'process') || null
      await requireEditing(host, app, form)
      const warnings = await applied(host, app, () => host.dokku.dockerOptionsAdd(app, phases, option, process))
      return done(`Added ${option} (${phases.join(', ')}). Rebuild to apply.`, warnings, 'rebuild')
    },
    remove: async (host, app, form) => {
      const phases = phasesFrom(form)
      const option = validateListedDockerOption(field(form, 'option'))
      const process = field(form, 'process') || null
      await requireEditing(host, app, form)
      const warnings = await applied(host, app, () => host.dokku.dockerOptionsRemove(app, phases, option, process))
      return done(`Removed ${option} (${phases.join(', ')}). Rebuild to apply.`, warnings, 'rebuild')
    },
    clear: async (host, app, form) => {
      const phases = field(form, 'phase') === '' ? null : phasesFrom(form)
      await requireEditing(host, app, form)
      const warnings = await applied(host, app, () => host.dokku.dockerOptionsClear(app, phases))
      return done(`Cleared the docker options (${phases === null ? 'every phase' : phases.join(', ')}). Rebuild to apply.`, warnings, 'rebuild')
    }
  }
}
