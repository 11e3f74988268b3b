import type { Toast } from '../../plugins/views.js'
import type { DomainsAdded } from '../../services/domains.js'

/** The toasts of the Domains & TLS forms: what changed, in the user's words, and dokku's warnings. */

function warned (warnings: readonly string[]): string {
  return warnings.length > 0 ? ` Dokku says: ${warnings.join(' ')}` : ''
}

export function addedToast (outcome: DomainsAdded): Toast {
  const parts: string[] = []
  if (outcome.added.length > 0) parts.push(`Added ${outcome.added.join(', ')}.`)
  if (outcome.skipped.length > 0) parts.push(`Already there: ${outcome.skipped.join(', ')}.`)
  if (parts.length === 0) parts.push(`Added ${outcome.requested.join(', ')}.`)
  return { level: outcome.warnings.length > 0 ? 'info' : 'success', message: parts.join(' ') + warned(outcome.warnings) }
}

export function removedToast (app: string, outcome: { domain: string; warnings: string[] }): Toast {
  return { level: outcome.warnings.length > 0 ? 'info' : 'success', message: `Removed ${outcome.domain} from ${app}.` + warned(outcome.warnings) }
}

/** `app` null: the global address; `email` null: the address was removed. */
export function emailToast (app: string | null, email: string | null): string {
  if (app === null) {
    return email === null ? 'Removed the global Let\'s Encrypt e-mail address.' : `Global Let's Encrypt e-mail set to ${email}.`
  }
  return email === null
    ? `Removed the Let's Encrypt e-mail address of ${app}; the global one applies.`
    : `Let's Encrypt e-mail for ${app} set to ${email}.`
}
