import { singleReport, toRecord } from './report.js'

/**
 * `nginx:report <app>` (dokku-reference/misc.md §4): three keys per property, the app's own
 * value, the global one and the computed (effective) one.
 */

export interface NginxValue {
  /** The app's own setting ('' when unset). */
  value: string
  global: string
  /** What nginx.conf gets ('' on dokku versions without computed keys: the built-in default then). */
  computed: string
}

export interface NginxReport {
  app: string
  properties: Record<string, NginxValue>
  raw: Record<string, string>
}

/** JSON (0.38.0+, stripped keys) or text (bash before 0.38.22, Go since). */
export function parseNginxReport (app: string, stdout: string, format: 'json' | 'text'): NginxReport {
  const fields = singleReport(stdout, format, 'nginx')
  const properties: Record<string, NginxValue> = {}
  for (const key of fields.keys()) {
    if (key.startsWith('computed-') || key.startsWith('global-') || key === 'last-visited-at') continue
    properties[key] = {
      value: fields.get(key) ?? '',
      global: fields.get(`global-${key}`) ?? '',
      computed: fields.get(`computed-${key}`) ?? ''
    }
  }
  return { app, properties, raw: toRecord(fields) }
}
