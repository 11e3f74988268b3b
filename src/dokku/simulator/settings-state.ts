/**
 * The simulator's state for the app settings plugins (ports, proxy, checks, resource, storage,
 * nginx, builder, buildpacks, docker-options, cron, maintenance, http-auth). All optional, so
 * state files written before these plugins existed still load: absent means nothing set.
 */
import type { AppState, SimState } from './state.js'

/** One legacy (colon-form) mount: `host:container[:options]`. */
export interface SimMount {
  host: string
  container: string
  readonly: boolean
  /** Docker volume options other than `ro`, in the order given. */
  options: string[]
}

/** One task of the app.json the last deploy stored (`cron` array). */
export interface SimCronTask {
  command: string
  schedule: string
  /** `allow` (default), `forbid`, `replace`. */
  concurrency?: string
  /** app.json `maintenance: true`. */
  maintenance?: boolean
  /** What a run prints (the container's output), one line each. */
  output?: string[]
  /** The task exits non-zero when run. */
  fails?: boolean
}

export interface SimDockerOptions {
  build: string[]
  deploy: string[]
  run: string[]
  /** Deploy options of one process type (`--process`). */
  process: Record<string, string[]>
}

export interface SimAppSettings {
  /** Configured maps (`ports:set/add`), sorted strings `scheme:host:container`. */
  ports?: string[]
  /** Maps written at the last deploy (Dockerfile EXPOSE); absent: the default `http:80:5000`. */
  portsDetected?: string[]
  /** proxy properties: `type`, `disabled`, `proxy-port`, `proxy-ssl-port`. */
  proxy?: Record<string, string>
  /** checks properties: `disabled`, `skipped`, `wait-to-retire`. */
  checks?: Record<string, string>
  /** resource properties: `<proctype>.<limit|reserve>.<key>`. */
  resource?: Record<string, string>
  storage?: SimMount[]
  nginx?: Record<string, string>
  /** builder properties: `selected`, `build-dir`, `skip-cleanup`. */
  builder?: Record<string, string>
  /** builder-dockerfile properties: `dockerfile-path`. */
  dockerfile?: Record<string, string>
  buildpacks?: string[]
  dockerOptions?: SimDockerOptions
  cron?: SimCronTask[]
  /** cron properties: `maintenance`, `maintenance.<id>`. */
  cronProps?: Record<string, string>
  maintenance?: boolean
  httpAuth?: { enabled: boolean, users: string[], allowedIps: string[] }
}

/** Global properties of the same plugins (`<plugin>:set --global`). */
export type SimGlobalSettings = Partial<Record<'proxy' | 'checks' | 'nginx' | 'builder' | 'dockerfile' | 'cron', Record<string, string>>>

/** The app's settings, made on first use. */
export function settingsOf (a: AppState): SimAppSettings {
  a.settings ??= {}
  return a.settings
}

export function globalSettings (s: SimState): SimGlobalSettings {
  s.global.settings ??= {}
  return s.global.settings
}

/** A global property, or '' when unset. */
export function globalProp (s: SimState, plugin: keyof SimGlobalSettings, key: string): string {
  return s.global.settings?.[plugin]?.[key] ?? ''
}

/** Whether a third-party plugin (`maintenance`, `http-auth`) is installed and enabled. */
export function pluginInstalled (s: SimState, name: string): boolean {
  return s.plugins.some((p) => p.name === name && p.enabled)
}
