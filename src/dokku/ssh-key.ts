import { createHash } from 'node:crypto'
import { InvalidArgumentError } from './errors.js'

/**
 * SSH keys as `ssh-keys:add` takes them. Dokku validates neither the name nor much of the key
 * (server.md §1.3: the name goes unescaped into sshcommand's grep and sed patterns), so both
 * are checked here before anything runs: a name against a strict pattern, and the key as one
 * OpenSSH public key whose base64 blob really holds the key type it claims.
 *
 * A private key pasted by mistake is refused with a message that never repeats it.
 */

/** server.md §1.3's suggested rule: what a person's or a bot's key name needs, nothing a pattern could misread. */
const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/

export function validateSshKeyName (value: unknown, field = 'name'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(field, 'A name for the key is required (e.g. alice or ci-bot)')
  const name = value.trim()
  if (!KEY_NAME.test(name)) {
    throw new InvalidArgumentError(field,
      'Key name must start with a letter or digit and may only contain letters, digits, ".", "_", "@" and "-" (at most 64 characters)')
  }
  return name
}

const FINGERPRINT = /^(?:SHA256:[A-Za-z0-9+/]{43}|(?:MD5:)?[0-9a-f]{2}(?::[0-9a-f]{2}){15})$/

/** A key's fingerprint as dokku lists it (`SHA256:…`, or MD5 `aa:bb:…` for keys added long ago). */
export function validateFingerprint (value: unknown, field = 'fingerprint'): string {
  if (typeof value !== 'string' || !FINGERPRINT.test(value)) throw new InvalidArgumentError(field, 'That is not an SSH key fingerprint (SHA256:… or an MD5 aa:bb:…)')
  return value
}

/** The key types OpenSSH writes to a .pub file (certificates are not keys to log in with). */
export const KEY_TYPES = [
  'ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com', 'ssh-dss'
] as const

/** Bound: the longest pasted text looked at (an RSA-16384 public key is under 3 KiB). */
export const MAX_KEY_TEXT = 16 * 1024

export interface PublicKey {
  type: string
  /** The base64 blob as pasted. */
  base64: string
  comment: string
  /** `type base64[ comment]`: the one line handed to dokku. */
  line: string
  /** As `ssh-keygen -l` prints it: `SHA256:` + unpadded base64 of the blob's SHA-256. */
  fingerprint: string
}

/**
 * Anything that looks like a private key: PEM and OpenSSH armour, PuTTY's format. Checked on
 * the raw text before anything else, so the message can say what it is without echoing it.
 */
export function looksLikePrivateKey (text: string): boolean {
  return /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----|PRIVATE KEY-----|^PuTTY-User-Key-File-\d+:/m.test(text)
}

export const PRIVATE_KEY_REFUSED =
  'That is a private key. It was not stored or sent anywhere. Paste the public key instead: the one line of the .pub file, starting with ssh-ed25519, ssh-rsa or ecdsa-sha2-…'

/** The SHA256 fingerprint of a key blob, as `ssh-keygen -l` and dokku print it. */
export function fingerprintOf (blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')
}

/** How many SSH wire strings (uint32 length, then the bytes) each key type's blob holds. */
const BLOB_FIELDS: Record<string, number> = {
  'ssh-ed25519': 2, 'ssh-rsa': 3, 'ssh-dss': 5, 'ecdsa-sha2-nistp256': 3, 'ecdsa-sha2-nistp384': 3, 'ecdsa-sha2-nistp521': 3,
  'sk-ssh-ed25519@openssh.com': 3, 'sk-ecdsa-sha2-nistp256@openssh.com': 4
}

/** A key blob's fields, when it is exactly a run of wire strings; null otherwise (cut, padded, garbage). */
function blobFields (blob: Buffer): Buffer[] | null {
  const fields: Buffer[] = []
  let at = 0
  while (at < blob.length) {
    if (blob.length - at < 4 || fields.length > 8) return null
    const length = blob.readUInt32BE(at)
    if (length > blob.length - at - 4) return null
    fields.push(blob.subarray(at + 4, at + 4 + length))
    at += 4 + length
  }
  return fields
}

/** Whether the blob is a whole key of the type it is pasted as. */
function blobMatches (blob: Buffer, type: string): boolean {
  const fields = blobFields(blob)
  if (!fields || fields.length !== BLOB_FIELDS[type] || fields[0]!.toString('latin1') !== type) return false
  if (type === 'ssh-ed25519' || type === 'sk-ssh-ed25519@openssh.com') return fields[1]!.length === 32
  return fields.slice(1).every((f) => f.length > 0)
}

// Printable ASCII; no quote or backslash (sshcommand writes the key into JSON without escaping it).
const COMMENT = /^[\x20-\x21\x23-\x5b\x5d-\x7e]{0,200}$/

/**
 * One OpenSSH public key (`type base64 [comment]`), trimmed. Refuses a private key, several
 * keys, an authorized_keys line with options, a blob that does not decode to its own type.
 */
export function parsePublicKey (value: unknown, field = 'key'): PublicKey {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(field, 'Paste the public key (the one line of the .pub file)')
  if (value.length > MAX_KEY_TEXT) throw new InvalidArgumentError(field, 'That is far longer than a public key')
  if (looksLikePrivateKey(value)) throw new InvalidArgumentError(field, PRIVATE_KEY_REFUSED)
  const lines = value.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '')
  if (lines.length > 1) throw new InvalidArgumentError(field, 'Paste one key at a time: that text holds several lines')
  const text = lines[0]!
  const parts = text.split(/[ \t]+/)
  const type = parts[0]!
  if (!(KEY_TYPES as readonly string[]).includes(type)) {
    const withOptions = parts.findIndex((p) => (KEY_TYPES as readonly string[]).includes(p)) > 0
    throw new InvalidArgumentError(field, withOptions
      ? 'Paste the key alone, without authorized_keys options before it'
      : `That is not an OpenSSH public key: it must start with one of ${KEY_TYPES.slice(0, 5).join(', ')}`)
  }
  const base64 = parts[1] ?? ''
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) {
    throw new InvalidArgumentError(field, 'The key\'s data is not valid base64: was it cut or wrapped when copied?')
  }
  const blob = Buffer.from(base64, 'base64')
  if (!blobMatches(blob, type)) throw new InvalidArgumentError(field, `The key's data is not a whole ${type} key: was it cut when copied?`)
  const comment = parts.slice(2).join(' ')
  if (!COMMENT.test(comment)) {
    throw new InvalidArgumentError(field, 'The key\'s comment may only hold printable characters without quotes or backslashes (at most 200)')
  }
  return { type, base64, comment, line: comment === '' ? `${type} ${base64}` : `${type} ${base64} ${comment}`, fingerprint: fingerprintOf(blob) }
}
