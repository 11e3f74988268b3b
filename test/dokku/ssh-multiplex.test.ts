/**
 * One SSH connection per host, against a real sshd on loopback (dokku's forced command and
 * re-split, as in ssh-transport.test.ts): calls share one master connection (sshd accepts one
 * connection however many calls run), a master that dies or hangs is replaced by the next call,
 * a log tail still ends on the Dokku side when stopped, and close() ends the master.
 * sshd's log counts the handshakes: one "Accepted publickey" line per connection.
 */
import t from 'tap'
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { masterPids, processesWithEnv, sshdAvailable, startLoopbackSshd, writeExecutable, SSHD, type LoopbackSshd } from '../../src/bench/loopback-sshd.js'
import { openDatabase } from '../../src/db/database.js'
import { HistoryRepository } from '../../src/db/history.js'
import { DokkuClient } from '../../src/dokku/client.js'
import type { LogLine } from '../../src/dokku/parsers/logs.js'
import { DEFAULT_RUNNER_OPTIONS, Runner } from '../../src/dokku/runner.js'
import { MAX_CONTROL_PATH, simulatorCli, SshTransport } from '../../src/dokku/transport.js'
import { transportForHost } from '../../src/hosts/transport.js'
import { entryScript } from './ssh-resplit.js'

t.test('the control socket lives in the data dir, reachable by us alone', async (t) => {
  // Short (a testdir path is too long for a socket address), with the directory already there,
  // looser: it is tightened.
  const dataDir = mkdtempSync(join(tmpdir(), 'dl-data-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  mkdirSync(join(dataDir, 'ssh-control'), { mode: 0o755 })
  const transport = transportForHost({ name: 'prod', target: { kind: 'ssh', user: 'dokku', host: 'dokku.example', port: 22 } }, dataDir)
  t.ok(transport instanceof SshTransport)
  t.equal(statSync(join(dataDir, 'ssh-control')).mode & 0o777, 0o700, 'mode 0700')
  const path = (transport as SshTransport).controlPath
  t.ok(path?.startsWith(join(dataDir, 'ssh-control') + '/'), `socket ${path} in the data dir`)
  const args = transport.prepare(['apps:list']).args
  t.ok(args.includes(`ControlPath=${path}`) && args.includes('ControlMaster=auto') && args.some((a) => a.startsWith('ControlPersist=')), 'ssh is told to share it')
})

t.test('one key, one master: transports that differ in their ssh options never share a socket', async (t) => {
  const target = { user: 'dokku', host: 'dokku.example', port: 22 }
  const a = new SshTransport(target, ['-i', '/keys/a'], { controlDir: '/tmp/c' })
  const b = new SshTransport(target, ['-i', '/keys/b'], { controlDir: '/tmp/c' })
  const c = new SshTransport({ ...target, port: 2222 }, ['-i', '/keys/a'], { controlDir: '/tmp/c' })
  t.not(a.controlPath, b.controlPath, 'another key is another master (it may have another forced command)')
  t.not(a.controlPath, c.controlPath)
  t.equal(a.controlPath, new SshTransport(target, ['-i', '/keys/a'], { controlDir: '/tmp/c' }).controlPath, 'and the same transport finds its master again (after a restart too)')
})

t.test('a control dir too deep for a socket address goes without a master rather than failing', async (t) => {
  const deep = new SshTransport({ user: 'dokku', host: 'dokku.example', port: 22 }, [], { controlDir: '/' + 'd'.repeat(MAX_CONTROL_PATH) })
  t.equal(deep.controlPath, null)
  t.notOk(deep.prepare(['apps:list']).args.some((a) => a.startsWith('Control')), 'no Control* option at all')
})

if (!sshdAvailable()) {
  if (process.env.CI) t.fail(`${SSHD} is missing: .ci/run installs openssh-server`)
  else t.test('ssh multiplexing against a local sshd', { skip: `${SSHD} is not installed (apt-get install -y openssh-server)` }, async () => {})
} else {
  const dir = t.testdir({})
  const entry = join(dir, 'dokku-entry')
  writeExecutable(entry, entryScript(`dokku_run () {
  shift
  "${process.execPath}" "${simulatorCli()}" "$@"
}`))
  const state = join(dir, 'state.json')
  const idleState = join(dir, 'idle-state.json')
  const sshd: LoopbackSshd = await startLoopbackSshd({
    dir,
    keys: [
      { name: 'client_key', command: `DOKKU_SIM_STATE=${state} DOKKU_SIM_STEP_MS=0 ${entry} $SSH_ORIGINAL_COMMAND` },
      // A `logs -t` here sleeps for an hour between lines: it cannot die of SIGPIPE on its next write.
      { name: 'idle_key', command: `DOKKU_SIM_STATE=${idleState} DOKKU_SIM_STEP_MS=600000 ${entry} $SSH_ORIGINAL_COMMAND` }
    ],
    // The second port allows one session per connection: a master's second session is refused.
    extraPorts: 1,
    config: (ports) => [`Match LocalPort ${ports[1]}`, 'MaxSessions 1']
  })
  // Short: a socket address holds 107 bytes, and a testdir path is long.
  const controlRoot = mkdtempSync(join(tmpdir(), 'dl-mux-'))
  const transports: SshTransport[] = []
  t.teardown(async () => {
    for (const tr of transports) {
      // A master a test stopped must be killed, not asked.
      for (const pid of tr.controlPath ? masterPids(tr.controlPath) : []) {
        try { process.kill(pid, 'SIGKILL') } catch { /* gone */ }
      }
    }
    await sshd.close()
    rmSync(controlRoot, { recursive: true, force: true })
  })

  const history = new HistoryRepository(openDatabase(':memory:'))
  let dirs = 0
  /** A transport with a master of its own (its own control dir), its runner and client. */
  const setup = (key: string, port?: number) => {
    const controlDir = join(controlRoot, String(++dirs))
    mkdirSync(controlDir, { mode: 0o700 })
    const transport = sshd.transport(key, { multiplexing: { controlDir }, port })
    transports.push(transport)
    const runner = new Runner(transport, history, { ...DEFAULT_RUNNER_OPTIONS, maxTimeoutMs: 20_000 })
    return { transport, runner, client: new DokkuClient(runner), path: transport.controlPath! }
  }
  const onlyMaster = (path: string): number => {
    const pids = masterPids(path)
    if (pids.length !== 1) throw new Error(`expected one master for ${path}, found ${pids.length}`)
    return pids[0]!
  }

  t.test('many calls, one handshake: a burst from cold and calls one after another share one master', async (t) => {
    const { client, path } = setup('client_key')
    const before = sshd.accepted()
    // From cold, six at once: one becomes the master, the others wait for it.
    const burst = await Promise.all([
      client.listApps(), client.psReportAll(), client.psReport('node-js-app'),
      client.domainsReportAll(), client.configExport('node-js-app'), client.listPlugins()
    ])
    t.ok(burst[0].includes('node-js-app'), 'the burst answered')
    for (let i = 0; i < 8; i++) t.ok((await client.psReport('node-js-app')).deployed)
    t.equal(sshd.accepted() - before, 1, `15 dokku calls, 1 ssh connection accepted ${sshd.log.slice(-2000)}`)
    t.ok(existsSync(path), 'the control socket is in place')
    onlyMaster(path)
    t.same(history.list({ limit: 50 }).filter((r) => r.status !== 'success'), [], 'every call succeeded')
  })

  t.test('a master that was killed (its socket left behind) is replaced by the next call', async (t) => {
    const { client, path } = setup('client_key')
    await client.listApps()
    const first = onlyMaster(path)
    process.kill(first, 'SIGKILL')
    for (let i = 0; i < 100 && masterPids(path).length > 0; i++) await sleep(20)
    t.ok(existsSync(path), 'the dead master left its socket')
    const before = sshd.accepted()
    t.ok((await client.psReport('node-js-app')).deployed, 'the next call works')
    t.equal(sshd.accepted() - before, 1, 'with one new connection')
    const second = onlyMaster(path)
    t.not(second, first, 'which is the new master')
    await client.listApps()
    t.equal(sshd.accepted() - before, 1, 'and the calls after it use that one')
  })

  t.test('a hung master is not worse than none: the next call works and a new master takes over', async (t) => {
    const { client, path, runner } = setup('client_key')
    await client.listApps()
    const hung = onlyMaster(path)
    // It still accepts on its socket (the kernel does that), but never answers.
    process.kill(hung, 'SIGSTOP')
    t.teardown(() => { try { process.kill(hung, 'SIGKILL') } catch { /* retired already */ } })
    const before = sshd.accepted()
    const r = await runner.run('dokku', { args: ['version'], kind: 'read' })
    t.equal(r.status, 'success', `answered: ${r.error ?? ''} ${r.stderr}`)
    t.match(r.stdout, /^dokku version /)
    t.equal(sshd.accepted() - before, 1, 'over a new connection')
    t.not(onlyMaster(path), hung, 'which is the new master; the hung one is gone')
    await client.listApps()
    t.equal(sshd.accepted() - before, 1, 'and later calls use it')
  })

  t.test('a session the server refuses still answers, over a connection of its own, without ssh\'s complaint', async (t) => {
    const { client, runner, path } = setup('idle_key', sshd.ports[1])
    await client.version()
    onlyMaster(path)
    // The tail holds the connection's only session (MaxSessions 1 on this port).
    const lines: LogLine[] = []
    const tail = client.tailLogs('node-js-app', { lines: 1, onLine: (l) => lines.push(l) })
    for (let i = 0; i < 200 && lines.length < 3; i++) await sleep(50)
    t.equal(lines.length, 3, 'the tail runs through the master')
    const before = sshd.accepted()
    const r = await runner.run('dokku', { args: ['apps:list'], kind: 'read' })
    t.equal(r.status, 'success', r.stderr)
    t.match(r.stdout, /node-js-app/)
    t.equal(r.stderr, '', 'stderr holds dokku\'s output only (no "session request failed")')
    t.equal(sshd.accepted() - before, 1, 'one extra connection')
    tail.stop()
    t.equal((await tail.done).reason, 'stopped')
  })

  t.test('past its session cap, a call connects on its own; after it, the master serves again', async (t) => {
    const controlDir = join(controlRoot, String(++dirs))
    mkdirSync(controlDir, { mode: 0o700 })
    const transport = sshd.transport('idle_key', { multiplexing: { controlDir, maxSessions: 1 } })
    transports.push(transport)
    const runner = new Runner(transport, history, { ...DEFAULT_RUNNER_OPTIONS, maxTimeoutMs: 20_000 })
    const client = new DokkuClient(runner)
    await client.version()
    const lines: LogLine[] = []
    const tail = client.tailLogs('node-js-app', { lines: 1, onLine: (l) => lines.push(l) })
    for (let i = 0; i < 200 && lines.length < 3; i++) await sleep(50)
    t.equal(lines.length, 3, 'the tail holds the one session')
    let before = sshd.accepted()
    const r = await runner.run('dokku', { args: ['apps:list'], kind: 'read' })
    t.equal(r.status, 'success', r.stderr)
    t.equal(sshd.accepted() - before, 1, 'the call made its own connection')
    t.equal(r.stderr, '', 'without asking the master first')
    tail.stop()
    await tail.done
    before = sshd.accepted()
    t.equal((await runner.run('dokku', { args: ['apps:list'], kind: 'read' })).status, 'success')
    t.equal(sshd.accepted() - before, 0, 'the freed session is used again')
  })

  t.test('without its control directory, calls still work, each on its own connection', async (t) => {
    const transport = sshd.transport('client_key', { multiplexing: { controlDir: join(controlRoot, 'missing') } })
    transports.push(transport)
    const runner = new Runner(transport, history, { ...DEFAULT_RUNNER_OPTIONS, maxTimeoutMs: 20_000 })
    const before = sshd.accepted()
    for (let i = 0; i < 2; i++) {
      const r = await runner.run('dokku', { args: ['version'], kind: 'read' })
      t.equal(r.status, 'success', r.stderr)
    }
    t.equal(sshd.accepted() - before, 2)
  })

  t.test('a log tail runs through the master, and stopping it leaves no process on the Dokku side', async (t) => {
    const { client, path } = setup('idle_key')
    await client.version()
    const master = onlyMaster(path)
    const before = sshd.accepted()
    const marker = `DOKKU_SIM_STATE=${idleState}`
    const lines: LogLine[] = []
    let raw = ''
    const tail = client.tailLogs('node-js-app', { lines: 2, onLine: (l) => lines.push(l), onOutput: (_s, text) => { raw += text } })
    for (let i = 0; i < 200 && lines.length < 6; i++) await sleep(50)
    t.equal(lines.length, 6, 'the backlog arrived')
    t.same(lines.map((l) => l.process), ['web.1', 'web.1', 'web.2', 'web.2', 'worker.1', 'worker.1'], 'and parse')
    t.notOk(/\r/.test(raw.replace(/\r\n/g, '')), 'no stray CR')
    t.equal(sshd.accepted() - before, 0, 'no new connection: the tail is a session of the master')
    const remote = processesWithEnv(marker)
    t.ok(remote.length > 0, 'dokku logs --tail runs on the Dokku side')
    // What ends it when we stop: the terminal, which sshd hangs up when the session closes.
    t.ok(remote.some((pid) => { try { return readlinkSync(`/proc/${pid}/fd/1`).startsWith('/dev/pts/') } catch { return false } }), 'with a terminal (-tt went through the master)')
    tail.stop()
    t.equal((await tail.done).reason, 'stopped')
    for (let i = 0; i < 200 && processesWithEnv(marker).length > 0; i++) await sleep(50)
    t.same(processesWithEnv(marker), [], 'no process of that tail is left')
    t.equal(onlyMaster(path), master, 'the master outlives the tail')
    await client.version()
    t.equal(sshd.accepted() - before, 0, 'and still serves')
  })

  t.test('close() ends the master and removes its socket', async (t) => {
    const { client, transport, path } = setup('client_key')
    await client.listApps()
    onlyMaster(path)
    await transport.close()
    for (let i = 0; i < 100 && masterPids(path).length > 0; i++) await sleep(20)
    t.same(masterPids(path), [], 'no master left')
    t.notOk(existsSync(path), 'no socket left')
    await transport.close()
    t.pass('closing again is harmless')
  })

  t.test('without a master configured, each call connects on its own (as before)', async (t) => {
    const plain = sshd.transport('client_key')
    const client = new DokkuClient(new Runner(plain, history, { ...DEFAULT_RUNNER_OPTIONS, maxTimeoutMs: 20_000 }))
    const before = sshd.accepted()
    const rows = history.list({ limit: 1 })[0]?.id ?? 0
    await client.listApps()
    await client.psReport('node-js-app')
    const calls = history.list({ limit: 50 }).filter((r) => r.id > rows).length
    t.ok(calls >= 2)
    t.equal(sshd.accepted() - before, calls, `${calls} calls, ${calls} connections`)
    t.equal(plain.controlPath, null)
  })
}
