import { singleReport, toRecord } from './report.js'

/**
 * `resource:report <app>` (dokku-reference/app-settings.md §6.4, misc.md §6): dynamic keys
 * `<proctype>.<limit|reserve>.<key>`, `_default_` for every process type. Nothing set: no rows.
 */

export type ResourceValues = Record<string, string>

export interface ResourceReport {
  app: string
  /** Per process type (`_default_`, `web`, `build`, …): key → value. */
  limits: Record<string, ResourceValues>
  reservations: Record<string, ResourceValues>
  raw: Record<string, string>
}

// JSON `_default_.limit.memory`; text labels turn `.` and `-` into spaces, so the key read back
// from `resource _default_ limit memory swap:` is `_default_-limit-memory-swap`.
const KEY = /^(.+?)[.-](limit|reserve)[.-]([a-z-]+)$/

/** JSON (0.23.1+, keys stripped from the start) or text (labels lower-case, `resource ` prefix since 0.38.8). */
export function parseResourceReport (app: string, stdout: string, format: 'json' | 'text'): ResourceReport {
  const fields = singleReport(stdout, format, 'resource')
  const limits: Record<string, ResourceValues> = {}
  const reservations: Record<string, ResourceValues> = {}
  for (const [key, value] of fields) {
    const m = key.match(KEY)
    if (!m || value === '') continue
    const target = m[2] === 'limit' ? limits : reservations
    ;(target[m[1]!] ??= {})[m[3]!] = value
  }
  return { app, limits, reservations, raw: toRecord(fields) }
}
