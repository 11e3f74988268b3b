/**
 * The SSH transport end to end: a real sshd on loopback whose forced command is dokku's own
 * (`… ENTRY $SSH_ORIGINAL_COMMAND`) and whose entry script re-splits the command line as
 * dokku's does (ssh-resplit.ts `entryScript`: global-flag shift, the git rule, xargs), then
 * runs the simulator. Proves that argv, exit codes and config values of any bytes survive the
 * trip, that a log tail closed over SSH leaves no process on the Dokku side, and that no
 * DOCKLIGHT_* variable crosses. (The sshd is src/bench/loopback-sshd.ts, shared with the bench
 * and ssh-multiplex.test.ts.)
 */
import t from 'tap'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { processesWithEnv as processesWith, sshdAvailable, SSHD, startLoopbackSshd, writeExecutable } from '../../src/bench/loopback-sshd.js'
import { openDatabase } from '../../src/db/database.js'
import { HistoryRepository } from '../../src/db/history.js'
import { DokkuClient } from '../../src/dokku/client.js'
import { DokkuError } from '../../src/dokku/errors.js'
import type { LogLine } from '../../src/dokku/parsers/logs.js'
import { DEFAULT_RUNNER_OPTIONS, Runner } from '../../src/dokku/runner.js'
import { simulatorCli } from '../../src/dokku/transport.js'
import { parseEnv, plant } from './planted-env.js'
import { entryScript } from './ssh-resplit.js'

async function rejection (p: Promise<unknown>): Promise<unknown> {
  try { await p } catch (e) { return e }
  throw new Error('expected a rejection')
}

if (!sshdAvailable()) {
  if (process.env.CI) t.fail(`${SSHD} is missing: .ci/run installs openssh-server`)
  else t.test('ssh transport against a local sshd', { skip: `${SSHD} is not installed (apt-get install -y openssh-server)` }, async () => {})
} else {
  const dir = t.testdir({})
  const entry = join(dir, 'dokku-entry')
  // `$0 "${ssh_arg_array[@]}"` becomes the simulator (not exec'd: like dokku, the entry script
  // stays the session's leader and the command its child).
  writeExecutable(entry, entryScript(`dokku_run () {
  shift
  "${process.execPath}" "${simulatorCli()}" "$@"
}`))
  const state = join(dir, 'state.json')
  // The idle simulator's state path is also the marker that finds its processes in /proc.
  const idleState = join(dir, 'idle-state.json')
  const sshd = await startLoopbackSshd({
    dir,
    keys: [
      { name: 'client_key', command: `DOKKU_SIM_STATE=${state} DOKKU_SIM_STEP_MS=0 ${entry} $SSH_ORIGINAL_COMMAND` },
      // A `logs -t` here sleeps for an hour between lines: it cannot die of SIGPIPE on its next write.
      { name: 'idle_key', command: `DOKKU_SIM_STATE=${idleState} DOKKU_SIM_STEP_MS=600000 ${entry} $SSH_ORIGINAL_COMMAND` },
      { name: 'env_key', command: '/usr/bin/env' }
    ],
    // The server would take DOCKLIGHT_* if a client sent it: only our child env stands in the way.
    config: ['AcceptEnv LANG DOCKLIGHT_*']
  })
  t.teardown(() => sshd.close())

  const history = new HistoryRepository(openDatabase(':memory:'))
  const runner = (name: string, extra?: string[]) => new Runner(sshd.transport(name, { extra }), history, { ...DEFAULT_RUNNER_OPTIONS, maxTimeoutMs: 20_000 })
  const client = new DokkuClient(runner('client_key'))

  let version: Awaited<ReturnType<DokkuClient['version']>> | undefined
  for (let i = 0; i < 50; i++) {
    try { version = await client.version(); break } catch { await sleep(100) }
  }

  t.test('argv, exit codes and config values survive ssh and dokku\'s re-split', async (t) => {
    t.ok(version?.parts, `dokku answered over ssh (${version?.raw}) ${sshd.log}`)
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
