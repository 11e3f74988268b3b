/** Dokku versions the simulator can imitate (`DOKKU_SIM_VERSION`). */

export type Version = readonly [number, number, number]

/** The dokku release described by the reference (v0.38.27). */
export const CURRENT_VERSION = '0.38.27'

/** Parses `0.37.0`, `v0.37.0`, `0.38` or `1723456789:0.38.27`; anything else means the current version. */
export function parseVersion (raw: string | undefined): Version {
  const m = (raw ?? '').trim().match(/^(?:\d+:)?v?(\d+)\.(\d+)(?:\.(\d+))?/)
  if (!m) return parseVersion(CURRENT_VERSION)
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)]
}

export function compareVersions (a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]! ? -1 : 1
  }
  return 0
}

/** True when `v` is `min` or newer. */
export function atLeast (v: Version, min: string): boolean {
  return compareVersions(v, parseVersion(min)) >= 0
}

export function versionString (v: Version): string {
  return v.join('.')
}
