import { parseDomainsReport, parseDomainsReportAllInTurns, type DomainsReport } from '../parsers/domains.js'
import type { DokkuVersion } from '../parsers/version.js'
import { validateAppName, validateDomains } from '../validate.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'
import { reportFormat } from './version.js'

/** `dokku domains:report <app> [--format json]` (json ≥0.38.0). */
export function domainsReport (app: string, version: DokkuVersion): CommandSpec<DomainsReport> {
  const name = validateAppName(app)
  const format = reportFormat(version, 'bashReportJson')
  return {
    args: format === 'json' ? ['domains:report', name, '--format', 'json'] : ['domains:report', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseDomainsReport(name, stdout, format)
  }
}

/**
 * `dokku domains:report`: every app in one call (the dashboard). Text on purpose: with
 * `--format json` dokku prints one object per app without naming the app.
 */
export function domainsReportAll (): CommandSpec<Promise<DomainsReport[]>> {
  // Parsed a few apps at a time: a big host's report never stalls the event loop.
  return { args: ['domains:report'], kind: 'read', timeoutMs: TIMEOUTS.read, parse: ({ stdout }) => parseDomainsReportAllInTurns(stdout) }
}

function change (subcommand: 'domains:add' | 'domains:remove' | 'domains:set', label: (list: string, app: string) => string, app: string, domains: readonly string[]): CommandSpec<void> {
  const name = validateAppName(app)
  const list = validateDomains(domains)
  return { args: [subcommand, name, ...list], app: name, label: label(list.join(' '), name), timeoutMs: TIMEOUTS.change, parse: noParse }
}

/** `dokku domains:add <app> <domain>…` (lowercased; wildcards allowed, as dokku allows them). */
export const addDomains = (app: string, domains: readonly string[]): CommandSpec<void> =>
  change('domains:add', (list, name) => `Add ${list} to ${name}`, app, domains)
/** `dokku domains:remove <app> <domain>…`. */
export const removeDomains = (app: string, domains: readonly string[]): CommandSpec<void> =>
  change('domains:remove', (list, name) => `Remove ${list} from ${name}`, app, domains)
/** `dokku domains:set <app> <domain>…`: replaces the app's list. */
export const setDomains = (app: string, domains: readonly string[]): CommandSpec<void> =>
  change('domains:set', (list, name) => `Set domains of ${name} to ${list}`, app, domains)
