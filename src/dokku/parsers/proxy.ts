import { isTrue } from './common.js'
import { singleReport, toRecord } from './report.js'

/** `proxy:report <app>` (dokku-reference/app-settings.md §2.5). */

export const DEFAULT_PROXY = 'nginx'

export interface ProxyReport {
  app: string
  enabled: boolean
  /** The proxy serving the app: the app's own type, else the computed one, else nginx. */
  type: string
  /** The app's own setting; '' when it follows the global one. */
  appType: string
  globalType: string
  raw: Record<string, string>
}

/**
 * JSON (0.23.1+) or text. Before 0.38.6 `computed-type` preferred the global value, which
 * defaulted to `nginx`, hiding an app's own type: the app's `type` is trusted first.
 */
export function parseProxyReport (app: string, stdout: string, format: 'json' | 'text'): ProxyReport {
  const fields = singleReport(stdout, format, 'proxy')
  const appType = fields.get('type') ?? ''
  return {
    app,
    enabled: isTrue(fields.get('enabled')),
    type: appType || fields.get('computed-type') || fields.get('global-type') || DEFAULT_PROXY,
    appType,
    globalType: fields.get('global-type') ?? '',
    raw: toRecord(fields)
  }
}
