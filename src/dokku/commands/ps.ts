import { InvalidArgumentError } from '../errors.js'
import {
  parsePsReport, parsePsReportAllInTurns, parseScaleJson, parseScaleText, type ProcessScale, type PsReport
} from '../parsers/ps.js'
import type { DokkuVersion } from '../parsers/version.js'
import { validateAppName, validateProcessType, validateScaleCount } from '../validate.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'
import { reportFormat, supports } from './version.js'

/** `dokku ps:report <app> [--format json]`. */
export function psReport (app: string, version: DokkuVersion): CommandSpec<PsReport> {
  const name = validateAppName(app)
  const format = reportFormat(version, 'goReportJson')
  return {
    args: format === 'json' ? ['ps:report', name, '--format', 'json'] : ['ps:report', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parsePsReport(name, stdout, format)
  }
}

/**
 * `dokku ps:report`: every app in one call. Text on purpose: with `--format json` dokku prints
 * one object per app without naming the app.
 */
export function psReportAll (): CommandSpec<Promise<PsReport[]>> {
  // Parsed a few apps at a time: a big host's report never stalls the event loop.
  return { args: ['ps:report'], kind: 'read', timeoutMs: TIMEOUTS.read, parse: ({ stdout }) => parsePsReportAllInTurns(stdout) }
}

/** `dokku ps:scale --format json <app>` (≥0.38.21), else `dokku --quiet ps:scale <app>`. */
export function getScale (app: string, version: DokkuVersion): CommandSpec<ProcessScale[]> {
  const name = validateAppName(app)
  if (supports(version, 'psScaleJson')) {
    return { args: ['ps:scale', '--format', 'json', name], app: name, kind: 'read', timeoutMs: TIMEOUTS.read, parse: ({ stdout }) => parseScaleJson(stdout) }
  }
  return { args: ['--quiet', 'ps:scale', name], app: name, kind: 'read', timeoutMs: TIMEOUTS.read, parse: ({ stdout }) => parseScaleText(stdout) }
}

export type Formation = Readonly<Record<string, number | string>> | readonly ProcessScale[]

/** `dokku ps:scale [--skip-deploy] <app> web=2 worker=1`. */
export function setScale (app: string, formation: Formation, options: { skipDeploy?: boolean } = {}): CommandSpec<void> {
  const name = validateAppName(app)
  const entries = Array.isArray(formation)
    ? (formation as readonly ProcessScale[]).map((p) => [p.type, p.quantity] as const)
    : Object.entries(formation as Readonly<Record<string, number | string>>)
  if (entries.length === 0) throw new InvalidArgumentError('formation', 'Give at least one process type to scale')
  const counts = new Map<string, number>()
  for (const [type, count] of entries) {
    const t = validateProcessType(type)
    counts.set(t, validateScaleCount(count, `count.${t}`))
  }
  const tuples = [...counts].map(([t, n]) => `${t}=${n}`)
  return {
    args: ['ps:scale', ...(options.skipDeploy ? ['--skip-deploy'] : []), name, ...tuples],
    app: name,
    kind: 'job',
    label: `Scale ${name}: ${tuples.join(' ')}`,
    timeoutMs: TIMEOUTS.deploy,
    parse: noParse
  }
}

/** `dokku ps:restart <app> [<process>]`. */
export function restart (app: string, options: { process?: string } = {}): CommandSpec<void> {
  const name = validateAppName(app)
  const proc = options.process === undefined ? undefined : validateProcessType(options.process)
  return {
    args: ['ps:restart', name, ...(proc === undefined ? [] : [proc])],
    app: name,
    kind: 'job',
    label: proc === undefined ? `Restart ${name}` : `Restart ${name} (${proc})`,
    timeoutMs: TIMEOUTS.deploy,
    parse: noParse
  }
}

function lifecycle (subcommand: 'ps:rebuild' | 'ps:stop' | 'ps:start', verb: string, app: string): CommandSpec<void> {
  const name = validateAppName(app)
  return { args: [subcommand, name], app: name, kind: 'job', label: `${verb} ${name}`, timeoutMs: TIMEOUTS.deploy, parse: noParse }
}

/** `dokku ps:rebuild <app>`: a full build and deploy. */
export const rebuild = (app: string): CommandSpec<void> => lifecycle('ps:rebuild', 'Rebuild', app)
/** `dokku ps:stop <app>`. */
export const stop = (app: string): CommandSpec<void> => lifecycle('ps:stop', 'Stop', app)
/** `dokku ps:start <app>`. */
export const start = (app: string): CommandSpec<void> => lifecycle('ps:start', 'Start', app)
