import { OutputParseError } from '../errors.js'
import { fromUnixSeconds, isLogHeader, isTrue, parseJsonOutput, splitLines } from './common.js'
import { singleReport, toRecord, type Fields } from './report.js'

/** `apps:list`: the `=====> My Apps` header (absent with `--quiet`), then one bare name a line. */
export function parseAppsListText (stdout: string): string[] {
  return splitLines(stdout)
    .filter((l) => !isLogHeader(l) && !l.startsWith(' !'))
    .map((l) => l.trim())
    .filter((l) => l !== '')
}

/** `apps:list --format json` (≥0.38.21): a compact array of names. */
export function parseAppsListJson (stdout: string): string[] {
  const data = parseJsonOutput(stdout, 'a list of apps')
  if (!Array.isArray(data) || !data.every((x) => typeof x === 'string')) {
    throw new OutputParseError('expected a JSON array of app names')
  }
  return data as string[]
}

export interface AppReport {
  app: string
  /** Since 0.26.2; null before, or when dokku does not know. */
  createdAt: Date | null
  /** `git`, `archive`, `docker-image`, `git-sync`, or '' (never deployed). */
  deploySource: string
  deploySourceMetadata: string
  dir: string
  locked: boolean
  /** Every key (prefix removed), for anything not typed above. */
  raw: Record<string, string>
}

export function appReportFromFields (app: string, fields: Fields): AppReport {
  return {
    app,
    createdAt: fromUnixSeconds(fields.get('created-at')),
    deploySource: fields.get('deploy-source') ?? '',
    deploySourceMetadata: fields.get('deploy-source-metadata') ?? '',
    dir: fields.get('dir') ?? '',
    locked: isTrue(fields.get('locked')),
    raw: toRecord(fields)
  }
}

/** `apps:report <app>` as text (any era) or `--format json` (≥0.23.1, stripped keys ≥0.38.8). */
export function parseAppReport (app: string, stdout: string, format: 'json' | 'text'): AppReport {
  return appReportFromFields(app, singleReport(stdout, format, 'app'))
}
