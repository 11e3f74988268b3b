import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DokkuError, InvalidArgumentError } from '../dokku/errors.js'
import type { SshKey } from '../dokku/parsers/host.js'
import { versionAtLeast } from '../dokku/parsers/version.js'
import { parsePublicKey, validateFingerprint, validateSshKeyName, type PublicKey } from '../dokku/ssh-key.js'
import { validateConfirmation } from '../dokku/validate.js'
import type { Host } from '../hosts/host.js'

/**
 * The SSH keys of a host: who can push (server.md §1). Listing works as the dokku user; adding
 * and removing need root. Where Docklight's dokku runs as root, a pasted key is added through a
 * private temporary key file (dokku reads stdin only when it is a pipe, and our children get
 * none), and a key is removed after its name is typed. Otherwise the page shows the exact
 * command an admin runs as root, with the key and name already checked, next to dokku's own
 * refusal.
 */

export type { SshKey }

export interface Privilege {
  /** dokku runs as root for Docklight. */
  root: boolean
  /** dokku's own words when it does not ("This command must be run as root"). */
  refusal: string | null
  /** A key file Docklight writes can be read where dokku runs (this machine). */
  canAdd: boolean
  canRemove: boolean
}

/** Bound: the root probe's answer is reused this long (it changes only with the setup). */
const PRIVILEGE_TTL_MS = 10 * 60_000
const privileges = new WeakMap<Host, { at: number; value: Promise<Privilege> }>()

/** Whether this host's dokku runs as root, asked once in a while (`plugin:installed`, harmless). */
export function privilege (host: Host): Promise<Privilege> {
  const cached = privileges.get(host)
  if (cached && Date.now() - cached.at < PRIVILEGE_TTL_MS) return cached.value
  const value = host.dokku.rootProbe().then(({ root, refusal }) => ({ root, refusal, canAdd: root && !host.remote, canRemove: root }))
  value.catch(() => privileges.delete(host))
  privileges.set(host, { at: Date.now(), value })
  return value
}

export function sshKeys (host: Host): Promise<SshKey[]> {
  return host.cache.get('ssh-keys:list', 'all', () => host.dokku.sshKeys())
}

/** POSIX single quotes: nothing inside is special to the shell. */
function shellQuote (text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`
}

/** How an admin reaches dokku as root on this host: on the server, and from afar for an SSH host. */
function rootPrefixes (host: Host): { onServer: string; remote: string | null } {
  const target = host.config.target
  const remote = target.kind === 'ssh' ? `ssh ${target.port === 22 ? '' : `-p ${target.port} `}root@${target.host} dokku` : null
  return { onServer: 'sudo dokku', remote }
}

export interface RootCommand {
  onServer: string
  /** From the admin's own machine (SSH hosts); null for a local host. */
  remote: string | null
}

/** The exact commands that add the (validated) key as root. */
export function addCommand (host: Host, key: PublicKey, name: string): RootCommand {
  const p = rootPrefixes(host)
  const echo = `echo ${shellQuote(key.line)} |`
  return { onServer: `${echo} ${p.onServer} ssh-keys:add ${name}`, remote: p.remote ? `${echo} ${p.remote} ssh-keys:add ${name}` : null }
}

export function removeCommand (host: Host, key: SshKey, byFingerprint: boolean): RootCommand {
  const p = rootPrefixes(host)
  const what = byFingerprint ? `--fingerprint ${key.fingerprint}` : key.name
  return { onServer: `${p.onServer} ssh-keys:remove ${what}`, remote: p.remote ? `${p.remote} ssh-keys:remove ${what}` : null }
}

export type AddOutcome =
  /** Added; `warning` when dokku exited non-zero after the key was in (server.md §1.3). */
  | { state: 'added'; name: string; fingerprint: string; warning: string | null }
  /** Not run here: the command to run as root, and why. */
  | { state: 'command'; name: string; fingerprint: string; command: RootCommand; refusal: string | null; reason: string }

/**
 * Adds a pasted public key under a name. Validation comes first, on every path (a private key
 * is refused without being written anywhere or repeated). A failed add is re-listed before it
 * is called a failure: dokku may have installed the key and still exited 1.
 */
export async function addKey (host: Host, rawName: unknown, rawKey: unknown): Promise<AddOutcome> {
  const name = validateSshKeyName(rawName)
  const key = parsePublicKey(rawKey)
  const existing = await sshKeys(host)
  if (existing.some((k) => k.name === name)) throw new InvalidArgumentError('name', `A key named ${name} is already there: choose another name`)
  if (existing.some((k) => k.fingerprint === key.fingerprint)) {
    throw new InvalidArgumentError('key', `That key is already there, as ${existing.find((k) => k.fingerprint === key.fingerprint)!.name}`)
  }
  const who = await privilege(host)
  if (!who.canAdd) {
    return {
      state: 'command', name, fingerprint: key.fingerprint, command: addCommand(host, key, name), refusal: who.refusal,
      reason: who.root ? 'dokku runs as root on another machine, where a key file written here cannot be read' : 'dokku does not run as root for Docklight'
    }
  }
  // A directory only we can read, a file only we can read, removed whatever happens.
  const dir = await mkdtemp(join(tmpdir(), 'docklight-key-'))
  try {
    const file = join(dir, 'key.pub')
    await writeFile(file, key.line + '\n', { mode: 0o600 })
    try {
      const added = await host.dokku.addSshKey(name, file)
      return { state: 'added', name, fingerprint: added.fingerprint ?? key.fingerprint, warning: null }
    } catch (err) {
      if (!(err instanceof DokkuError)) throw err
      const now = await host.dokku.sshKeys().catch(() => [] as SshKey[])
      if (now.some((k) => k.fingerprint === key.fingerprint)) return { state: 'added', name, fingerprint: key.fingerprint, warning: err.message }
      if (err.kind === 'forbidden') {
        return { state: 'command', name, fingerprint: key.fingerprint, command: addCommand(host, key, name), refusal: err.message, reason: 'dokku refused to add it' }
      }
      throw err
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
    host.cache.clear()
  }
}

export type RemoveOutcome =
  | { state: 'removed'; name: string }
  | { state: 'command'; name: string; command: RootCommand; refusal: string | null }

/** Removes a key by fingerprint, once its name was typed; or gives the root command. */
export async function removeKey (host: Host, rawFingerprint: unknown, typed: unknown): Promise<RemoveOutcome> {
  const fingerprint = validateFingerprint(rawFingerprint)
  const key = (await sshKeys(host)).find((k) => k.fingerprint === fingerprint)
  if (!key) throw new InvalidArgumentError('fingerprint', 'That key is no longer there')
  validateConfirmation(typed, key.name)
  const byFingerprint = versionAtLeast(await host.dokku.version(), '0.22.3')
  const who = await privilege(host)
  if (!who.canRemove) return { state: 'command', name: key.name, command: removeCommand(host, key, byFingerprint), refusal: who.refusal }
  try {
    await host.dokku.removeSshKey({ name: key.name, fingerprint })
  } catch (err) {
    if (err instanceof DokkuError && err.kind === 'forbidden') return { state: 'command', name: key.name, command: removeCommand(host, key, byFingerprint), refusal: err.message }
    throw err
  } finally {
    host.cache.clear()
  }
  return { state: 'removed', name: key.name }
}
