/**
 * The re-split harness (ssh-resplit.ts) against dokku's real entry-script logic run by bash,
 * over a corpus of command lines, and what that means for the argv our transport sends.
 */
import t from 'tap'
import { spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { dokkuReceives, dokkuReceivesCommand, entryScript, sshWire, type Received } from './ssh-resplit.js'

const dir = t.testdir({})
const empty = join(dir, 'cwd')
mkdirSync(empty)
const script = join(dir, 'dokku-entry')
// The second invocation's argv, NUL-separated: the rule that split it, the count, the words.
writeFileSync(script, entryScript(`dokku_run () {
  printf '%s\\0%s\\0' "$1" "$(( $# - 1 ))"
  shift
  (( $# == 0 )) || printf '%s\\0' "$@"
}`))
chmodSync(script, 0o755)

/** The entry script as sshd's forced command runs it: the login shell expands the variable unquoted. */
function reference (command: string): Received {
  const run = spawnSync('bash', ['-c', '"$0" $SSH_ORIGINAL_COMMAND', script], {
    env: { PATH: process.env.PATH, SSH_ORIGINAL_COMMAND: command },
    // Globbing of that unquoted expansion happens here: an empty directory leaves `*` as it is.
    cwd: empty,
    // Not a socket on stdin: bash would take that for an ssh session and source ~/.bashrc.
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024
  })
  if (run.status !== 0) throw new Error(`entry script failed (${run.status}): ${run.stderr}`)
  const [path, count, ...argv] = run.stdout.split('\0').slice(0, -1)
  if (Number(count) !== argv.length) throw new Error(`bad reference output: ${JSON.stringify(run.stdout)}`)
  return { path: path as Received['path'], argv, xargsError: run.stderr === '' ? null : run.stderr.trim() }
}

const COMMANDS = [
  'apps:list',
  'logs app -n 100',
  "logs app '-n' 100",
  'a -e b -E c -ne d -nE -En -neE e -n-e -nx',
  'a --help b',
  'a --version',
  '--quiet config:set app K=a b',
  `config:set app 'K=a b' "L=c  d"`,
  `a 'it'"'"'s' b`,
  `a "x'y" 'p"q'`,
  'a $(id) `id` \'$(id)\' "`id`" $HOME',
  "a ünïcödé ☃ '日本 語'",
  `a '' b "" c`,
  'a\\ b c\\\'d "e\\"f" \'g\\h\'',
  "a\tb\t'tab\there'",
  "domains:add app *.example.com '*.x.io' ?",
  'a - -- --- -x',
  "git:sync app 'https://x/y z' \"a b\" $(id)",
  "--quiet git:report app 'x y'",
  "digit:x 'a b'",
  "--app git-app ps:report 'a b'",
  "--version git:x 'a b'",
  "--quiet --version git:x 'a b'",
  "--app 'a b'",
  "a 'unbalanced b",
  'a "unbalanced b',
  '   ',
  ''
]

t.test('the harness agrees with the entry script run by bash', async (t) => {
  for (const command of COMMANDS) {
    const ours = dokkuReceivesCommand(command)
    const theirs = reference(command)
    t.same(ours, theirs, JSON.stringify(command))
  }
})

t.test('what the rules do (the cases issue 7 is about)', async (t) => {
  t.same(dokkuReceivesCommand('logs app -n 100').argv, ['logs', 'app', '100'], 'echo swallows a bare -n')
  t.same(dokkuReceivesCommand("logs app '-n' 100").argv, ['logs', 'app', '100'], 'quoting does not save it')
  t.same(dokkuReceivesCommand('a -e b -E c').argv, ['a', '', 'b', '', 'c'], '-e and -E become empty words')
  t.match(dokkuReceivesCommand('a --help').argv.slice(1).join('\n'), /Usage: echo/, '--help becomes echo\'s help')
  t.same(dokkuReceivesCommand(`config:set app 'K=a b' 'it'"'"'s'`).argv, ['config:set', 'app', 'K=a b', "it's"], 'xargs quote rules')
  t.same(dokkuReceivesCommand("git:sync app 'a b'"), { path: 'git', argv: ['git:sync', 'app', "'a", "b'"], xargsError: null }, 'git commands: quotes pass through literally')
  t.equal(dokkuReceivesCommand("digit:x 'a b'").path, 'git', 'any $1 containing "git" takes that path')
  const broken = dokkuReceivesCommand("a 'b c")
  t.same(broken.argv, ['a'], 'an unmatched quote: dokku runs with the words before it')
  t.match(broken.xargsError, /unmatched single quote/)
})

const LARGE = 'K=' + Buffer.alloc(64 * 1024, 0xa7).toString('base64')

const SURVIVES = [
  ['apps:list'],
  ['version'],
  ['--quiet', 'config:set', '--encoded', '--no-restart', 'app', `K=${Buffer.from('a b\n$(id)').toString('base64')}`],
  ['logs', 'app', '--tail', '--num', '100', '--ps', 'web', '--quiet'],
  ['postgres:link', 'db', 'app', '--alias', 'BLUE_DATABASE', '--no-restart'],
  ['config:set', 'app', 'K=a b', "it's", '"q"', "'", '$(id)', '`id`', 'ünï ☃ 日本', '', ' ', '  x  ', 'a\\b', 'tab\there', '-', '--', '-x', '-nx', '--quiet', '*', 'a?b'],
  ['letsencrypt:set', 'app', 'email', 'a$b`c{d|e}~f@example.com'],
  ['git:sync', 'app', 'https://example.com/r.git', 'main'],
  ['config:set', 'app', LARGE]
]

t.test('every argv of this kind reaches dokku exactly as built', async (t) => {
  for (const args of SURVIVES) {
    const label = JSON.stringify(args).slice(0, 100)
    const received = dokkuReceives(args)
    t.same(received, reference(sshWire(args)), `harness = bash: ${label}`)
    t.same(received.argv, args, `survives: ${label}`)
  }
})

t.test('what does not survive is refused or documented', async (t) => {
  for (const word of ['-n', '-e', '-E', '-ne', '-nEe', '--help', '--version']) {
    t.throws(() => sshWire(['logs', 'app', word, '100']), { message: /cannot be sent over SSH: dokku's re-split would drop it/ }, word)
  }
  t.throws(() => sshWire(['config:set', 'app', 'K=a\nb']), /newline/)
  // The naive split of git commands: a word with a space or a quote arrives changed, so a git
  // command may only carry plain words (the command-layer contract test checks ours).
  t.same(dokkuReceives(['git:sync', 'app', 'a b']).argv, ['git:sync', 'app', "'a", "b'"])
  t.same(dokkuReceives(['git:sync', 'app', 'https://x.io/r?ref=1&x']).argv, ['git:sync', 'app', "'https://x.io/r?ref=1&x'"])
})
