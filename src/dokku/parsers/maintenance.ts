import { isTrue, words } from './common.js'
import { singleReport, toRecord } from './report.js'

/**
 * The official plugins' reports, read as text: the plugin's version is not dokku's, and the text
 * layout (bash `%-30s %-25s`) is in every release (dokku-reference/app-settings.md §12.3, §13.3).
 */

export interface MaintenanceReport {
  app: string
  enabled: boolean
  /** sha256 of a custom maintenance page ('' when none, or on plugins before 0.9.1). */
  customPageSha256: string
  raw: Record<string, string>
}

export function parseMaintenanceReport (app: string, stdout: string): MaintenanceReport {
  const fields = singleReport(stdout, 'text', 'maintenance')
  return { app, enabled: isTrue(fields.get('enabled')), customPageSha256: fields.get('custom-page-sha256') ?? '', raw: toRecord(fields) }
}

export interface HttpAuthReport {
  app: string
  enabled: boolean
  /** Names in the htpasswd file, in file order (kept while auth is off). */
  users: string[]
  allowedIps: string[]
  raw: Record<string, string>
}

export function parseHttpAuthReport (app: string, stdout: string): HttpAuthReport {
  const fields = singleReport(stdout, 'text', 'http-auth')
  return { app, enabled: isTrue(fields.get('enabled')), users: words(fields.get('users')), allowedIps: words(fields.get('allowed-ips')), raw: toRecord(fields) }
}
