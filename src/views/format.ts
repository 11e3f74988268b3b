/** Small formatting helpers handed to every template as `it.format`. */

export function percent (value: number | null | undefined): string {
  return value === null || value === undefined || Number.isNaN(value) ? '–' : `${value.toFixed(1)}%`
}

/** "ok" under 75%, "warn" under 90%, "danger" above: the colour of a usage gauge. */
export function usageLevel (value: number | null | undefined): 'ok' | 'warn' | 'danger' | 'unknown' {
  if (value === null || value === undefined || Number.isNaN(value)) return 'unknown'
  return value >= 90 ? 'danger' : value >= 75 ? 'warn' : 'ok'
}

export function dateTime (iso: string | null | undefined): string {
  if (!iso) return '–'
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')
}

export function duration (ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

/** Terminal colour codes removed: output is shown as plain, escaped text. */
export { stripAnsi } from '../dokku/parsers/common.js'
