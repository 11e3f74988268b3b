import { InvalidArgumentError } from '../dokku/errors.js'
import type { ChannelKind } from '../db/notifications.js'

/**
 * A channel's URL is its secret (Slack and Discord webhook URLs carry their token in the path,
 * ntfy's may carry credentials): checked once when it is added, sealed at rest, shown masked,
 * and kept out of every error message.
 */

export const MAX_URL_LENGTH = 2048

export function validateChannelUrl (value: unknown, kind: ChannelKind, field = 'url'): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(field, 'The channel\'s URL is required')
  const raw = value.trim()
  if (raw.length > MAX_URL_LENGTH) throw new InvalidArgumentError(field, `The URL is too long (at most ${MAX_URL_LENGTH} characters)`)
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f]/.test(raw)) throw new InvalidArgumentError(field, 'The URL must not contain spaces or control characters')
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new InvalidArgumentError(field, 'That is not a URL (it must start with https:// or http://)')
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidArgumentError(field, 'The URL must start with https:// or http://')
  if (url.hostname === '') throw new InvalidArgumentError(field, 'The URL has no host')
  if (kind === 'ntfy' && url.pathname.replace(/\/+$/, '') === '') {
    throw new InvalidArgumentError(field, 'An ntfy URL names its topic: https://ntfy.sh/your-topic')
  }
  return url.toString()
}

/** `https://hooks.slack.com/••••••` (and the length): enough to tell channels apart, nothing to use. */
export function maskUrl (raw: string): string {
  try {
    const url = new URL(raw)
    return `${url.protocol}//${url.host}/${'•'.repeat(6)} (${raw.length} characters)`
  } catch {
    return '•'.repeat(8)
  }
}

/**
 * fetch refuses a URL with credentials: they go into an Authorization header instead
 * (ntfy's `https://user:pass@ntfy.example.com/topic`).
 */
export function requestTarget (raw: string): { url: string; authorization: string | null } {
  const url = new URL(raw)
  if (url.username === '' && url.password === '') return { url: url.toString(), authorization: null }
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
  url.username = ''
  url.password = ''
  return { url: url.toString(), authorization: `Basic ${Buffer.from(credentials).toString('base64')}` }
}

/** An error's words without the URL, its path or its credentials in them. */
export function scrubUrl (text: string, raw: string): string {
  let out = text
  try {
    const url = new URL(raw)
    const secrets = [raw, url.toString(), url.pathname + url.search, url.password, url.username, url.search]
      .filter((s) => s.length >= 4).sort((a, b) => b.length - a.length)
    for (const s of secrets) out = out.split(s).join('…')
  } catch {
    out = out.split(raw).join('…')
  }
  return out
}
