import { OutputParseError } from '../errors.js'
import { splitLines } from './common.js'

export interface DokkuVersion {
  /** What `dokku version` printed after "dokku version " ('' when it could not tell). */
  raw: string
  /** `[major, minor, patch]`, or null for a build from git without tags, or an unknown version. */
  parts: readonly [number, number, number] | null
  /** A development build (`~master (…)`): newer than every release. */
  dev: boolean
}

/** Used when `dokku version` fails ("Unable to determine dokku's version"): assume the oldest. */
export const UNKNOWN_VERSION: DokkuVersion = { raw: '', parts: null, dev: false }

/**
 * `dokku version 0.38.27`, `dokku version 1723456789:0.38.27` (nightly, epoch prefix),
 * `dokku version v0.38.27-33-g33896f5d7` (git describe), `dokku version ~master (2026-…)`.
 */
export function parseVersion (stdout: string): DokkuVersion {
  const line = splitLines(stdout).map((l) => l.trim()).find((l) => l.startsWith('dokku version '))
  if (line === undefined) throw new OutputParseError(`expected "dokku version X", got: ${stdout.trim().slice(0, 120)}`)
  const raw = line.slice('dokku version '.length).trim()
  const m = raw.match(/^(?:\d+:)?v?(\d+)\.(\d+)\.(\d+)/)
  if (m) return { raw, parts: [Number(m[1]), Number(m[2]), Number(m[3])], dev: false }
  return { raw, parts: null, dev: raw.startsWith('~') || /master|main|dev/.test(raw) }
}

/** Whether the version is `min` (`"0.38.21"`) or newer. Dev builds are newest, unknown ones oldest. */
export function versionAtLeast (version: DokkuVersion, min: string): boolean {
  if (version.parts === null) return version.dev
  const want = min.split('.').map(Number)
  for (let i = 0; i < 3; i++) {
    const have = version.parts[i] ?? 0
    const need = want[i] ?? 0
    if (have !== need) return have > need
  }
  return true
}

/** `0.38.27`, or the raw text for builds without a release number. */
export function formatVersion (version: DokkuVersion): string {
  return version.parts ? version.parts.join('.') : (version.raw || 'unknown')
}
