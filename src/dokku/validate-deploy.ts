import { InvalidArgumentError } from './errors.js'

/**
 * Validators for what a deploy form sends to dokku's git plugin: repository URLs, git refs,
 * image references and archives. Each throws InvalidArgumentError (field + a message for
 * people) before anything runs.
 *
 * Over SSH every `git:*` command goes through dokku's naive split (`$0 $SSH_ORIGINAL_COMMAND`
 * under `set -f`, no quote handling; ssh-and-permissions.md §2): a word with whitespace or
 * quotes would arrive cut up or with its quotes. So every value here keeps to the characters
 * the transport sends unquoted, `[A-Za-z0-9_.:=,/@%+-]`, whatever else its own grammar allows.
 * And no value may look like an option anywhere in it (`--upload-pack=…` after a `/`), since
 * git reads such words as flags of its own.
 */

export const DEPLOY_LIMITS = {
  url: 1024,
  ref: 255,
  image: 512
} as const

/** What the transport sends as one bare word (transport.ts `quoteForDokkuSsh`). */
const SSH_WORD = /^[A-Za-z0-9_.:=,/@%+-]+$/
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

function word (value: unknown, field: string, what: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(field, `${what} is required`)
  if (value.length > max) throw new InvalidArgumentError(field, `${what} is too long (at most ${max} characters)`)
  if (CONTROL.test(value)) throw new InvalidArgumentError(field, `${what} must not contain control characters or line breaks`)
  if (/\s/.test(value)) throw new InvalidArgumentError(field, `${what} must not contain spaces`)
  if (/['"`\\]/.test(value)) throw new InvalidArgumentError(field, `${what} must not contain quotes or backslashes`)
  if (value.startsWith('-')) throw new InvalidArgumentError(field, `${what} must not start with "-"`)
  // `-` right after a separator, or `--` anywhere: git (or curl) would read an option there.
  if (/--|[/:@=,#]-/.test(value)) throw new InvalidArgumentError(field, `${what} must not contain anything that looks like an option ("--", or "-" after "/", ":", "@" or "=")`)
  if (!SSH_WORD.test(value)) {
    throw new InvalidArgumentError(field,
      `${what} may only contain letters, digits and . _ - / : @ % + = , (dokku's SSH command split cannot carry other characters)`)
  }
  return value
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/
const USER = /^[A-Za-z0-9._-]+$/
const PATH = /^[A-Za-z0-9_.%+=,@/-]+$/

export interface RepoUrl {
  url: string
  form: 'https' | 'ssh' | 'scp'
  host: string
}

function checkHost (host: string, field: string): void {
  if (!HOST.test(host) || host.length > 253) throw new InvalidArgumentError(field, `"${host}" is not a valid host name`)
}

function checkPath (path: string, field: string): void {
  if (path === '' || path === '/' || !PATH.test(path)) throw new InvalidArgumentError(field, 'Repository URL needs a repository path, e.g. /org/app.git')
  if (path.split('/').some((seg) => seg === '..')) throw new InvalidArgumentError(field, 'Repository path must not contain ".."')
}

/**
 * A repository URL for `git:sync`: `https://host[:port]/path`, `ssh://[user@]host[:port]/path`
 * or scp-like `user@host:path` (`git@github.com:org/app.git`). No other scheme (http, file,
 * git's `ext::`), no credentials in the URL (they would land in history; use `dokku git:auth`).
 */
export function validateRepoUrl (value: unknown, field = 'repo'): RepoUrl {
  const url = word(value, field, 'Repository URL', DEPLOY_LIMITS.url)
  const https = /^https:\/\/(?:([^/@]*)@)?([^/:@]+)(?::(\d{1,5}))?(\/.*)$/.exec(url)
  if (https) {
    if (https[1] !== undefined) throw new InvalidArgumentError(field, 'Repository URL must not carry a user name or token; give dokku the credentials with "dokku git:auth <host> <user> <token>"')
    checkHost(https[2]!, field)
    checkPath(https[4]!, field)
    return { url, form: 'https', host: https[2]! }
  }
  const ssh = /^ssh:\/\/(?:([^/@:]+)@)?([^/:@]+)(?::(\d{1,5}))?(\/.*)$/.exec(url)
  if (ssh) {
    if (ssh[1] !== undefined && !USER.test(ssh[1])) throw new InvalidArgumentError(field, 'The user name in the repository URL may only contain letters, digits, ".", "_" and "-"')
    checkHost(ssh[2]!, field)
    checkPath(ssh[4]!, field)
    return { url, form: 'ssh', host: ssh[2]! }
  }
  const scp = /^([A-Za-z0-9._-]+)@([^/:@]+):(.+)$/.exec(url)
  if (scp && !url.includes('://')) {
    checkHost(scp[2]!, field)
    checkPath(scp[3]!, field)
    return { url, form: 'scp', host: scp[2]! }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(url) && !/^(https|ssh):\/\//.test(url)) {
    throw new InvalidArgumentError(field, 'Repository URL must use https://, ssh:// or the git@host:path form')
  }
  throw new InvalidArgumentError(field, 'Repository URL must look like https://github.com/org/app.git, ssh://git@host/org/app.git or git@github.com:org/app.git')
}

/**
 * A branch, tag or commit for `git:sync`, refused where `git check-ref-format --branch` would
 * refuse it: no `..`, `@{`, `//`, no component starting with `.` or ending in `.lock`, not `@`,
 * no trailing `/` or `.`, none of `~ ^ : ? * [ \` or space (and, for the SSH split, the
 * transport's characters only).
 */
export function validateGitRef (value: unknown, field = 'ref'): string {
  if (typeof value === 'string' && /[~^:?*[]/.test(value)) throw new InvalidArgumentError(field, 'A git ref must not contain ~ ^ : ? * or [')
  const ref = word(value, field, 'Git ref', DEPLOY_LIMITS.ref)
  const bad = (why: string) => new InvalidArgumentError(field, `"${ref}" is not a valid git ref: ${why}`)
  if (ref === '@') throw bad('"@" alone is not a ref')
  if (ref.includes('..')) throw bad('it must not contain ".."')
  if (ref.includes('@{')) throw bad('it must not contain "@{"')
  if (ref.includes('//')) throw bad('it must not contain "//"')
  if (ref.endsWith('/') || ref.endsWith('.')) throw bad('it must not end with "/" or "."')
  for (const part of ref.split('/')) {
    if (part.startsWith('.')) throw bad('no part of it may start with "."')
    if (part.endsWith('.lock')) throw bad('no part of it may end with ".lock"')
  }
  return ref
}

/** A full commit id (sha1 or sha256), as webhooks send it. */
export function validateCommitSha (value: unknown, field = 'sha'): string {
  if (typeof value !== 'string' || !/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(value)) {
    throw new InvalidArgumentError(field, 'A commit must be its full id: 40 (or 64) lowercase hexadecimal characters')
  }
  return value
}

export interface ImageRef {
  /** As given (what dokku records as deploy-source-metadata). */
  ref: string
  /** The repository, with its registry when one is named. */
  name: string
  tag: string | null
  /** `sha256:…` when the reference pins one image. */
  digest: string | null
}

// The OCI distribution reference grammar (distribution/reference, regexp.go).
const ALNUM = '[a-z0-9]+'
const SEPARATOR = '(?:[._]|__|[-]+)'
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*)(?::[0-9]+)?`
const TAG = '[\\w][\\w.-]{0,127}'
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}'
const REFERENCE = new RegExp(`^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::(${TAG}))?(?:@(${DIGEST}))?$`)
/** A repository name (with its registry) is at most this long (distribution's NameTotalLengthMax). */
const NAME_MAX = 255

/**
 * An image reference for `git:from-image`: `[registry[:port]/]path[:tag][@digest]` per the OCI
 * grammar (lowercase repository path). A digest (`@sha256:` and 64 hex characters) pins one
 * image; a tag such as `:latest` may point elsewhere tomorrow.
 */
export function validateImageRef (value: unknown, field = 'image'): ImageRef {
  const ref = word(value, field, 'Image reference', DEPLOY_LIMITS.image)
  const m = REFERENCE.exec(ref)
  if (!m) {
    throw new InvalidArgumentError(field,
      'Image reference must look like registry.example.com/team/app:1.4 or team/app@sha256:<64 hex>: a lowercase repository path, an optional tag and an optional digest')
  }
  const name = m[1]!
  if (name.length > NAME_MAX) throw new InvalidArgumentError(field, `The repository name is too long (at most ${NAME_MAX} characters)`)
  const digest = m[3] ?? null
  if (digest !== null && digest.startsWith('sha256:') && !/^sha256:[0-9a-f]{64}$/.test(digest)) {
    throw new InvalidArgumentError(field, 'A sha256 digest is "sha256:" and 64 lowercase hexadecimal characters')
  }
  return { ref, name, tag: m[2] ?? null, digest }
}

export const ARCHIVE_TYPES = ['tar', 'tar.gz', 'zip'] as const
export type ArchiveType = typeof ARCHIVE_TYPES[number]

/**
 * dokku does not really check `--archive-type` (deploys.md §1.3: an unknown type extracts
 * nothing and can commit the deletion of every file), so only these three pass.
 */
export function validateArchiveType (value: unknown, field = 'type'): ArchiveType {
  if (typeof value !== 'string' || !(ARCHIVE_TYPES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(field, `Archive type must be one of ${ARCHIVE_TYPES.join(', ')}`)
  }
  return value as ArchiveType
}

/** An archive URL for `git:from-archive`: http(s), a host, a path; no credentials, no query. */
export function validateArchiveUrl (value: unknown, field = 'url'): string {
  if (typeof value === 'string' && /[?&]/.test(value)) {
    throw new InvalidArgumentError(field, 'Archive URL must not have a query string ("?" or "&"): dokku\'s SSH command split cannot carry it')
  }
  const url = word(value, field, 'Archive URL', DEPLOY_LIMITS.url)
  const m = /^https?:\/\/(?:([^/@]*)@)?([^/:@]+)(?::(\d{1,5}))?(\/.*)$/.exec(url)
  if (!m) throw new InvalidArgumentError(field, 'Archive URL must look like https://example.com/builds/app-42.tar.gz')
  if (m[1] !== undefined) throw new InvalidArgumentError(field, 'Archive URL must not carry a user name or password (they would be stored in history)')
  checkHost(m[2]!, field)
  checkPath(m[4]!, field)
  return url
}

/** dokku's build ids: 14 lowercase base36 characters (8 of milliseconds, 6 random), or `pid-<n>`. */
export function validateBuildId (value: unknown, field = 'build'): string {
  if (typeof value !== 'string' || !/^(?:[0-9a-z]{14}|pid-[1-9][0-9]{0,9})$/.test(value)) {
    throw new InvalidArgumentError(field, 'A build id is 14 lowercase letters and digits (or pid-<number>)')
  }
  return value
}
