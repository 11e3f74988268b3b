/**
 * `ssh-keys:list`, `ssh-keys:add`, `ssh-keys:remove` (server.md §1) and `plugin:installed`, the
 * root-only read Docklight asks to learn whether it runs as root. The simulator runs as the
 * dokku user unless `DOKKU_SIM_ROOT=1` (then as root, as `sudo dokku …` would).
 */
import { readFileSync } from 'node:fs'
import { parsePublicKey } from '../../ssh-key.js'
import { InvalidArgumentError } from '../../errors.js'
import type { Ctx } from '../context.js'
import type { SimSshKey, SimState } from '../state.js'

/** sshcommand's default forced options (`SSHCOMMAND_ALLOWED_KEYS`). */
export const ALLOWED_KEYS = 'no-agent-forwarding,no-user-rc,no-X11-forwarding,no-port-forwarding'

export function runsAsRoot (ctx: Ctx): boolean {
  return ctx.env.DOKKU_SIM_ROOT === '1'
}

function requireRoot (ctx: Ctx): void {
  if (!runsAsRoot(ctx)) ctx.fail('This command must be run as root')
}

function keysOf (s: SimState): SimSshKey[] {
  return s.sshKeys ?? []
}

/** What an empty authorized_keys gives: sshcommand's words (no prefix) since 0.35.16, dokku's own before. */
function noKeys (ctx: Ctx): never {
  if (ctx.atLeast('0.35.16')) {
    ctx.err('authorized_keys is empty for dokku\n')
    return ctx.exit(1)
  }
  return ctx.fail('No public keys found.')
}

/** sshcommand's JSON: not escaped, `{ "k": "v", … }` spacing when unfiltered, compact (jq -cM) when filtered. */
function jsonList (keys: readonly SimSshKey[], compact: boolean): string {
  const objects = keys.map((k) => {
    const pairs: Array<[string, string]> = [['fingerprint', k.fingerprint], ['name', k.name], ['SSHCOMMAND_ALLOWED_KEYS', ALLOWED_KEYS], ['public-key', k.publicKey]]
    return compact
      ? '{' + pairs.map(([key, v]) => `"${key}":"${v}"`).join(',') + '}'
      : '{ ' + pairs.map(([key, v]) => `"${key}": "${v}"`).join(', ') + ' }'
  })
  return '[' + objects.join(',') + ']'
}

export async function cmdSshKeysList (ctx: Ctx, args: string[]): Promise<void> {
  let format = 'text'
  let rest = args
  // `--format` is recognised only as the first argument (0.22.3+).
  if (ctx.atLeast('0.22.3') && args[0] === '--format') {
    format = args[1] ?? ''
    rest = args.slice(2)
    if (format !== 'json' && format !== 'text') ctx.fail('Invalid output format specified, supported formats: json, text')
  }
  const name = rest[0]
  const s = await ctx.store.read()
  const all = keysOf(s)
  if (all.length === 0) noKeys(ctx)
  const keys = name === undefined ? all : all.filter((k) => k.name === name)
  if (format === 'json') {
    ctx.line(jsonList(keys, name !== undefined))
    return
  }
  if (keys.length === 0) ctx.exit(1)
  for (const k of keys) ctx.line(`${k.fingerprint} NAME="${k.name}" SSHCOMMAND_ALLOWED_KEYS="${ALLOWED_KEYS}"`)
}

/** The key from the file argument (read as root on this machine), or from stdin only when it is a pipe. */
async function keyText (ctx: Ctx, file: string | undefined): Promise<string> {
  if (file !== undefined) {
    let text = ''
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      text = ''
    }
    if (text.trim() === '') ctx.fail('Empty key was specified')
    const lines = text.split('\n').filter((l) => l.trim() !== '')
    if (lines.length > 1) ctx.fail('Too many keys provided, set one per invocation of dokku ssh-keys:add <NAME> <KEY_FILE>')
    return lines[0]!
  }
  // `[[ -p /dev/stdin ]]`: the simulator is told whether its stdin is a pipe.
  if (ctx.env.DOKKU_SIM_STDIN_IS_PIPE !== '1' || !ctx.io.readLine) ctx.fail('No key specified via file or pipe')
  const line = await ctx.io.readLine()
  // bash's `read` fails at EOF without a newline, and `set -e` ends the script silently.
  if (line === null || line.trim() === '') ctx.exit(1)
  return line
}

export async function cmdSshKeysAdd (ctx: Ctx, args: string[]): Promise<void> {
  requireRoot(ctx)
  const [name, file] = args
  const text = await keyText(ctx, file)
  let key
  try {
    key = parsePublicKey(text)
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err
    return ctx.fail('Key specified in is not a valid ssh public key')
  }
  if (name === undefined || name === '') {
    ctx.err('Usage: sshcommand acl-add USER NAME < KEY_FILE\n')
    return ctx.fail('sshcommand returned an error: 1')
  }
  const outcome = await ctx.store.update((s) => {
    const keys = keysOf(s)
    if (keys.some((k) => k.name === name)) return 'name'
    if (keys.some((k) => k.fingerprint === key.fingerprint)) return 'key'
    s.sshKeys = [...keys, { name, fingerprint: key.fingerprint, publicKey: key.line }]
    return s.authorizedKeysHasComment ? 'comment' : 'added'
  })
  if (outcome === 'name' || outcome === 'key') {
    ctx.err(outcome === 'name' ? 'Duplicate ssh key name\n' : 'Duplicate ssh public key specified\n')
    return ctx.fail('sshcommand returned an error: 1')
  }
  ctx.line(key.fingerprint)
  // dokku checks the whole file after adding, `#` comment lines included (server.md §1.3):
  // the key is in, the fingerprint printed, and still the exit is 1.
  if (outcome === 'comment') ctx.fail('/home/dokku/.ssh/authorized_keys line 1 failed ssh-keygen check.')
}

export async function cmdSshKeysRemove (ctx: Ctx, args: string[]): Promise<void> {
  requireRoot(ctx)
  const byFingerprint = ctx.atLeast('0.22.3') && args[0] === '--fingerprint'
  const value = byFingerprint ? args[1] : args[0]
  if (value === undefined || value === '') {
    return ctx.fail(byFingerprint
      ? 'A fingerprint is required to remove a key, ie: dokku ssh-keys:remove --fingerprint FINGERPRINT'
      : 'A name is required to remove a key, ie: dokku ssh-keys:remove <name>')
  }
  const s = await ctx.store.read()
  if (keysOf(s).length === 0) ctx.fail('No public keys found.')
  // Silent, and exit 0 whether or not anything matched.
  await ctx.store.update((st) => {
    st.sshKeys = keysOf(st).filter((k) => (byFingerprint ? k.fingerprint !== value : k.name !== value))
  })
}

/** `plugin:installed <name>`: root only; no output, exit 0 when installed, 1 when not. */
export async function cmdPluginInstalled (ctx: Ctx, args: string[]): Promise<void> {
  requireRoot(ctx)
  const s = await ctx.store.read()
  if (!s.plugins.some((p) => p.name === args[0])) ctx.exit(1)
}
