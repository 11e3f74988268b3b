import { parseVersion, versionAtLeast, type DokkuVersion } from '../parsers/version.js'
import { TIMEOUTS, type CommandSpec, type ReportFormat } from './spec.js'

/** First dokku release with each output feature (dokku-reference/README.md, version matrix). */
export const FEATURES = {
  /** `--format json` on Go reports: apps, ps (keys stripped of `<plugin>-` only since 0.38.8). */
  goReportJson: '0.23.1',
  /** `--format json` on the bash-era reports: domains, certs. */
  bashReportJson: '0.38.0',
  appsListJson: '0.38.21',
  psScaleJson: '0.38.21',
  pluginListJson: '0.38.22',
  // Deploys (deploys.md): the git plugin's deploy commands, build records, git:report JSON.
  gitSync: '0.23.0',
  gitFromImage: '0.24.0',
  gitFromArchive: '0.24.0',
  gitSyncBuildIfChanges: '0.34.0',
  gitReportJson: '0.38.0',
  builds: '0.38.0'
} as const

export type Feature = keyof typeof FEATURES

export function supports (version: DokkuVersion, feature: Feature): boolean {
  return versionAtLeast(version, FEATURES[feature])
}

export function reportFormat (version: DokkuVersion, feature: Feature): ReportFormat {
  return supports(version, feature) ? 'json' : 'text'
}

/** `dokku version` → `dokku version 0.38.27`. */
export function versionCommand (): CommandSpec<DokkuVersion> {
  return { args: ['version'], kind: 'read', timeoutMs: TIMEOUTS.read, parse: ({ stdout }) => parseVersion(stdout) }
}
