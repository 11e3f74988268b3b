import { InvalidArgumentError } from '../errors.js'
import { parseDockerOptionsReport, type DockerOptionsReport } from '../parsers/docker-options.js'
import { versionAtLeast, type DokkuVersion } from '../parsers/version.js'
import { validateAppName, validateProcessType } from '../validate.js'
import { DOCKER_PHASES, validateDockerOption, validateDockerPhase, validateListedDockerOption, type DockerPhase } from '../validate-settings.js'
import { SETTINGS_FEATURES } from './settings-features.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'

/** `dokku docker-options:report <app> [--format json]` (json ≥0.38.0, with exact `*-list` arrays ≥0.38.22). */
export function dockerOptionsReport (app: string, version: DokkuVersion): CommandSpec<DockerOptionsReport> {
  const name = validateAppName(app)
  const format = versionAtLeast(version, SETTINGS_FEATURES.dockerOptionsGo) ? 'json' : 'text'
  return {
    args: format === 'json' ? ['docker-options:report', name, '--format', 'json'] : ['docker-options:report', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseDockerOptionsReport(name, stdout, format)
  }
}

/**
 * Editing is refused outright before 0.38.25: up to 0.38.24 dokku collected docker options into
 * a string and ran `eval` on it at build, deploy and run time (app-settings.md §8.4).
 */
function requireNoEval (version: DokkuVersion): void {
  if (!versionAtLeast(version, SETTINGS_FEATURES.dockerOptionsNoEval)) {
    throw new InvalidArgumentError('option',
      'Docklight edits docker options only on dokku 0.38.25 or newer: older releases pass them through a shell eval on the host. Upgrade dokku first.')
  }
}

function phaseList (phases: readonly string[]): DockerPhase[] {
  if (phases.length === 0) throw new InvalidArgumentError('phase', `Choose at least one phase: ${DOCKER_PHASES.join(', ')}`)
  return DOCKER_PHASES.filter((p) => phases.map((x) => validateDockerPhase(x)).includes(p))
}

/** `--process` is for the deploy phase only, and comes before the app (the parser is not interspersed). */
function processFlag (phases: readonly DockerPhase[], process: string | null): string[] {
  if (process === null) return []
  const type = validateProcessType(process)
  if (type === '_default_') throw new InvalidArgumentError('process', '"_default_" is reserved and cannot be used as a process')
  if (phases.length !== 1 || phases[0] !== 'deploy') throw new InvalidArgumentError('process', 'A process type applies to the deploy phase only')
  return ['--process', type]
}

/**
 * `dokku docker-options:add [--process <type>] <app> <phase[,phase]> <option>`: the option is
 * one argv word. Root-equivalent (`--privileged`, host mounts…): the UI asks for a typed
 * confirmation. Applies to containers made after it (a rebuild or deploy).
 */
export function dockerOptionsAdd (app: string, phases: readonly string[], option: string, version: DokkuVersion, process: string | null = null): CommandSpec<void> {
  requireNoEval(version)
  const name = validateAppName(app)
  const list = phaseList(phases)
  const value = validateDockerOption(option)
  return {
    args: ['docker-options:add', ...processFlag(list, process), name, list.join(','), value],
    app: name,
    label: `Add docker option ${value} to ${name} (${list.join(', ')}${process === null ? '' : `, ${process}`})`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}

/** `dokku docker-options:remove [--process <type>] <app> <phase[,phase]> <option>` (an option as listed). */
export function dockerOptionsRemove (app: string, phases: readonly string[], option: string, version: DokkuVersion, process: string | null = null): CommandSpec<void> {
  requireNoEval(version)
  const name = validateAppName(app)
  const list = phaseList(phases)
  const value = validateListedDockerOption(option)
  return {
    args: ['docker-options:remove', ...processFlag(list, process), name, list.join(','), value],
    app: name,
    label: `Remove docker option ${value} from ${name} (${list.join(', ')}${process === null ? '' : `, ${process}`})`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}

/** `dokku docker-options:clear <app> [<phase[,phase]>]`; null: every phase. */
export function dockerOptionsClear (app: string, phases: readonly string[] | null, version: DokkuVersion): CommandSpec<void> {
  requireNoEval(version)
  const name = validateAppName(app)
  const list = phases === null ? null : phaseList(phases)
  return {
    args: ['docker-options:clear', name, ...(list === null ? [] : [list.join(',')])],
    app: name,
    label: `Clear docker options of ${name} (${list === null ? 'all phases' : list.join(', ')})`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}
