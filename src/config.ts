import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { isAbsolute, join, resolve } from 'node:path'

/** Where one Dokku host's dokku runs. */
export type HostTarget =
  | { kind: 'local'; bin: string }
  | { kind: 'ssh'; user: string; host: string; port: number }
  /** The bundled simulator (demo mode), on its own state file, seeded as `seed`. */
  | { kind: 'demo'; seed: 'a' | 'b' }

export interface HostConfig {
  /** `^[a-z0-9][a-z0-9-]{0,30}$`: it appears in URLs (`/hosts/:host/…`) and history. */
  name: string
  target: HostTarget
}

export const HOST_NAME = /^[a-z0-9][a-z0-9-]{0,30}$/

/** Everything Docklight reads from the environment, validated once at boot. */
export interface Config {
  password: string
  /** JWT signing secret; from DOCKLIGHT_SECRET or generated once into the data dir. */
  secret: string
  port: number
  host: string
  production: boolean
  /**
   * NODE_ENV=development: templates are read again on every render and static files are not
   * cached, for editing them live. Anything else compiles each template once (a plain-HTTP
   * install cannot set `production`, whose cookie is Secure, and should not pay for that).
   */
  development: boolean
  dataDir: string
  dokkuBin: string
  /** `dokku@host[:port]` when the SSH transport is used. */
  dokkuSsh: { user: string; host: string; port: number } | null
  demo: boolean
  /** Set when the password was generated for demo mode, so the server can print it once. */
  generatedPassword: boolean
  /** Fastify's trustProxy: which proxies may tell us the client's address (X-Forwarded-For). */
  trustProxy: boolean | number | string[]
  /** History retention: rows older than this many days, or beyond this many rows, are pruned. */
  historyDays: number
  historyMaxRows: number
  /** After SIGTERM, running jobs may finish for this long before they are cancelled. */
  shutdownGraceMs: number
  /** The Dokku hosts, the first being the default (unprefixed URLs). Never empty. */
  hosts: HostConfig[]
  /** How often the watchdog checks each host. */
  watchIntervalMs: number
  /**
   * Where users and webhooks reach Docklight (`https://docklight.example.com`, no trailing
   * slash): shown in webhook setup and used in notifications. Null: derived from the request.
   */
  publicUrl: string | null
}

/** A bad environment variable: the message names it, and the server stops with it. */
export class ConfigError extends Error {
  constructor (readonly variable: string, message: string) {
    super(`${variable}: ${message}`)
    this.name = 'ConfigError'
  }
}

type Env = Record<string, string | undefined>

const SECRET_FILE = 'session-secret'
const MIN_SECRET_LENGTH = 32

function parsePort (env: Env): number {
  const raw = env.PORT || '3001'
  // 0 asks the system for a free port (tests); the server prints the one it got.
  if (!/^\d{1,5}$/.test(raw) || Number(raw) > 65535) {
    throw new ConfigError('PORT', `must be a port number from 0 to 65535, got "${raw}"`)
  }
  return Number(raw)
}

function parseHost (env: Env): string {
  const host = env.HOST ?? '0.0.0.0'
  if (!/^[A-Za-z0-9.:[\]-]{1,255}$/.test(host)) {
    throw new ConfigError('HOST', `must be an IP address or host name, got "${host}"`)
  }
  return host
}

/** `user@host[:port]`, or null when it is not one. */
function sshTarget (raw: string): { user: string; host: string; port: number } | null {
  const m = raw.match(/^([a-z_][a-z0-9_-]{0,31})@([A-Za-z0-9.-]{1,253}|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?$/)
  const port = m?.[3] === undefined ? 22 : Number(m[3])
  if (!m || port < 1 || port > 65535 || m[2]!.startsWith('-')) return null
  return { user: m[1]!, host: m[2]!.replace(/^\[|\]$/g, ''), port }
}

function parseSsh (env: Env): Config['dokkuSsh'] {
  const raw = env.DOCKLIGHT_DOKKU_SSH
  if (raw === undefined || raw === '') return null
  const target = sshTarget(raw)
  if (!target) throw new ConfigError('DOCKLIGHT_DOKKU_SSH', `must look like dokku@host or dokku@host:port, got "${raw}"`)
  return target
}

/**
 * `DOCKLIGHT_HOSTS`: `name=target` entries separated by spaces or commas, target `local`,
 * `local:/path/to/dokku` or `dokku@host[:port]`. Unset: one host named `local`, the local
 * binary or the `DOCKLIGHT_DOKKU_SSH` target; in demo mode, two simulated hosts.
 */
function parseHosts (env: Env, demo: boolean, dokkuBin: string, dokkuSsh: Config['dokkuSsh']): HostConfig[] {
  const raw = (env.DOCKLIGHT_HOSTS ?? '').trim()
  if (raw === '') {
    if (demo) return [{ name: 'demo-a', target: { kind: 'demo', seed: 'a' } }, { name: 'demo-b', target: { kind: 'demo', seed: 'b' } }]
    return [{ name: 'local', target: dokkuSsh ? { kind: 'ssh', ...dokkuSsh } : { kind: 'local', bin: dokkuBin } }]
  }
  const fail = (why: string): never => {
    throw new ConfigError('DOCKLIGHT_HOSTS', `${why}; the format is "name=local name=local:/path/to/dokku name=dokku@host:port"`)
  }
  const hosts: HostConfig[] = []
  const entries = raw.split(/[\s,]+/).filter((e) => e !== '')
  if (entries.length > 50) fail(`at most 50 hosts, got ${entries.length}`)
  for (const entry of entries) {
    const eq = entry.indexOf('=')
    if (eq === -1) fail(`"${entry}" has no "="`)
    const name = entry.slice(0, eq)
    const value = entry.slice(eq + 1)
    if (!HOST_NAME.test(name)) fail(`host name "${name}" must be lowercase letters, digits and "-", starting with a letter or digit, at most 31 characters`)
    if (hosts.some((h) => h.name === name)) fail(`host "${name}" is listed twice`)
    if (name === 'hosts') fail('"hosts" cannot be a host name')
    let target: HostTarget
    if (demo) target = { kind: 'demo', seed: hosts.length % 2 === 0 ? 'a' : 'b' }
    else if (value === 'local') target = { kind: 'local', bin: dokkuBin }
    else if (value.startsWith('local:')) {
      const bin = value.slice('local:'.length)
      if (!isAbsolute(bin) || /[\0\n]/.test(bin)) fail(`"${entry}": the dokku path must be absolute`)
      target = { kind: 'local', bin }
    } else {
      const ssh = sshTarget(value)
      if (!ssh) fail(`"${entry}": the target must be local, local:/path or user@host[:port]`)
      target = { kind: 'ssh', ...ssh! }
    }
    hosts.push({ name, target })
  }
  return hosts
}

function parseBin (env: Env): string {
  const bin = env.DOCKLIGHT_DOKKU_BIN ?? 'dokku'
  if (bin === '' || bin.startsWith('-') || /[\0\n]/.test(bin)) {
    throw new ConfigError('DOCKLIGHT_DOKKU_BIN', 'must be a program name or path')
  }
  return bin
}

function parseInteger (env: Env, name: string, def: number, min: number, max: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return def
  if (!/^\d{1,12}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`)
  }
  return Number(raw)
}

/** `true`/`false`, a hop count, or comma-separated addresses and CIDR ranges. */
function parseTrustProxy (env: Env): Config['trustProxy'] {
  const raw = (env.DOCKLIGHT_TRUST_PROXY ?? '').trim()
  if (raw === '' || raw === 'false') return false
  if (raw === 'true') return true
  if (/^\d{1,3}$/.test(raw)) return Number(raw)
  const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '')
  for (const entry of entries) {
    const [address, prefix, ...rest] = entry.split('/')
    const family = isIP(address ?? '')
    const bits = family === 6 ? 128 : 32
    const okPrefix = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits)
    if (family === 0 || !okPrefix || rest.length > 0) {
      throw new ConfigError('DOCKLIGHT_TRUST_PROXY', `must be true, a hop count, or addresses/CIDRs separated by commas; "${entry}" is none of these`)
    }
  }
  return entries
}

function parsePublicUrl (env: Env): string | null {
  const raw = (env.DOCKLIGHT_PUBLIC_URL ?? '').trim()
  if (raw === '') return null
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError('DOCKLIGHT_PUBLIC_URL', `must be an http(s) URL such as https://docklight.example.com, got "${raw}"`)
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ConfigError('DOCKLIGHT_PUBLIC_URL', `must be an http(s) URL without credentials, query or fragment, got "${raw}"`)
  }
  return url.origin + url.pathname.replace(/\/+$/, '')
}

/**
 * Reads the session secret kept in the data dir, or makes one. Kept on disk (mode 0600) so
 * sessions survive a restart without anyone having to invent a secret.
 */
export function readOrCreateSecret (dataDir: string): string {
  const file = join(dataDir, SECRET_FILE)
  try {
    const existing = readFileSync(file, 'utf8').trim()
    if (existing.length >= MIN_SECRET_LENGTH) {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
      return existing
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const secret = randomBytes(48).toString('base64url')
  writeFileSync(file, secret + '\n', { mode: 0o600 })
  chmodSync(file, 0o600)
  return secret
}

export function loadConfig (env: Env = process.env, cwd = process.cwd()): Config {
  const demo = env.DOCKLIGHT_DEMO === '1' || env.DOCKLIGHT_DEMO === 'true'
  if (env.DOCKLIGHT_DEMO !== undefined && env.DOCKLIGHT_DEMO !== '' && !demo &&
      env.DOCKLIGHT_DEMO !== '0' && env.DOCKLIGHT_DEMO !== 'false') {
    throw new ConfigError('DOCKLIGHT_DEMO', `must be 1 or 0, got "${env.DOCKLIGHT_DEMO}"`)
  }

  let password = env.DOCKLIGHT_PASSWORD ?? ''
  let generatedPassword = false
  if (password === '') {
    if (!demo) throw new ConfigError('DOCKLIGHT_PASSWORD', 'is required: set the shared admin password')
    password = randomBytes(12).toString('base64url')
    generatedPassword = true
  } else if (password.length < 8) {
    throw new ConfigError('DOCKLIGHT_PASSWORD', 'must be at least 8 characters')
  }

  const port = parsePort(env)
  const host = parseHost(env)
  const dokkuSsh = parseSsh(env)
  const dokkuBin = parseBin(env)

  const rawDir = env.DOCKLIGHT_DATA_DIR || './data'
  const dataDir = isAbsolute(rawDir) ? rawDir : resolve(cwd, rawDir)
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  } catch (err) {
    throw new ConfigError('DOCKLIGHT_DATA_DIR', `cannot create "${dataDir}": ${(err as Error).message}`)
  }

  let secret = env.DOCKLIGHT_SECRET ?? ''
  if (secret !== '' && secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError('DOCKLIGHT_SECRET', `must be at least ${MIN_SECRET_LENGTH} characters`)
  }
  if (secret === '') {
    try {
      secret = readOrCreateSecret(dataDir)
    } catch (err) {
      throw new ConfigError('DOCKLIGHT_DATA_DIR', `cannot keep the session secret there: ${(err as Error).message}`)
    }
  }

  const nodeEnv = env.NODE_ENV ?? ''
  return {
    password,
    secret,
    port,
    host,
    production: nodeEnv === 'production',
    development: nodeEnv === 'development',
    dataDir,
    dokkuBin,
    dokkuSsh,
    demo,
    generatedPassword,
    trustProxy: parseTrustProxy(env),
    historyDays: parseInteger(env, 'DOCKLIGHT_HISTORY_DAYS', 90, 1, 36500),
    historyMaxRows: parseInteger(env, 'DOCKLIGHT_HISTORY_MAX_ROWS', 200_000, 100, 100_000_000),
    shutdownGraceMs: parseInteger(env, 'DOCKLIGHT_SHUTDOWN_GRACE_S', 30, 0, 3600) * 1000,
    hosts: parseHosts(env, demo, dokkuBin, dokkuSsh),
    watchIntervalMs: parseInteger(env, 'DOCKLIGHT_WATCH_INTERVAL_S', 300, 5, 86400) * 1000,
    publicUrl: parsePublicUrl(env)
  }
}
