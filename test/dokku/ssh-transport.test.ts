/**
 * The SSH transport end to end: a real sshd on loopback whose forced command is dokku's own
 * (`… ENTRY $SSH_ORIGINAL_COMMAND`) and whose entry script re-splits the command line as
 * dokku's does (ssh-resplit.ts `entryScript`: global-flag shift, the git rule, xargs), then
 * runs the simulator. Proves that argv, exit codes and config values of any bytes survive the
 * trip, that a log tail closed over SSH leaves no process on the Dokku side, and that no
 * DOCKLIGHT_* variable crosses.
 */
import t from 'tap'
import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { openDatabase } from '../../src/db/database.js'
import { HistoryRepository } from '../../src/db/history.js'
import { DokkuClient } from '../../src/dokku/client.js'
import { DokkuError } from '../../src/dokku/errors.js'
import type { LogLine } from '../../src/dokku/parsers/logs.js'
import { DEFAULT_RUNNER_OPTIONS, Runner } from '../../src/dokku/runner.js'
import { simulatorCli, SshTransport } from '../../src/dokku/transport.js'
import { parseEnv, plant } from './planted-env.js'
import { entryScript } from './ssh-resplit.js'

const SSHD = '/usr/sbin/sshd'

async function freePort (): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

/** Live processes (not zombies) whose environment holds `marker` ("NAME=value"). */
function processesWith (marker: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker)) continue
      if (/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${entry}/stat`, 'utf8'))) continue
      found.push(Number(entry))
    } catch { /* gone meanwhile, or not ours to read */ }
  }
  return found
}

async function rejection (p: Promise<unknown>): Promise<unknown> {
  try { await p } catch (e) { return e }
  throw new Error('expected a rejection')
}

if (!existsSync(SSHD)) {
  if (process.env.CI) t.fail(`${SSHD} is missing: .ci/run installs openssh-server`)
  else t.test('ssh transport against a local sshd', { skip: `${SSHD} is not installed (apt-get install -y openssh-server)` }, async () => {})
} else {
  const dir = t.testdir({})
  const user = execFileSync('id', ['-un']).toString().trim()
  const port = await freePort()
  const keygen = (name: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, name)])
  for (const name of ['host_key', 'client_key', 'idle_key', 'env_key']) keygen(name)
  const entry = join(dir, 'dokku-entry')
  // `$0 "${ssh_arg_array[@]}"` becomes the simulator (not exec'd: like dokku, the entry script
  // stays the session's leader and the command its child).
  writeFileSync(entry, entryScript(`dokku_run () {
  shift
  "${process.execPath}" "${simulatorCli()}" "$@"
}`))
  chmodSync(entry, 0o755)
  const state = join(dir, 'state.json')
  // The idle simulator's state path is also the marker that finds its processes in /proc.
  const idleState = join(dir, 'idle-state.json')
  const key = (name: string) => readFileSync(join(dir, `${name}.pub`), 'utf8').trim()
  const options = 'no-agent-forwarding,no-user-rc,no-X11-forwarding,no-port-forwarding'
  writeFileSync(join(dir, 'authorized_keys'), [
    `command="DOKKU_SIM_STATE=${state} DOKKU_SIM_STEP_MS=0 ${entry} $SSH_ORIGINAL_COMMAND",${options} ${key('client_key')}`,
    // A `logs -t` here sleeps for an hour between lines: it cannot die of SIGPIPE on its next write.
    `command="DOKKU_SIM_STATE=${idleState} DOKKU_SIM_STEP_MS=600000 ${entry} $SSH_ORIGINAL_COMMAND",${options} ${key('idle_key')}`,
    `command="/usr/bin/env",${options} ${key('env_key')}`,
    ''
  ].join('\n'))
  writeFileSync(join(dir, 'sshd_config'), [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, `PidFile ${join(dir, 'sshd.pid')}`,
    'StrictModes no', 'UsePAM no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
    'PermitRootLogin forced-commands-only', `AllowUsers ${user}`, 'LogLevel ERROR',
    // The server would take DOCKLIGHT_* if a client sent it: only our child env stands in the way.
    'AcceptEnv LANG DOCKLIGHT_*', ''
  ].join('\n'))
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${readFileSync(join(dir, 'host_key.pub'), 'utf8')}`)
  mkdirSync('/run/sshd', { recursive: true })

  const sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] })
  let sshdLog = ''
  sshd.stderr.on('data', (d: Buffer) => { sshdLog += d.toString() })
  t.teardown(() => { sshd.kill() })

  const history = new HistoryRepository(openDatabase(':memory:'))
  const transport = (name: string, extra: string[] = []) => new SshTransport({ user, host: '127.0.0.1', port }, [
    '-i', join(dir, name), '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, '-o', 'IdentitiesOnly=yes', ...extra
  ])
  const runner = (name: string, extra?: string[]) => new Runner(transport(name, extra), history, { ...DEFAULT_RUNNER_OPTIONS, maxTimeoutMs: 20_000 })
  const client = new DokkuClient(runner('client_key'))

  let version: Awaited<ReturnType<DokkuClient['version']>> | undefined
  for (let i = 0; i < 50; i++) {
    try { version = await client.version(); break } catch { await sleep(100) }
  }

  t.test('argv, exit codes and config values survive ssh and dokku\'s re-split', async (t) => {
    t.ok(version?.parts, `dokku answered over ssh (${version?.raw}) ${sshdLog}`)
    t.ok((await client.listApps()).includes('node-js-app'))

    const values = {
      SPACES: 'a b  c',
      QUOTES: `it's "quoted"`,
      SHELL: '$(id) `id` ; rm -rf / && echo $HOME',
      UNICODE: 'ünïcödé ☃ 日本',
      NEWLINES: 'line 1\nline 2\n',
      EMPTYISH: ' ',
      ECHO_FLAG: '-n'
    }
    await client.configSet('node-js-app', values, { noRestart: true })
    const exported = await client.configExport('node-js-app')
    for (const [k, v] of Object.entries(values)) t.equal(exported[k], v, `${k} survived ssh and dokku's re-splitting`)

    await client.createApp('made-over-ssh')
    t.ok((await client.listApps()).includes('made-over-ssh'))
    const missing = await client.psReport('no-such-app').catch((e: unknown) => e)
    t.ok(missing instanceof DokkuError && missing.kind === 'app-missing' && missing.exitCode === 20, 'exit 20 passes through ssh')
    t.notMatch(JSON.stringify(history.list({ limit: 500 })), /rm -rf|日本|quoted/, 'no config value in history')

    // Long flags only: `logs APP -n 2` would reach dokku as `logs APP 2` (all 100 lines).
    const lines = await client.logs('node-js-app', { lines: 2, process: 'web' })
    t.same(lines.map((l) => l.process), ['web.1', 'web.1', 'web.2', 'web.2'], '--num and --ps arrived')
    await client.linkService('postgres', 'reporting', 'node-js-app', { alias: 'REPORTS', noRestart: true })
    t.match(await client.configGet('node-js-app', 'REPORTS_URL'), /^postgres:\/\//, '--alias arrived')
  })

  t.test('a log tail closed over SSH leaves no process on the Dokku side', async (t) => {
    const idle = new DokkuClient(runner('idle_key'))
    const marker = `DOKKU_SIM_STATE=${idleState}`
    const lines: LogLine[] = []
    let raw = ''
    const tail = idle.tailLogs('node-js-app', { lines: 2, onLine: (l) => lines.push(l), onOutput: (_s, text) => { raw += text } })
    // The backlog: 2 lines of each of the 3 containers, then `logs -t` idles.
    for (let i = 0; i < 200 && lines.length < 6; i++) await sleep(50)
    t.equal(lines.length, 6, 'the backlog arrived')
    t.match(raw, /\r\n/, 'through a terminal: lines end in CRLF')
    t.same(lines.map((l) => l.process), ['web.1', 'web.1', 'web.2', 'web.2', 'worker.1', 'worker.1'], 'and still parse')
    t.notOk(lines.some((l) => /\r/.test(l.message)), 'no CR left in a message')
    const remote = processesWith(marker)
    t.ok(remote.length > 0, `dokku logs --tail runs on the Dokku side (pids ${remote.join(' ')})`)

    tail.stop()
    const end = await tail.done
    t.equal(end.reason, 'stopped', 'our end classifies the exit as stopped')
    t.equal(history.get(end.historyId)?.status, 'cancelled')
    // sshd hangs up the terminal when our ssh goes: SIGHUP ends the command's whole session.
    for (let i = 0; i < 200 && processesWith(marker).length > 0; i++) await sleep(50)
    t.same(processesWith(marker), [], 'no process of that tail is left')
  })

  t.test('through a terminal, dokku\'s refusals and a tail that ends still come out right', async (t) => {
    const idle = new DokkuClient(runner('idle_key'))
    const ghost = await rejection(idle.tailLogs('ghost').done)
    t.ok(ghost instanceof DokkuError, 'rejected with a DokkuError')
    t.match(ghost, { kind: 'app-missing', exitCode: 20, message: 'App ghost does not exist' }, 'merged into stdout, CRLF and all, the message is dokku\'s')
    t.match(await rejection(idle.tailLogs('static-site').done), { kind: 'not-deployed', exitCode: 1, message: 'App static-site has not been deployed' })
    const lines: LogLine[] = []
    const stopped = idle.tailLogs('python-app', { lines: 1, onLine: (l) => lines.push(l) })
    t.equal((await stopped.done).reason, 'ended', 'no running container: dokku ends by itself')
    t.match(lines, [{ process: 'web.1', message: 'Received SIGTERM, shutting down gracefully' }])
  })

  t.test('no DOCKLIGHT_* variable reaches the Dokku side, even where ssh would forward it', async (t) => {
    plant(t)
    const lang = process.env.LANG
    process.env.LANG = 'C.UTF-8'
    t.teardown(() => { if (lang === undefined) delete process.env.LANG; else process.env.LANG = lang })
    // SendEnv asks ssh to forward them and the server's AcceptEnv takes them: what ssh never
    // had in its environment, it cannot send.
    const probe = runner('env_key', ['-o', 'SendEnv=LANG DOCKLIGHT_*'])
    const r = await probe.run('dokku', { args: ['env'] })
    t.equal(r.status, 'success', r.stderr)
    const remote = parseEnv(r.stdout)
    t.equal(remote.get('LANG'), 'C.UTF-8', 'an allowlisted variable does cross (the channel works)')
    t.equal(remote.get('SSH_ORIGINAL_COMMAND'), 'env')
    t.same([...remote.keys()].filter((k) => k.startsWith('DOCKLIGHT_')), [], 'no DOCKLIGHT_* variable')
    t.notMatch(r.stdout, /planted/, 'no planted value under any name')
    t.notMatch(history.get(r.id)?.stdout ?? '', /planted/)
  })
}
