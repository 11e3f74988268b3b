import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/**
 * Encrypts the secrets Docklight keeps at rest (webhook secrets, notification URLs) with
 * AES-256-GCM under a key derived from the session secret (HKDF-SHA256, one key per purpose),
 * so a copy of the database alone reveals none of them. A sealed value is
 * `v1.<iv>.<tag>.<ciphertext>` in base64url; tampering or the wrong key fails to open.
 */
export class SecretBox {
  private readonly key: Buffer

  constructor (sessionSecret: string, purpose: string) {
    if (sessionSecret.length < 32) throw new Error('the session secret is too short to derive a key from')
    this.key = Buffer.from(hkdfSync('sha256', sessionSecret, 'docklight-secret-box', `docklight:${purpose}`, 32))
  }

  seal (plaintext: string): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
    return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.')
  }

  /** The plaintext, or null when the value was not sealed by this key (changed secret, tampering). */
  open (sealed: string): string | null {
    const parts = sealed.split('.')
    if (parts.length !== 4 || parts[0] !== 'v1') return null
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(parts[1]!, 'base64url'))
      decipher.setAuthTag(Buffer.from(parts[2]!, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(parts[3]!, 'base64url')), decipher.final()]).toString('utf8')
    } catch {
      return null
    }
  }
}

/** Shows a secret without giving it away: the first few characters and its length. */
export function maskSecret (value: string, shown = 4): string {
  if (value.length <= shown * 2) return '•'.repeat(Math.max(value.length, 8))
  return `${value.slice(0, shown)}…${'•'.repeat(6)} (${value.length} characters)`
}
