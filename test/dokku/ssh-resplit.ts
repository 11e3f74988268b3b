/**
 * What dokku really receives when Docklight runs a command over SSH, built from the rules in
 * dokku-reference/ssh-and-permissions.md §2 and dokku's entry script (dokku/dokku 33896f5d7,
 * `dokku`):
 *
 * 1. The wire form: SshTransport quotes each argument (quoteForDokkuSsh) and the ssh client
 *    joins what follows `--` with single spaces. That string is `$SSH_ORIGINAL_COMMAND`.
 * 2. The forced command (`… /usr/bin/dokku $SSH_ORIGINAL_COMMAND`) is run by the login shell,
 *    whose field splitting of the unquoted variable gives the entry script its `$@`; the script
 *    shifts off leading `--…` global flags, and what is left first is `$1`.
 * 3. `$1 =~ git-*` or `git:*` (unanchored: any `$1` containing `git`): `$0 $SSH_ORIGINAL_COMMAND`
 *    under `set -f`, a plain whitespace split with no quote handling. Otherwise
 *    `readarray -t … < <(printf '%s' "$SSH_ORIGINAL_COMMAND" | xargs -n 1)`: here the real
 *    xargs runs, and with it /bin/echo once per word, which is the point (it eats `-n`).
 *
 * `entryScript()` is the same logic as bash, copied from the entry script, for validating this
 * module and for the loopback sshd's forced command.
 */
import { spawnSync } from 'node:child_process'
import { SshTransport } from '../../src/dokku/transport.js'

export interface Received {
  /** The argv dokku's second invocation (`$0 …`) gets. */
  argv: string[]
  /** Which rule of the entry script split it (`direct`: no command, dokku runs with no argv). */
  path: 'git' | 'xargs' | 'direct'
  /** xargs' complaint (an unmatched quote): dokku still runs, with the words before it. */
  xargsError: string | null
}

const transport = new SshTransport({ user: 'dokku', host: 'dokku.example', port: 22 })

/** `$SSH_ORIGINAL_COMMAND` for an argv: what our transport hands ssh after `--`, space-joined. */
export function sshWire (args: readonly string[]): string {
  const prepared = transport.prepare(args).args
  return prepared.slice(prepared.indexOf('--') + 1).join(' ')
}

/** The shell's field splitting of an unquoted expansion with the default IFS (no quote removal). */
export function shellFields (command: string): string[] {
  return command.split(/[ \t\n]+/).filter((w) => w !== '')
}

/** `$1` after the entry script's leading-global-flag loop (its `--version` and `--app` quirks included). */
export function entryFirstArg (fields: readonly string[]): string | undefined {
  const positional = [...fields]
  if (fields[0]?.startsWith('--')) {
    let skip = false
    for (const arg of fields) {
      if (skip) { skip = false; continue }
      if (arg === '--version') continue
      if (arg === '--app') {
        // `shift 2 && skip_arg=true`: with one word left, shift fails and nothing moves.
        if (positional.length >= 2) { positional.splice(0, 2); skip = true }
      } else if (arg.startsWith('--')) {
        positional.shift()
      } else {
        break
      }
    }
  }
  return positional[0]
}

/** `[[ $1 =~ git-* ]] || [[ $1 =~ git:* ]]`, as bash's unanchored regexes read them. */
export function takesGitPath (first: string | undefined): boolean {
  return first !== undefined && (/git-*/.test(first) || /git:*/.test(first))
}

/** `readarray -t`: one element per line, the final newline ends the last one. */
function readarrayLines (text: string): string[] {
  if (text === '') return []
  const lines = text.split('\n')
  if (lines[lines.length - 1] === '') lines.pop()
  return lines
}

/** Bound: a suite sends a few hundred distinct command lines; past 1000 the cache starts over. */
const splits = new Map<string, { argv: string[], error: string | null }>()

/** The real `xargs -n 1` (and its /bin/echo per word) over `command` on stdin. */
export function xargsSplit (command: string): { argv: string[], error: string | null } {
  const known = splits.get(command)
  if (known) return { argv: [...known.argv], error: known.error }
  const run = spawnSync('xargs', ['-n', '1'], { input: command, encoding: 'utf8', env: { PATH: process.env.PATH } })
  if (run.error) throw run.error
  const result = { argv: readarrayLines(run.stdout), error: run.status === 0 ? null : run.stderr.trim() }
  if (splits.size >= 1000) splits.clear()
  splits.set(command, result)
  return { argv: [...result.argv], error: result.error }
}

/** What dokku receives for an `$SSH_ORIGINAL_COMMAND`. */
export function dokkuReceivesCommand (command: string): Received {
  if (command === '') return { argv: [], path: 'direct', xargsError: null }
  if (takesGitPath(entryFirstArg(shellFields(command)))) return { argv: shellFields(command), path: 'git', xargsError: null }
  const { argv, error } = xargsSplit(command)
  return { argv, path: 'xargs', xargsError: error }
}

/** What dokku receives when SshTransport sends `args` (throws where the transport refuses them). */
export function dokkuReceives (args: readonly string[]): Received {
  return dokkuReceivesCommand(sshWire(args))
}

/**
 * dokku's entry-script logic for SSH, as bash: the lines of `dokku` that decide what the
 * second invocation gets, verbatim but for `$0`, which becomes a call of `dokku_run PATH ARGS…`
 * (`prelude` defines it). `parse_args` is left out: it only exports flags. Run it as the forced
 * command does: `bash -c 'script $SSH_ORIGINAL_COMMAND'`.
 */
export function entryScript (prelude: string): string {
  return `#!/usr/bin/env bash
set -eo pipefail
${prelude}
args=("$@")
skip_arg=false
if [[ "\${args[0]}" =~ ^--.* ]]; then
  for arg in "$@"; do
    $skip_arg && skip_arg=false && continue
    if [[ "$arg" == "--version" ]]; then
      continue
    fi
    if [[ "$arg" == "--app" ]]; then
      shift 2 && skip_arg=true
    elif [[ "$arg" =~ ^--.* ]]; then
      shift 1
    else
      break
    fi
  done
fi
if [[ -n "$SSH_ORIGINAL_COMMAND" ]]; then
  export -n SSH_ORIGINAL_COMMAND
  exit_code=0
  if [[ $1 =~ git-* ]] || [[ $1 =~ git:* ]]; then
    set -f
    dokku_run git $SSH_ORIGINAL_COMMAND || exit_code=$?
    set +f
  else
    readarray -t -O "\${#ssh_arg_array[@]}" ssh_arg_array < <(printf '%s' "$SSH_ORIGINAL_COMMAND" | xargs -n 1)
    set -f
    dokku_run xargs "\${ssh_arg_array[@]}" || exit_code=$?
    set +f
  fi
  exit $exit_code
fi
dokku_run direct "$@"
`
}
