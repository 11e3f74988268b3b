import { isTrue, words } from './common.js'
import { mapReportSections, parseReportText, singleReport, stripPrefix, toRecord, type Fields } from './report.js'

export interface DomainsReport {
  app: string
  /** false when vhosts are disabled for the app (`NO_VHOST=1`). */
  appEnabled: boolean
  appVhosts: string[]
  globalEnabled: boolean
  globalVhosts: string[]
  raw: Record<string, string>
}

export function domainsReportFromFields (app: string, fields: Fields): DomainsReport {
  return {
    app,
    appEnabled: isTrue(fields.get('app-enabled')),
    appVhosts: words(fields.get('app-vhosts')),
    globalEnabled: isTrue(fields.get('global-enabled')),
    globalVhosts: words(fields.get('global-vhosts')),
    raw: toRecord(fields)
  }
}

/** `domains:report <app>`: Go (≥0.38.22) or bash text, or `--format json` (≥0.38.0). */
export function parseDomainsReport (app: string, stdout: string, format: 'json' | 'text'): DomainsReport {
  return domainsReportFromFields(app, singleReport(stdout, format, 'domains'))
}

/** `domains:report` with no app: one text section per app (JSON would not name the apps). */
export function parseDomainsReportAll (stdout: string): DomainsReport[] {
  return parseReportText(stdout)
    .filter((s) => !s.global && s.name !== '')
    .map((s) => domainsReportFromFields(s.name, stripPrefix(s.fields, 'domains')))
}

/** parseDomainsReportAll a few apps at a time, the event loop free in between (a host of 300 apps). */
export function parseDomainsReportAllInTurns (stdout: string): Promise<DomainsReport[]> {
  return mapReportSections(stdout, (s) => (!s.global && s.name !== '' ? domainsReportFromFields(s.name, stripPrefix(s.fields, 'domains')) : undefined))
}
