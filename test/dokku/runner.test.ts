import t from 'tap'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { openDatabase } from '../../src/db/database.js'
import { HistoryRepository } from '../../src/db/history.js'
import { execArgv } from '../../src/dokku/exec.js'
import { displayArgv, ProgramNotAllowedError, Runner, type AllowedProgram } from '../../src/dokku/runner.js'
import { LocalTransport, quoteForDokkuSsh, SshTransport } from '../../src/dokku/transport.js'

const fake = fileURLToPath(new URL('../fixtures/bin/fake-dokku', import.meta.url))

function setup (opts: { timeoutMs?: number; maxOutputBytes?: number; concurrency?: number; bin?: string } = {}) {
  const history = new HistoryRepository(openDatabase(':memory:'))
  const runner = new Runner(new LocalTransport(opts.bin ?? fake, { DOKKU_TEST_MARK: 'from-transport' }), history, {
    timeoutMs: opts.timeoutMs ?? 10_000,
    maxOutputBytes: opts.maxOutputBytes ?? 1024 * 1024,
    lanes: {
      read: { concurrency: opts.concurrency ?? 4, queueTimeoutMs: 10_000, maxQueued: 10 },
      job: { concurrency: opts.concurrency ?? 4, queueTimeoutMs: 10_000, maxQueued: 10 }
    },
    killGraceMs: 200
  })
  return { history, runner }
}

/** Running, not merely a zombie waiting for a reaper (what kill(pid, 0) would still see). */
function alive (pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return false
  }
}

t.test('passes argv exactly, with no shell in between', async (t) => {
  const { runner, history } = setup()
  const hostile = ['echo-args', 'a b', '$(id)', '`id`', "it's", '"q"', ';ls', '*', '', 'ünï', '--flag']
  const r = await runner.run('dokku', { args: hostile, app: 'web' })
  t.equal(r.status, 'success')
  t.equal(r.exitCode, 0)
  t.equal(r.stdout, hostile.slice(1).map((a) => `[${a}]\n`).join(''))
  const row = history.get(r.id)!
  t.equal(row.status, 'success')
  t.equal(row.app, 'web')
  t.equal(row.command, displayArgv(['dokku', ...hostile]))
  t.equal(row.stdout, r.stdout)
  t.ok(row.durationMs !== null && row.finishedAt !== null)
})

t.test('transport env reaches the program', async (t) => {
  const { runner } = setup()
  t.equal((await runner.run('dokku', { args: ['env'] })).stdout, 'from-transport\n')
})

t.test('a failure is recorded with its exit code and stderr', async (t) => {
  const { runner, history } = setup()
  const r = await runner.run('dokku', { args: ['fail'] })
  t.equal(r.status, 'failed')
  t.equal(r.exitCode, 20)
  t.match(r.stderr, /App nope does not exist/)
  const row = history.get(r.id)!
  t.equal(row.status, 'failed')
  t.equal(row.exitCode, 20)
  t.match(row.stderr, /does not exist/)
})

t.test('a warning on stderr with exit 0 is a success', async (t) => {
  const { runner } = setup()
  const r = await runner.run('dokku', { args: ['warn'] })
  t.equal(r.status, 'success')
  t.match(r.stderr, /just a warning/)
})

t.test('a missing binary is recorded as an error, not a crash', async (t) => {
  const { runner, history } = setup({ bin: '/nonexistent/dokku' })
  const r = await runner.run('dokku', { args: ['apps:list'] })
  t.equal(r.status, 'error')
  t.equal(r.exitCode, null)
  t.match(r.error, /program not found: \/nonexistent\/dokku/)
  t.equal(history.get(r.id)!.status, 'error')
  t.match(history.get(r.id)!.error, /program not found/)
})

t.test('a timeout kills the whole process group and is recorded', async (t) => {
  const { runner, history } = setup({ timeoutMs: 300 })
  const pidFile = join(t.testdir({}), 'child.pid')
  const r = await runner.run('dokku', { args: ['sleep-tree', pidFile] })
  t.equal(r.status, 'timeout')
  t.match(r.error, /timed out/)
  t.equal(history.get(r.id)!.status, 'timeout')
  t.ok(existsSync(pidFile))
  const child = Number(readFileSync(pidFile, 'utf8'))
  for (let i = 0; i < 50 && alive(child); i++) await sleep(20)
  t.notOk(alive(child), 'the grandchild is gone too')
})

t.test('cancel kills the group and is recorded as cancelled', async (t) => {
  const { runner, history } = setup()
  const pidFile = join(t.testdir({}), 'child.pid')
  const ac = new AbortController()
  const run = runner.run('dokku', { args: ['sleep-tree', pidFile], signal: ac.signal })
  for (let i = 0; i < 100 && !existsSync(pidFile); i++) await sleep(10)
  ac.abort()
  const r = await run
  t.equal(r.status, 'cancelled')
  t.equal(history.get(r.id)!.status, 'cancelled')
  const already = new AbortController()
  already.abort()
  const r2 = await runner.run('dokku', { args: ['sleep-tree', join(t.testdir({}), 'p2')], signal: already.signal })
  t.equal(r2.status, 'cancelled')
})

t.test('output beyond the cap is dropped and flagged', async (t) => {
  const { runner, history } = setup({ maxOutputBytes: 1000 })
  const chunks: string[] = []
  const r = await runner.run('dokku', { args: ['flood'], onOutput: (_s, text) => chunks.push(text) })
  t.equal(r.status, 'success')
  t.equal(r.truncated, true)
  t.ok(r.stdout.startsWith('x'.repeat(1000)))
  t.match(r.stdout, /\[output truncated at 1000 bytes\]/)
  t.ok(r.stdout.length < 1100)
  t.ok(history.get(r.id)!.stdout.length < 1100)
  t.equal(chunks.join('').length, 300000, 'live output still sees everything')
})

t.test('history gets the redacted display and output, the caller the raw output', async (t) => {
  const { runner, history } = setup()
  const r = await runner.run('dokku', {
    args: ['echo-args', 'KEY=hunter2'],
    display: ['echo-args', 'KEY=<redacted>'],
    redactOutput: (s) => s.replace(/hunter2/g, '<redacted>'),
    kind: 'action',
    label: 'Set config'
  })
  t.equal(r.stdout, '[KEY=hunter2]\n')
  const row = history.get(r.id)!
  t.equal(row.command, "dokku echo-args KEY=<redacted>")
  t.equal(row.stdout, '[KEY=<redacted>]\n')
  t.equal(row.kind, 'action')
  t.equal(row.label, 'Set config')
  t.notMatch(JSON.stringify(row), /hunter2/)
})

t.test('only allowlisted programs run', async (t) => {
  const { runner } = setup()
  await t.rejects(runner.run('sh' as AllowedProgram, { args: ['-c', 'id'] }), ProgramNotAllowedError)
})

t.test('concurrency is capped', async (t) => {
  const { runner } = setup({ concurrency: 1 })
  const ac = new AbortController()
  const pidFile = join(t.testdir({}), 'c.pid')
  const slow = runner.run('dokku', { args: ['sleep-tree', pidFile], signal: ac.signal })
  let second = false
  const quick = runner.run('dokku', { args: ['warn'] }).then((r) => { second = true; return r })
  for (let i = 0; i < 100 && !existsSync(pidFile); i++) await sleep(10)
  await sleep(100)
  t.equal(second, false, 'the second run waits for a slot')
  ac.abort()
  await slow
  t.equal((await quick).status, 'success')
})

t.test('streamed runs skip the cap and do not store output', async (t) => {
  const { runner, history } = setup({ concurrency: 1 })
  const seen: string[] = []
  const r = await runner.run('dokku', { args: ['echo-args', 'x'], stream: true, onOutput: (_s, t) => seen.push(t) })
  t.equal(seen.join(''), '[x]\n')
  t.equal(history.get(r.id)!.stdout, '')
})

t.test('execArgv reports stderr text of a spawn failure', async (t) => {
  const dir = t.testdir({ 'not-exec': 'hello' })
  const r = await execArgv(join(dir, 'not-exec'), [], { timeoutMs: 1000, maxOutputBytes: 100 })
  t.equal(r.end, 'spawn-error')
  t.match(r.error, /not executable|could not start/)
})

t.test('ssh transport: batch mode, no tty, every argument quoted for dokku', async (t) => {
  const ssh = new SshTransport({ user: 'dokku', host: 'example.com', port: 2222 })
  const p = ssh.prepare(['--quiet', 'config:set', 'app', "K=it's a $(test)"])
  t.equal(p.file, 'ssh')
  t.same(p.args.slice(0, 13), ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=10', '-T', '-p', '2222', 'dokku@example.com', '--'])
  t.same(p.args.slice(13), ['--quiet', 'config:set', 'app', `'K=it'"'"'s a $(test)'`])
  t.notOk(p.args.includes('-t'))
  t.equal(quoteForDokkuSsh('apps:list'), 'apps:list')
  t.equal(quoteForDokkuSsh(''), "''")
  t.throws(() => quoteForDokkuSsh('a\nb'), /newline/)
  t.match(ssh.description, /ssh dokku@example.com:2222/)
})
