import {
  parseLetsencryptList, parseLetsencryptReport, type LetsencryptListItem, type LetsencryptReport
} from '../parsers/letsencrypt.js'
import { redactLetsencryptReport } from '../redact.js'
import { validateAppName, validateEmail } from '../validate.js'
import { isNotInstalled, noParse, TIMEOUTS, type CommandSpec, type PluginResult } from './spec.js'

/**
 * `dokku letsencrypt:list` (`letsencrypt:ls` before plugin 0.10.0, with `legacy`).
 * Not installed → `{ installed: false }`.
 */
export function letsencryptList (options: { legacy?: boolean } = {}): CommandSpec<PluginResult<{ items: LetsencryptListItem[] }>> {
  return {
    args: [options.legacy ? 'letsencrypt:ls' : 'letsencrypt:list'],
    kind: 'read', timeoutMs: TIMEOUTS.read,
    acceptFailure: isNotInstalled,
    parse: (out) => (out.exitCode !== 0 ? { installed: false } : { installed: true, items: parseLetsencryptList(out.stdout) })
  }
}

/**
 * `dokku letsencrypt:report <app>`, as text: it is in every plugin since 0.16.0, while JSON needs
 * 0.24.0 and the plugin's version is not dokku's. DNS provider credentials are redacted.
 */
export function letsencryptReport (app: string): CommandSpec<PluginResult<{ report: LetsencryptReport }>> {
  const name = validateAppName(app)
  return {
    args: ['letsencrypt:report', name],
    app: name,
    redactOutput: redactLetsencryptReport,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    acceptFailure: isNotInstalled,
    parse: (out) => (out.exitCode !== 0 ? { installed: false } : { installed: true, report: parseLetsencryptReport(name, out.stdout, 'text') })
  }
}

/** `dokku letsencrypt:enable <app> [--force]` (`--force`: request a new certificate anyway, plugin ≥0.25.0). */
export function letsencryptEnable (app: string, options: { force?: boolean } = {}): CommandSpec<void> {
  const name = validateAppName(app)
  return {
    args: ['letsencrypt:enable', name, ...(options.force ? ['--force'] : [])],
    app: name,
    kind: 'job',
    label: `Enable Let's Encrypt for ${name}`,
    timeoutMs: TIMEOUTS.deploy,
    parse: noParse
  }
}

/** `dokku letsencrypt:disable <app>`. */
export function letsencryptDisable (app: string): CommandSpec<void> {
  const name = validateAppName(app)
  return { args: ['letsencrypt:disable', name], app: name, kind: 'job', label: `Disable Let's Encrypt for ${name}`, timeoutMs: TIMEOUTS.change, parse: noParse }
}

/** `dokku letsencrypt:auto-renew [<app>]`: renews what is due (all apps without one). */
export function letsencryptAutoRenew (app?: string): CommandSpec<void> {
  const name = app === undefined ? undefined : validateAppName(app)
  return {
    args: ['letsencrypt:auto-renew', ...(name === undefined ? [] : [name])],
    app: name ?? null,
    kind: 'job',
    label: name === undefined ? 'Renew Let\'s Encrypt certificates' : `Renew Let's Encrypt certificate for ${name}`,
    timeoutMs: TIMEOUTS.deploy,
    parse: noParse
  }
}

/** `dokku letsencrypt:set <app>|--global email [<email>]`; no email unsets it. */
export function letsencryptSetEmail (app: string | null, email: string | null): CommandSpec<void> {
  const target = app === null ? '--global' : validateAppName(app)
  const value = email === null ? null : validateEmail(email)
  return {
    args: ['letsencrypt:set', target, 'email', ...(value === null ? [] : [value])],
    app: app === null ? null : target,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}
