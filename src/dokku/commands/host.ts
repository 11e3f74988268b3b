import { InvalidArgumentError } from '../errors.js'
import type { CertsReport } from '../parsers/certs.js'
import {
  isNoKeys, parseAddedFingerprint, parseCertsReportAll, parseCronJobStatus, parseGlobalDomains, parseHostReport, parseSshKeysList,
  type CronJobState, type GlobalDomains, type HostReport, type SshKey
} from '../parsers/host.js'
import { versionAtLeast, type DokkuVersion } from '../parsers/version.js'
import { validateFingerprint, validateSshKeyName } from '../ssh-key.js'
import { validateDomains } from '../validate.js'
import { isNotInstalled, noParse, TIMEOUTS, type CommandOutput, type CommandSpec, type PluginResult } from './spec.js'

/**
 * Commands about the host itself (server.md): SSH keys, global domains, `dokku cleanup`, the
 * global `dokku report`, the Let's Encrypt cron job, whether dokku runs as root here, and every
 * app's certificate in one call (the watchdog).
 */

// ---- ssh-keys --------------------------------------------------------------------------------

/**
 * `dokku ssh-keys:list` as text: the same on every version (`--format json` needs 0.22.3 and
 * sshcommand's JSON is not escaped, server.md §1.2). Works as the dokku user. No keys at all
 * (dokku exits 1 for an empty or missing authorized_keys) is an empty list.
 */
export function sshKeysList (): CommandSpec<SshKey[]> {
  return {
    args: ['ssh-keys:list'],
    kind: 'read', timeoutMs: TIMEOUTS.read,
    acceptFailure: (out) => out.exitCode === 1 && isNoKeys(out.stderr),
    parse: (out) => (out.exitCode !== 0 ? [] : parseSshKeysList(out.stdout))
  }
}

// A file Docklight wrote itself (a private temporary directory): nothing a user typed.
const KEY_FILE = /^\/[A-Za-z0-9._/-]{1,200}$/

/**
 * `dokku ssh-keys:add <name> <key-file>`: needs root (server.md §1.1). The key comes in a file
 * Docklight wrote, never on the command line; dokku prints the new key's fingerprint.
 */
export function sshKeysAdd (name: string, keyFile: string): CommandSpec<string | null> {
  const keyName = validateSshKeyName(name)
  if (!KEY_FILE.test(keyFile) || keyFile.split('/').includes('..')) throw new InvalidArgumentError('key', 'the key file must be an absolute path Docklight made')
  return {
    args: ['ssh-keys:add', keyName, keyFile],
    label: `Add SSH key ${keyName}`,
    timeoutMs: TIMEOUTS.change,
    parse: ({ stdout }) => parseAddedFingerprint(stdout)
  }
}

/**
 * `dokku ssh-keys:remove --fingerprint <fp>` (0.22.3+: names may be duplicated when dokku's checks
 * are off), or `ssh-keys:remove <name>` before that. Needs root; silent, and exit 0 even when
 * nothing matched.
 */
export function sshKeysRemove (key: { name: string; fingerprint: string }, version: DokkuVersion): CommandSpec<void> {
  const byFingerprint = versionAtLeast(version, '0.22.3')
  // By fingerprint the name is only a label (dokku never validated names: an old one may hold anything).
  const args = byFingerprint ? ['ssh-keys:remove', '--fingerprint', validateFingerprint(key.fingerprint)] : ['ssh-keys:remove', validateSshKeyName(key.name)]
  return {
    args,
    label: `Remove SSH key ${byFingerprint ? key.fingerprint : key.name}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}

/**
 * Whether dokku runs as root for us: `plugin:installed ssh-keys` is a harmless read that only
 * root may run (server.md §6). Exit 0: root (ssh-keys is a core plugin). A refusal is an
 * answer, with dokku's own words.
 */
export function rootProbe (): CommandSpec<{ root: boolean; refusal: string | null }> {
  return {
    args: ['plugin:installed', 'ssh-keys'],
    kind: 'read', timeoutMs: TIMEOUTS.read,
    acceptFailure: (out) => out.exitCode !== null && out.exitCode !== 255,
    parse: (out: CommandOutput) => {
      if (out.exitCode === 0) return { root: true, refusal: null }
      const said = out.stderr.split(/\r?\n/).map((l) => l.replace(/^ !\s+/, '').trim()).filter((l) => l !== '')
      return { root: false, refusal: said.join(' ') || `dokku plugin:installed exited with code ${out.exitCode}` }
    }
  }
}

// ---- global domains (server.md §5) -------------------------------------------------------------

/** `dokku domains:report --global`, as text (its JSON depends on the version). */
export function globalDomainsReport (): CommandSpec<GlobalDomains> {
  return { args: ['domains:report', '--global'], kind: 'read', timeoutMs: TIMEOUTS.read, parse: ({ stdout }) => parseGlobalDomains(stdout) }
}

function globalChange (sub: 'domains:add-global' | 'domains:remove-global' | 'domains:set-global', label: string, domains: readonly string[]): CommandSpec<void> {
  const list = validateDomains(domains)
  return { args: [sub, ...list], label: `${label} ${list.join(' ')}`, timeoutMs: TIMEOUTS.change, parse: noParse }
}

/** `dokku domains:add-global <d>…`: new apps get a subdomain; existing apps keep theirs. */
export const addGlobalDomains = (domains: readonly string[]): CommandSpec<void> => globalChange('domains:add-global', 'Add global domain', domains)
/** `dokku domains:remove-global <d>…` (dokku checks nothing here; we do). */
export const removeGlobalDomains = (domains: readonly string[]): CommandSpec<void> => globalChange('domains:remove-global', 'Remove global domain', domains)
/** `dokku domains:set-global <d>…`: replaces the list. */
export const setGlobalDomains = (domains: readonly string[]): CommandSpec<void> => globalChange('domains:set-global', 'Set global domains to', domains)

// ---- cleanup and disk (server.md §7, §9) -------------------------------------------------------

/**
 * `dokku cleanup`: removes exited and dead dokku containers and every dangling image on the
 * host. A job: docker may take a while. Prints `-----> Cleaning up...` and nothing of docker's.
 */
export function cleanup (): CommandSpec<void> {
  return { args: ['cleanup'], kind: 'job', label: 'Clean up containers and images (dokku cleanup)', timeoutMs: TIMEOUTS.change, parse: noParse }
}

/** `dokku report`: the global section (uname, memory, disk, tool versions). Slow (seconds): cache it. */
export function hostReport (): CommandSpec<HostReport> {
  return { args: ['report'], kind: 'read', timeoutMs: TIMEOUTS.read, parse: ({ stdout }) => parseHostReport(stdout) }
}

// ---- letsencrypt cron job (server.md §4.3) -----------------------------------------------------

/** `dokku letsencrypt:cron-job`: its status (plugin 0.25.0+; `unknown` before). */
export function letsencryptCronJob (): CommandSpec<PluginResult<{ state: CronJobState }>> {
  return {
    args: ['letsencrypt:cron-job'],
    kind: 'read', timeoutMs: TIMEOUTS.read,
    acceptFailure: isNotInstalled,
    parse: (out) => (out.exitCode !== 0 ? { installed: false } : { installed: true, state: parseCronJobStatus(out.stdout) })
  }
}

/** `dokku letsencrypt:cron-job --add|--remove`: turns the daily renewal on or off (host-wide). */
export function letsencryptCronJobSet (enable: boolean): CommandSpec<void> {
  return {
    args: ['letsencrypt:cron-job', enable ? '--add' : '--remove'],
    label: enable ? 'Enable Let\'s Encrypt auto-renew' : 'Disable Let\'s Encrypt auto-renew',
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}

// ---- every app's certificate ---------------------------------------------------------------------

/**
 * `dokku certs:report`: every app's certificate in one call (the watchdog), as text. With no
 * app dokku fails with "You haven't deployed any applications yet" only when there are none.
 */
export function certsReportAll (now?: Date): CommandSpec<CertsReport[]> {
  return {
    args: ['certs:report'],
    kind: 'read', timeoutMs: TIMEOUTS.read,
    acceptFailure: (out) => out.exitCode === 1 && /You haven't deployed any applications yet/.test(out.stderr),
    parse: (out) => (out.exitCode !== 0 ? [] : parseCertsReportAll(out.stdout, now))
  }
}
