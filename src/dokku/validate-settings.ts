import { InvalidArgumentError } from './errors.js'
import { validateProcessType } from './validate.js'

/**
 * Validators for the app settings (ports, proxy, checks, resources, storage, nginx, ps:set,
 * builder, buildpacks, docker-options, cron, maintenance, http-auth). Each throws
 * InvalidArgumentError (field + a sentence for people) before anything runs.
 *
 * Where dokku validates a value, these follow its rule or a stricter one; where it validates
 * nothing (nginx:set, resource values, http-auth users and IPs, docker options) Docklight's rule
 * is strict on purpose: those values end up in nginx.conf, in docker's argv or, before dokku
 * 0.38.25, in a shell `eval` on the host (dokku-reference/app-settings.md §7.2, §8.4, §13.4).
 * Shared rules on every text: not empty, bounded, no control character (newlines), never a
 * leading `-`.
 */

export const SETTINGS_LIMITS = {
  /** Port mappings in one ports:add/set. */
  portMaps: 20,
  processTypes: 20,
  path: 255,
  buildpackUrl: 500,
  dockerOption: 500,
  authUser: 64,
  authPassword: 128,
  cronId: 256,
  /** Longest value any nginx key may take (a path or a size). */
  nginxValue: 255
} as const

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

function text (value: unknown, field: string, what: string, max: number): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(field, `${what} is required`)
  if (value.length > max) throw new InvalidArgumentError(field, `${what} is too long (at most ${max} characters)`)
  if (CONTROL.test(value)) throw new InvalidArgumentError(field, `${what} must not contain control characters or line breaks`)
  if (value.startsWith('-')) throw new InvalidArgumentError(field, `${what} must not start with "-"`)
  return value
}

function oneOf<T extends string> (value: unknown, field: string, what: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(field, `${what} must be one of ${allowed.join(', ')}`)
  }
  return value as T
}

function integer (value: unknown, field: string, what: string, min: number, max: number): number {
  const raw = typeof value === 'number' ? String(value) : value
  if (typeof raw !== 'string' || !/^\d{1,9}$/.test(raw.trim())) throw new InvalidArgumentError(field, `${what} must be a whole number from ${min} to ${max}`)
  const n = Number(raw.trim())
  if (n < min || n > max) throw new InvalidArgumentError(field, `${what} must be a whole number from ${min} to ${max}`)
  return n
}

// ---- ports and proxy (app-settings.md §1.2, §2.2) -----------------------------------------------

export const PORT_SCHEMES = ['http', 'https', 'grpc', 'grpcs', 'udp', 'tcp'] as const
export type PortScheme = typeof PORT_SCHEMES[number]

export interface PortMap {
  scheme: string
  hostPort: number
  containerPort: number
}

const PORT_MAP = /^([a-z]+):(\d{1,5}):(\d{1,5})$/

function port (raw: string, field: string, what: string): number {
  const n = Number(raw)
  if (!/^[1-9]\d{0,4}$/.test(raw) || n > 65535) throw new InvalidArgumentError(field, `${what} must be a number from 1 to 65535`)
  return n
}

/** `scheme:host-port:container-port`, the scheme one nginx or dokku knows, both ports 1–65535. */
export function validatePortMap (value: unknown, field = 'map'): string {
  const map = text(value, field, 'Port mapping', 40)
  const m = map.match(PORT_MAP)
  if (!m) throw new InvalidArgumentError(field, 'A port mapping is scheme:host-port:container-port, for example http:80:5000')
  const scheme = oneOf(m[1], field, 'The scheme', PORT_SCHEMES)
  return `${scheme}:${port(m[2]!, field, 'The host port')}:${port(m[3]!, field, 'The container port')}`
}

/**
 * Several mappings for ports:add/set: each valid, and no `scheme:host-port` twice (dokku's
 * "The same scheme:host-port is being reused"; `http:80` and `https:80` may coexist).
 */
export function validatePortMaps (values: readonly unknown[], field = 'map'): string[] {
  if (values.length === 0) throw new InvalidArgumentError(field, 'Give at least one port mapping')
  if (values.length > SETTINGS_LIMITS.portMaps) throw new InvalidArgumentError(field, `At most ${SETTINGS_LIMITS.portMaps} port mappings at a time`)
  const maps = values.map((v) => validatePortMap(v, field))
  const seen = new Set<string>()
  for (const map of maps) {
    const key = map.slice(0, map.lastIndexOf(':'))
    if (seen.has(key)) throw new InvalidArgumentError(field, `The same scheme:host-port is given twice: ${key}`)
    seen.add(key)
  }
  return maps
}

/**
 * What ports:remove takes: a whole mapping, or a bare host port (every mapping on it). Never
 * `http:80`, which dokku refuses (`Invalid port map http:80 [len=2]`).
 */
export function validatePortRemoval (value: unknown, field = 'map'): string {
  const raw = text(value, field, 'Port mapping', 40)
  if (/^\d+$/.test(raw)) return String(port(raw, field, 'The host port'))
  return validatePortMap(raw, field)
}

export const PROXY_TYPES = ['nginx', 'openresty', 'caddy', 'haproxy', 'traefik'] as const
export type ProxyType = typeof PROXY_TYPES[number]

export function validateProxyType (value: unknown, field = 'type'): ProxyType {
  return oneOf(value, field, 'The proxy', PROXY_TYPES)
}

// ---- process types, checks --------------------------------------------------------------------

/**
 * A list of process types (`web,worker` or `web worker`), each a Procfile name, de-duplicated.
 * dokku does not check them against the Procfile, and keeps spaces (" worker"): we never send any.
 */
export function validateProcessTypes (value: unknown, field = 'process'): string[] {
  if (typeof value !== 'string' && !Array.isArray(value)) throw new InvalidArgumentError(field, 'Give process types, such as web or web,worker')
  const parts = (Array.isArray(value) ? value : String(value).split(/[\s,]+/)).filter((p) => p !== '')
  if (parts.length === 0) throw new InvalidArgumentError(field, 'Give at least one process type')
  if (parts.length > SETTINGS_LIMITS.processTypes) throw new InvalidArgumentError(field, `At most ${SETTINGS_LIMITS.processTypes} process types`)
  return [...new Set(parts.map((p) => validateProcessType(p, field)))]
}

/** checks:set wait-to-retire: seconds an old container lives on after a deploy. */
export function validateWaitToRetire (value: unknown, field = 'wait_to_retire'): number {
  return integer(value, field, 'Wait to retire', 1, 86400)
}

// ---- resources (§6) ---------------------------------------------------------------------------

export const RESOURCE_KEYS = ['cpu', 'memory', 'memory-swap', 'network', 'network-ingress', 'network-egress', 'nvidia-gpu'] as const
export type ResourceKey = typeof RESOURCE_KEYS[number]

/** `_default_` (every process type), `build` (the build container, 0.38.0+) or a Procfile type. */
export function validateResourceProcessType (value: unknown, field = 'process'): string {
  if (value === '_default_') return value
  return validateProcessType(value, field)
}

const RESOURCE_RULES: Record<ResourceKey, { docker: RegExp, k3s: RegExp, hint: string, hintK3s?: string }> = {
  cpu: { docker: /^\d{1,4}(\.\d{1,3})?$/, k3s: /^(\d{1,4}(\.\d{1,3})?|\d{1,6}m)$/, hint: 'a number of CPUs, such as 1 or 0.5', hintK3s: 'a number of CPUs (0.5) or millicores (500m)' },
  // docker-local appends `m` to a bare number; `512Mi` there becomes `512Mim` and breaks the deploy.
  memory: { docker: /^\d{1,9}(b|k|m|g|B|KB|MB|GB)?$/, k3s: /^\d{1,9}(Ki|Mi|Gi)$/, hint: 'a size such as 512m or 1g', hintK3s: 'a size such as 512Mi or 1Gi' },
  'memory-swap': { docker: /^\d{1,9}(b|k|m|g|B|KB|MB|GB)?$/, k3s: /^\d{1,9}(Ki|Mi|Gi)$/, hint: 'a size such as 1g', hintK3s: 'a size such as 1Gi' },
  network: { docker: /^\d{1,9}(\.\d{1,3})?[A-Za-z]{0,6}$/, k3s: /^\d{1,9}(\.\d{1,3})?[A-Za-z]{0,6}$/, hint: 'a rate such as 100mbit' },
  'network-ingress': { docker: /^\d{1,9}(\.\d{1,3})?[A-Za-z]{0,6}$/, k3s: /^\d{1,9}(\.\d{1,3})?[A-Za-z]{0,6}$/, hint: 'a rate such as 100mbit' },
  'network-egress': { docker: /^\d{1,9}(\.\d{1,3})?[A-Za-z]{0,6}$/, k3s: /^\d{1,9}(\.\d{1,3})?[A-Za-z]{0,6}$/, hint: 'a rate such as 100mbit' },
  'nvidia-gpu': { docker: /^(\d{1,3}|all)$/, k3s: /^\d{1,3}$/, hint: 'a number of GPUs, or all', hintK3s: 'a number of GPUs' }
}

/**
 * A resource value. dokku stores any string and, before 0.38.25, printed it unquoted into a
 * shell `eval`; these patterns admit only numbers with a unit. The memory units follow the
 * scheduler: docker-local's (`512m`) or Kubernetes' (`512Mi`).
 */
export function validateResourceValue (key: ResourceKey, value: unknown, scheduler: 'docker-local' | 'k3s' = 'docker-local', field: string = key): string {
  const v = text(value, field, `The ${key} value`, 20)
  const rule = RESOURCE_RULES[key]
  const k3s = scheduler === 'k3s'
  if (!(k3s ? rule.k3s : rule.docker).test(v)) {
    throw new InvalidArgumentError(field, `The ${key} value must be ${k3s ? rule.hintK3s ?? rule.hint : rule.hint}`)
  }
  return v
}

// ---- storage (§5.2) ---------------------------------------------------------------------------

const SAFE_PATH = /^\/[A-Za-z0-9._/-]*$/

function absolutePath (value: unknown, field: string, what: string): string {
  const path = text(value, field, what, SETTINGS_LIMITS.path)
  if (!path.startsWith('/')) throw new InvalidArgumentError(field, `${what} must be absolute (start with /)`)
  if (!SAFE_PATH.test(path)) throw new InvalidArgumentError(field, `${what} may only contain letters, digits, ".", "_", "-" and "/"`)
  if (path.split('/').includes('..')) throw new InvalidArgumentError(field, `${what} must not contain ".."`)
  return path.length > 1 ? path.replace(/\/+$/, '') : path
}

const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]+$/

/** The host side of a mount: an absolute host path, or a docker volume name (2+ characters, dokku's rule). */
export function validateMountSource (value: unknown, field = 'host_path'): string {
  if (typeof value === 'string' && value !== '' && !value.startsWith('/')) {
    const volume = text(value, field, 'Volume name', 100)
    if (!VOLUME_NAME.test(volume) || volume.includes('..')) {
      throw new InvalidArgumentError(field, 'Give an absolute host path (/var/lib/dokku/data/storage/…) or a docker volume name of two or more letters, digits, "_", "." or "-"')
    }
    return volume
  }
  return absolutePath(value, field, 'The host path')
}

export function validateContainerPath (value: unknown, field = 'container_path'): string {
  const path = absolutePath(value, field, 'The container path')
  if (path === '/') throw new InvalidArgumentError(field, 'The container path cannot be / itself')
  return path
}

export const MOUNT_OPTIONS = ['ro', 'rw', 'z', 'Z', 'shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate', 'nocopy', 'consistent', 'cached', 'delegated'] as const

/** docker's bind-mount options, comma-separated, from a fixed list (dokku keeps any text). */
export function validateMountOptions (value: unknown, field = 'options'): string[] {
  if (value === undefined || value === null || value === '') return []
  if (typeof value !== 'string' || value.length > 100) throw new InvalidArgumentError(field, 'Mount options are a comma-separated list, such as ro')
  const parts = value.split(',').map((p) => p.trim()).filter((p) => p !== '')
  for (const p of parts) {
    if (!(MOUNT_OPTIONS as readonly string[]).includes(p)) throw new InvalidArgumentError(field, `Unknown mount option "${p.slice(0, 20)}"; known: ${MOUNT_OPTIONS.join(', ')}`)
  }
  return [...new Set(parts)]
}

/** A mount in dokku's colon form, every part checked: `/host:/container[:ro]`. */
export function validateMount (source: unknown, container: unknown, options?: unknown): string {
  const parts = [validateMountSource(source), validateContainerPath(container)]
  const opts = validateMountOptions(options)
  if (opts.length > 0) parts.push(opts.join(','))
  return parts.join(':')
}

/** A mount string as dokku lists it (`/host:/container[:opts]`), checked part by part. */
export function validateMountString (value: unknown, field = 'mount'): string {
  const raw = text(value, field, 'The mount', SETTINGS_LIMITS.path * 2 + 100)
  const [source, container, options, ...rest] = raw.split(':')
  if (rest.length > 0 || container === undefined) throw new InvalidArgumentError(field, 'A mount is host-path:container-path[:options]')
  return validateMount(source, container, options)
}

/** storage:ensure-directory's name: dokku's `^[A-Za-z0-9_-]+$`, created under /var/lib/dokku/data/storage. */
export function validateStorageDirectory (value: unknown, field = 'directory'): string {
  const name = text(value, field, 'The directory name', 100)
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new InvalidArgumentError(field, 'The directory name may only contain letters, digits, "_" and "-"')
  return name
}

/** A named storage entry (0.38.0+): a DNS-1123 label of at most 45 characters (dokku's rule). */
export function validateStorageEntry (value: unknown, field = 'entry'): string {
  const name = text(value, field, 'The storage entry', 45)
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name)) throw new InvalidArgumentError(field, 'A storage entry name is lower-case letters, digits and "-"')
  return name
}

/**
 * A docker option as dokku listed it, to remove it again: one printable flag (short or long).
 * Only sent to a dokku that no longer evaluates options (0.38.25+).
 */
export function validateListedDockerOption (value: unknown, field = 'option'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(field, 'The docker option is required')
  const option = value.trim()
  if (option.length > SETTINGS_LIMITS.dockerOption) throw new InvalidArgumentError(field, `The docker option is too long (at most ${SETTINGS_LIMITS.dockerOption} characters)`)
  if (CONTROL.test(option)) throw new InvalidArgumentError(field, 'The docker option must not contain control characters or line breaks')
  if (!/^--?[A-Za-z]/.test(option)) throw new InvalidArgumentError(field, 'A docker option starts with - or --')
  if (/^--(process|help|version)\b/.test(option) || /^-[neE]+$/.test(option)) throw new InvalidArgumentError(field, `${option.split(/[= ]/)[0]} cannot be given as a docker option`)
  return option
}

export const CHOWN_NAMES = ['herokuish', 'heroku', 'paketo', 'root', 'false'] as const

/** `--chown`: a builder's user or a uid 0–65535 (numeric since 0.38.22; `paketo` since 0.35.17). */
export function validateChown (value: unknown, field = 'chown'): string {
  const v = text(value, field, 'The owner', 10)
  if ((CHOWN_NAMES as readonly string[]).includes(v)) return v
  if (/^\d{1,5}$/.test(v) && Number(v) <= 65535) return String(Number(v))
  throw new InvalidArgumentError(field, `The owner must be one of ${CHOWN_NAMES.join(', ')} or a uid from 0 to 65535`)
}

// ---- nginx (§7.2: dokku validates nothing) --------------------------------------------------------

export type NginxKind = 'size' | 'time' | 'bool' | 'seconds' | 'log-path'

/** The keys the Nginx section edits, and the shape each value must have. */
export const NGINX_KEYS = {
  'client-max-body-size': 'size',
  'proxy-read-timeout': 'time',
  'proxy-send-timeout': 'time',
  'proxy-connect-timeout': 'time',
  hsts: 'bool',
  'hsts-include-subdomains': 'bool',
  'hsts-preload': 'bool',
  'hsts-max-age': 'seconds',
  'access-log-path': 'log-path',
  'error-log-path': 'log-path'
} as const satisfies Record<string, NginxKind>
export type NginxKey = keyof typeof NGINX_KEYS

export function validateNginxKey (value: unknown, field = 'key'): NginxKey {
  return oneOf(value, field, 'The nginx setting', Object.keys(NGINX_KEYS) as NginxKey[])
}

/**
 * An nginx value: rendered verbatim into nginx.conf by dokku, so a `;`, `{` or newline would
 * inject directives. Sizes `10m`, times `60s`, booleans, digits, or a log path (`off` turns the
 * log off).
 */
export function validateNginxValue (key: NginxKey, value: unknown, field: string = key): string {
  const v = text(value, field, `The ${key} value`, SETTINGS_LIMITS.nginxValue)
  switch (NGINX_KEYS[key]) {
    case 'size':
      if (!/^\d{1,6}[kKmMgG]?$/.test(v)) throw new InvalidArgumentError(field, `The ${key} value must be a size such as 10m, 512k or 1g (0 for no limit)`)
      return v
    case 'time':
      if (!/^\d{1,6}(ms|s|m|h|d)?$/.test(v)) throw new InvalidArgumentError(field, `The ${key} value must be a time such as 60s, 5m or 1h`)
      return v
    case 'bool':
      return oneOf(v, field, `The ${key} value`, ['true', 'false'])
    case 'seconds':
      if (!/^\d{1,10}$/.test(v)) throw new InvalidArgumentError(field, `The ${key} value must be a number of seconds`)
      return v
    case 'log-path':
      if (v === 'off') return v
      return absolutePath(v, field, `The ${key} value`)
  }
}

// ---- ps:set (§11.4) -----------------------------------------------------------------------------

/** dokku's rule: `no`, `always`, `unless-stopped`, `on-failure` or `on-failure:<n>` (we want n a number). */
export function validateRestartPolicy (value: unknown, field = 'restart_policy'): string {
  const v = text(value, field, 'The restart policy', 20)
  if (!/^(no|always|unless-stopped|on-failure(:[1-9]\d{0,3})?)$/.test(v)) {
    throw new InvalidArgumentError(field, 'The restart policy must be no, always, unless-stopped, on-failure or on-failure:N (N retries)')
  }
  return v
}

/** A path inside the app's repository: relative, no `..`. */
export function validateRepoPath (value: unknown, field: string, what: string): string {
  const path = text(value, field, what, SETTINGS_LIMITS.path)
  if (path.startsWith('/')) throw new InvalidArgumentError(field, `${what} is relative to the repository: it must not start with /`)
  if (!/^[A-Za-z0-9._/-]+$/.test(path)) throw new InvalidArgumentError(field, `${what} may only contain letters, digits, ".", "_", "-" and "/"`)
  if (path.split('/').includes('..')) throw new InvalidArgumentError(field, `${what} must not contain ".."`)
  return path
}

/** ps:set stop-timeout-seconds (dokku takes any text; docker wants seconds). */
export function validateStopTimeout (value: unknown, field = 'stop_timeout_seconds'): number {
  return integer(value, field, 'The stop timeout', 1, 3600)
}

// ---- builder and buildpacks (§10) -----------------------------------------------------------------

export const BUILDERS = ['herokuish', 'dockerfile', 'pack', 'nixpacks', 'railpack', 'lambda', 'null'] as const
export type Builder = typeof BUILDERS[number]

export function validateBuilder (value: unknown, field = 'builder'): Builder {
  return oneOf(value, field, 'The builder', BUILDERS)
}

// https://host[:port]/path[.git][#ref], git://…, git@host:owner/repo.git, or owner/name shorthand.
const BUILDPACK_URL = /^(?:(?:https?|git):\/\/[A-Za-z0-9.-]+(?::\d{1,5})?\/[A-Za-z0-9._~/-]+|git@[A-Za-z0-9.-]+:[A-Za-z0-9._~/-]+)(?:#[A-Za-z0-9._/-]+)?$/
const BUILDPACK_SHORTHAND = /^[A-Za-z0-9][A-Za-z0-9_.-]*\/[A-Za-z0-9][A-Za-z0-9_.-]*$/

/**
 * A buildpack: a URL dokku accepts (`validBuildpackURL`), or the `owner/name` shorthand that
 * dokku turns into `https://github.com/<owner>/heroku-buildpack-<name>.git`.
 */
export function validateBuildpackUrl (value: unknown, field = 'buildpack'): string {
  const url = text(value, field, 'The buildpack', SETTINGS_LIMITS.buildpackUrl)
  if (url.includes('..')) throw new InvalidArgumentError(field, 'The buildpack must not contain ".."')
  if (!BUILDPACK_URL.test(url) && !BUILDPACK_SHORTHAND.test(url)) {
    throw new InvalidArgumentError(field, 'The buildpack must be an https:// or git URL (optionally with #ref), or owner/name')
  }
  return url
}

/** A 1-based position in the buildpack list. */
export function validateBuildpackIndex (value: unknown, field = 'index'): number {
  return integer(value, field, 'The position', 1, 100)
}

// ---- docker-options (§8) --------------------------------------------------------------------------

export const DOCKER_PHASES = ['build', 'deploy', 'run'] as const
export type DockerPhase = typeof DOCKER_PHASES[number]

export function validateDockerPhase (value: unknown, field = 'phase'): DockerPhase {
  return oneOf(value, field, 'The phase', DOCKER_PHASES)
}

// A long docker flag, then `=value` or ` value`; values without shell quoting or expansion
// characters (dokku tokenizes them as shell words since 0.38.0 and eval'd them before 0.38.25).
const DOCKER_OPTION = /^--[a-z][a-z0-9-]*(?:[= ][A-Za-z0-9@%+=:,./_-]+)?$/

/**
 * One docker option, sent as one argv word. Only long flags with plain values: no quotes, `$`,
 * backticks, `;`, `|`, `&`, redirects, globs or newlines, and never `--process` (dokku lifts it
 * out of the option text and applies it).
 */
export function validateDockerOption (value: unknown, field = 'option'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(field, 'The docker option is required')
  const option = value.trim()
  if (option.length > SETTINGS_LIMITS.dockerOption) throw new InvalidArgumentError(field, `The docker option is too long (at most ${SETTINGS_LIMITS.dockerOption} characters)`)
  if (CONTROL.test(option)) throw new InvalidArgumentError(field, 'The docker option must not contain control characters or line breaks')
  if (!DOCKER_OPTION.test(option)) {
    throw new InvalidArgumentError(field, 'Give one long docker flag with a plain value, such as --ulimit nofile=1024 or --shm-size=256m (no quotes, $, `, ;, |, &, <, >, *, ?)')
  }
  if (/^--(process|help|version)\b/.test(option)) throw new InvalidArgumentError(field, `${option.split(/[= ]/)[0]} cannot be given as a docker option`)
  return option
}

// ---- cron (§4.2) ----------------------------------------------------------------------------------

/** A cron task id: lower-case base36 (since 0.29.0). */
export function validateCronId (value: unknown, field = 'id'): string {
  const id = text(value, field, 'The task id', SETTINGS_LIMITS.cronId)
  if (!/^[a-z0-9]+$/.test(id)) throw new InvalidArgumentError(field, 'A task id is lower-case letters and digits, as cron:list prints it')
  return id
}

// ---- http-auth (§13.4: the plugin validates nothing) -----------------------------------------------

/** Put into a sed regex by the plugin: letters, digits, `_` and `-` only (no `.`). */
export function validateAuthUser (value: unknown, field = 'user'): string {
  const user = text(value, field, 'The user name', SETTINGS_LIMITS.authUser)
  if (!/^[A-Za-z0-9_-]+$/.test(user)) throw new InvalidArgumentError(field, 'The user name may only contain letters, digits, "_" and "-"')
  return user
}

/**
 * A password for `mkpasswd -m sha-512 "<password>"` on the host: printable, 8–128 characters,
 * not starting with `-` (mkpasswd would read an option). It travels as one argv word and is
 * never stored or shown.
 */
export function validateAuthPassword (value: unknown, field = 'password'): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(field, 'The password is required')
  if (value.length < 8) throw new InvalidArgumentError(field, 'The password must have at least 8 characters')
  if (value.length > SETTINGS_LIMITS.authPassword) throw new InvalidArgumentError(field, `The password is too long (at most ${SETTINGS_LIMITS.authPassword} characters)`)
  if (CONTROL.test(value)) throw new InvalidArgumentError(field, 'The password must not contain control characters or line breaks')
  if (value.startsWith('-')) throw new InvalidArgumentError(field, 'The password must not start with "-"')
  if (value.trim() !== value) throw new InvalidArgumentError(field, 'The password must not start or end with a space')
  return value
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

function isIpv6 (s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return false
  const halves = s.split('::')
  if (halves.length > 2) return false
  const groups = (part: string) => (part === '' ? [] : part.split(':'))
  const left = groups(halves[0]!)
  const right = halves.length === 2 ? groups(halves[1]!) : []
  const all = [...left, ...right]
  const last = all[all.length - 1]
  const v4Tail = last !== undefined && last.includes('.') ? IPV4.test(last) : false
  const hex = v4Tail ? all.slice(0, -1) : all
  if (!hex.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false
  const count = hex.length + (v4Tail ? 2 : 0)
  return halves.length === 2 ? count < 8 : count === 8
}

/**
 * An IPv4 or IPv6 address, or a CIDR block. Written verbatim into `allow …;` by the plugin, so
 * anything else (a `;`, a space) would inject nginx directives.
 */
export function validateIpOrCidr (value: unknown, field = 'ip'): string {
  const raw = text(value, field, 'The address', 64)
  const [addr, prefix, ...rest] = raw.split('/')
  const v4 = IPV4.test(addr!)
  const v6 = !v4 && isIpv6(addr!)
  const max = v4 ? 32 : 128
  const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= max)
  if (rest.length > 0 || (!v4 && !v6) || !prefixOk) {
    throw new InvalidArgumentError(field, 'Give an IPv4 or IPv6 address, or a CIDR block such as 10.0.0.0/8')
  }
  return raw
}
