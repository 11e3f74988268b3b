import { InvalidArgumentError } from './errors.js'

/**
 * Validators for every user value that can reach a dokku argv. Each one throws
 * `InvalidArgumentError` (field + message for people) before anything runs, and returns the
 * value to use (sometimes normalised, e.g. a lowercased domain).
 *
 * Shared rules, on top of each pattern: a string, not empty, not too long, no control
 * character (newline, NUL, …) and never starting with `-` (dokku would read it as a flag).
 */

export const LIMITS = {
  appName: 100,
  /** A new app's name becomes a DNS label (`app.example.com`): at most 63 characters. */
  newAppName: 63,
  dnsLabel: 63,
  envKey: 200,
  serviceName: 100,
  domain: 253,
  processType: 63,
  email: 254,
  maxScale: 100,
  maxLogLines: 10_000
} as const

export const DB_PLUGINS = ['postgres', 'redis', 'mysql', 'mariadb', 'mongo'] as const
export type DbPlugin = typeof DB_PLUGINS[number]

// Every C0 control character and DEL: newline, carriage return, NUL, escape, …
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

function baseString (value: unknown, field: string, what: string, max: number): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(field, `${what} is required`)
  if (value.length > max) throw new InvalidArgumentError(field, `${what} is too long (at most ${max} characters)`)
  if (CONTROL.test(value)) throw new InvalidArgumentError(field, `${what} must not contain control characters or line breaks`)
  if (value.startsWith('-')) throw new InvalidArgumentError(field, `${what} must not start with "-"`)
  return value
}

// dokku's rule for new apps, and the "old" rule its verify paths still accept (legacy `_`).
const APP_NEW = /^[a-z0-9][a-z0-9.-]*$/
const APP_EXISTING = /^[a-z0-9][a-z0-9._-]*$/

/** An existing app's name: dokku's rule, plus the `_` that older apps may have. */
export function validateAppName (value: unknown, field = 'app'): string {
  const name = baseString(value, field, 'App name', LIMITS.appName)
  if (!APP_EXISTING.test(name)) {
    throw new InvalidArgumentError(field,
      'App name must start with a lowercase letter or digit, and may only contain lowercase letters, digits, dots, hyphens (and underscores in older apps)')
  }
  return name
}

/**
 * A name for `apps:create`: dokku's rule (no `_` any more), and what makes it a usable hostname
 * part: no `..`, no trailing `.`, at most a DNS label's 63 characters (a longer one also
 * stretches every table that shows it).
 */
export function validateNewAppName (value: unknown, field = 'app'): string {
  const name = baseString(value, field, 'App name', LIMITS.appName)
  if (name.length > LIMITS.newAppName) {
    throw new InvalidArgumentError(field, `App name is too long (${name.length} characters; at most ${LIMITS.newAppName}, the length of a DNS label)`)
  }
  if (!APP_NEW.test(name)) {
    throw new InvalidArgumentError(field,
      'App name must start with a lowercase letter or digit, and may only contain lowercase letters, digits, dots and hyphens')
  }
  if (name.includes('..')) throw new InvalidArgumentError(field, 'App name must not contain two dots in a row ("..")')
  if (name.endsWith('.')) throw new InvalidArgumentError(field, 'App name must not end with a dot')
  return name
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/

export function validateEnvKey (value: unknown, field = 'key'): string {
  const key = baseString(value, field, 'Variable name', LIMITS.envKey)
  if (!ENV_KEY.test(key)) {
    throw new InvalidArgumentError(field, 'Variable name must start with a letter or "_", and may only contain letters, digits and "_"')
  }
  return key
}

const SERVICE = /^[A-Za-z0-9_-]+$/

export function validateServiceName (value: unknown, field = 'service'): string {
  const name = baseString(value, field, 'Service name', LIMITS.serviceName)
  if (!SERVICE.test(name)) {
    throw new InvalidArgumentError(field, 'Service name may only contain letters, digits, "_" and "-"')
  }
  return name
}

// dokku's domains_add rule (after lowercasing): `^[a-z0-9\.\*-]*[a-z0-9\*-]$`, or exactly `_`.
// Wildcards (`*.example.com`) are allowed because dokku allows them.
const DOMAIN = /^[a-z0-9.*-]*[a-z0-9*-]$/

/** A hostname for domains:add/remove/set; returned lowercased, as dokku stores it. */
export function validateDomain (value: unknown, field = 'domain'): string {
  const raw = baseString(value, field, 'Domain', LIMITS.domain)
  const domain = raw.toLowerCase()
  if (domain !== '_' && !DOMAIN.test(domain)) {
    throw new InvalidArgumentError(field, 'Domain may only contain letters, digits, dots, hyphens and "*" (for wildcards), and must not end with a dot')
  }
  return domain
}

/**
 * A domain to add: dokku's rule, and what DNS allows, so a typo is caught here rather than by
 * nginx or Let's Encrypt: no empty label (`a..b`, `.a`), each label at most 63 characters, the
 * whole at most 253. Removing keeps the permissive `validateDomain`, so an odd domain added
 * before these rules can still be removed.
 */
export function validateNewDomain (value: unknown, field = 'domain'): string {
  const domain = validateDomain(value, field)
  if (domain === '_') return domain
  const labels = domain.split('.')
  if (labels.some((l) => l === '')) throw new InvalidArgumentError(field, 'Domain must not start with a dot or contain two dots in a row')
  const long = labels.find((l) => l.length > LIMITS.dnsLabel)
  if (long !== undefined) {
    throw new InvalidArgumentError(field, `Each part between dots may be at most ${LIMITS.dnsLabel} characters (one has ${long.length})`)
  }
  return domain
}

export function validateDomains (values: unknown, field = 'domains'): string[] {
  if (!Array.isArray(values) || values.length === 0) throw new InvalidArgumentError(field, 'At least one domain is required')
  return [...new Set(values.map((v) => validateDomain(v, field)))]
}

// Procfile process names (procfile-util: `^[A-Za-z0-9_-]+:`).
const PROCESS_TYPE = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/

export function validateProcessType (value: unknown, field = 'process'): string {
  const type = baseString(value, field, 'Process type', LIMITS.processType)
  if (!PROCESS_TYPE.test(type)) {
    throw new InvalidArgumentError(field, 'Process type may only contain letters, digits, "_" and "-"')
  }
  return type
}

function smallInteger (value: unknown, field: string, what: string, min: number, max: number): number {
  let n: number
  if (typeof value === 'number') n = value
  else if (typeof value === 'string' && /^\d{1,6}$/.test(value.trim())) n = Number(value.trim())
  else throw new InvalidArgumentError(field, `${what} must be a whole number from ${min} to ${max}`)
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(field, `${what} must be a whole number from ${min} to ${max}`)
  }
  return n
}

/** A process count for ps:scale: 0 to LIMITS.maxScale. */
export function validateScaleCount (value: unknown, field = 'count'): number {
  return smallInteger(value, field, 'Process count', 0, LIMITS.maxScale)
}

/** How many log lines to read per container. */
export function validateLogLines (value: unknown, field = 'lines'): number {
  return smallInteger(value, field, 'Number of lines', 1, LIMITS.maxLogLines)
}

// Deliberately plain: one @, no spaces or quotes, a dotted domain with a 2+ letter TLD.
const EMAIL = /^[A-Za-z0-9.!#$%&*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$/

export function validateEmail (value: unknown, field = 'email'): string {
  const email = baseString(value, field, 'E-mail address', LIMITS.email)
  if (!EMAIL.test(email)) throw new InvalidArgumentError(field, 'E-mail address is not valid')
  return email
}

export function validateDbPlugin (value: unknown, field = 'plugin'): DbPlugin {
  if (typeof value !== 'string' || !(DB_PLUGINS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(field, `Database type must be one of ${DB_PLUGINS.join(', ')}`)
  }
  return value as DbPlugin
}

/** Destructive commands run only when the user typed the exact name. */
export function validateConfirmation (typed: unknown, expected: string, field = 'confirm'): void {
  if (typeof typed !== 'string' || typed.trim() !== expected) {
    throw new InvalidArgumentError(field, `Type "${expected}" to confirm`)
  }
}
