import { randomBytes } from 'node:crypto'
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { isAbsolute, join, resolve } from 'node:path'

/** Everything Docklight reads from the environment, validated once at boot. */
export interface Config {
  password: string
  /** JWT signing secret; from DOCKLIGHT_SECRET or generated once into the data dir. */
  secret: string
  port: number
  host: string
  production: boolean
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

function parseSsh (env: Env): Config['dokkuSsh'] {
  const raw = env.DOCKLIGHT_DOKKU_SSH
  if (raw === undefined || raw === '') return null
  const m = raw.match(/^([a-z_][a-z0-9_-]{0,31})@([A-Za-z0-9.-]{1,253}|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?$/)
  const port = m?.[3] === undefined ? 22 : Number(m[3])
  if (!m || port < 1 || port > 65535 || m[2]!.startsWith('-')) {
    throw new ConfigError('DOCKLIGHT_DOKKU_SSH', `must look like dokku@host or dokku@host:port, got "${raw}"`)
  }
  return { user: m[1]!, host: m[2]!.replace(/^\[|\]$/g, ''), port }
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
    dataDir,
    dokkuBin,
    dokkuSsh,
    demo,
    generatedPassword,
    trustProxy: parseTrustProxy(env),
    historyDays: parseInteger(env, 'DOCKLIGHT_HISTORY_DAYS', 90, 1, 36500),
    historyMaxRows: parseInteger(env, 'DOCKLIGHT_HISTORY_MAX_ROWS', 200_000, 100, 100_000_000),
    shutdownGraceMs: parseInteger(env, 'DOCKLIGHT_SHUTDOWN_GRACE_S', 30, 0, 3600) * 1000
  }
}
