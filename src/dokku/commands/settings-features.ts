/**
 * First dokku releases of the settings commands and layouts this layer chooses between
 * (dokku-reference/app-settings.md, version quick-reference §15; `git tag --contains`).
 * The Go reports' JSON (`goReportJson`) and the bash-era reports' JSON (`bashReportJson`) are in
 * ./version.ts.
 */
export const SETTINGS_FEATURES = {
  /** The ports plugin (Go, so `ports:report --format json` from the start); `proxy:ports*` before. */
  portsPlugin: '0.31.0',
  /** `proxy:set <app> type <t>`; before it the type was the second argument. */
  proxySetTypeKey: '0.38.0',
  /** `storage:list --format json`. */
  storageListJson: '0.29.3',
  storageEnsureDirectory: '0.25.5',
  /** The builder plugin (`builder:report`, `builder:set`). */
  builderPlugin: '0.24.0',
  /** `buildpacks:set --replace`: the whole list in one atomic call. */
  buildpacksReplace: '0.38.22',
  /** The Go docker-options plugin: `--format json`, `--process`. */
  dockerOptionsGo: '0.38.0',
  /** Docker options no longer go through a shell `eval` on the host (Security, PR #8848). */
  dockerOptionsNoEval: '0.38.25',
  /** `ps:set <app> stop-timeout-seconds`. */
  psStopTimeout: '0.36.0',
  /** `restart-policy` became a property that an empty value unsets (a docker option before). */
  psRestartPolicyProperty: '0.38.9',
  /** `cron:list --format json` and `cron:run`. */
  cronListJson: '0.31.0',
  cronRun: '0.31.0',
  /** `cron:suspend`, `cron:resume`, the Concurrency column. */
  cronSuspend: '0.37.0',
  /** `resource:* --process-type build`: limits on the build container. */
  resourceBuild: '0.38.0'
} as const

export type SettingsFeature = keyof typeof SETTINGS_FEATURES
