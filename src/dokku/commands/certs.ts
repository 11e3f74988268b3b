import { parseCertsReport, type CertsReport } from '../parsers/certs.js'
import type { DokkuVersion } from '../parsers/version.js'
import { validateAppName } from '../validate.js'
import { TIMEOUTS, type CommandSpec } from './spec.js'
import { reportFormat } from './version.js'

/** `dokku certs:report <app> [--format json]` (json ≥0.38.0); `now` sets `daysLeft`. */
export function certsReport (app: string, version: DokkuVersion, now?: Date): CommandSpec<CertsReport> {
  const name = validateAppName(app)
  const format = reportFormat(version, 'bashReportJson')
  return {
    args: format === 'json' ? ['certs:report', name, '--format', 'json'] : ['certs:report', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseCertsReport(name, stdout, format, now)
  }
}
