/**
 * The in-process simulator transport: each call must behave as the spawned CLI run through
 * `execArgv` does (same result, same ExecOptions), with its own fake process id.
 */
import { existsSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import t, { type Test } from 'tap'
import { execArgv, STREAM_TAIL_CHARS, type ExecOptions, type ExecResult } from '../../../src/dokku/exec.js'
import { execInProcess, FIRST_FAKE_PID, inProcessAlive, InProcessSimulatorTransport, runInProcess, signalInProcessGroup } from '../../../src/dokku/simulator/in-process.js'
import { simulate } from '../../../src/dokku/simulator/simulate.js'
import { readStateFile, type SimState } from '../../../src/dokku/simulator/state.js'
import { simulatorCli } from '../../../src/dokku/transport.js'
import { NOW } from './helpers.js'

const OPTS: ExecOptions = { timeoutMs: 10_000, maxOutputBytes: 1024 * 1024 }

interface Sim {
  env: Record<string, string>
  run (args: string[], opts?: Partial<ExecOptions>): Promise<ExecResult>
  state (): Promise<SimState>
}

const testDirs = new WeakMap<Test, string>()

/** A simulator on its own state file `name` in the test's directory. */
function sim (t: Test, env: Record<string, string> = {}, name = 'state.json'): Sim {
  // t.testdir() empties the directory on each call: make it once per test.
  let dir = testDirs.get(t)
  if (dir === undefined) testDirs.set(t, dir = t.testdir())
  const full = { DOKKU_SIM_STATE: join(dir, name), DOKKU_SIM_STEP_MS: '0', DOKKU_SIM_NOW: String(NOW), ...env }
  return {
    env: full,
    run: (args, opts = {}) => execInProcess(args, { ...OPTS, env: full, ...opts }),
    state: async () => (await readStateFile(full.DOKKU_SIM_STATE))!
  }
}

/** Resolves at the first output that `test` accepts. */
function outputWhere (test: (all: string) => boolean): { onOutput: ExecOptions['onOutput'], seen: Promise<void> } {
  let all = ''
  let seen!: () => void
  const promise = new Promise<void>((resolve) => { seen = resolve })
  return { onOutput: (_stream, text) => { all += text; if (test(all)) seen() }, seen: promise }
}

const comparable = (r: ExecResult) => ({ end: r.end, exitCode: r.exitCode, signal: r.signal, stdout: r.stdout, stderr: r.stderr, truncated: r.truncated })

t.test('gives what the spawned simulator gives, call after call', { skip: existsSync(simulatorCli()) ? false : 'dist not built' }, async (t) => {
  const dir = t.testdir()
  const env = (name: string) => ({ DOKKU_SIM_STATE: join(dir, name), DOKKU_SIM_STEP_MS: '0', DOKKU_SIM_NOW: String(NOW) })
  const calls = [
    ['version'],
    ['apps:exists', 'nope'],
    ['nonsense:command', 'x'],
    ['apps:destroy', 'static-site'],
    ['config:set', '--no-restart', 'python-app', 'A=b c'],
    ['config:export', '--format', 'json', 'python-app'],
    ['ps:restart', 'ruby-app'],
    ['letsencrypt:enable', 'ruby-app'],
    ['postgres:info', 'lollipop']
  ]
  for (const args of calls) {
    const spawned = await execArgv(process.execPath, [simulatorCli(), ...args], { ...OPTS, env: env('spawned.json') })
    const inProcess = await execInProcess(args, { ...OPTS, env: env('in-process.json') })
    t.same(comparable(inProcess), comparable(spawned), args.join(' '))
  }
})

t.test('a timeout ends the call at once, even mid-sleep, and the deploy never lands', async (t) => {
  const s = sim(t, { DOKKU_SIM_STEP_MS: '600000' })
  const before = (await s.run(['apps:report', 'node-js-app', '--app-locked'])).stdout
  t.equal(before, 'false\n')
  const releaseBefore = (await s.state()).apps['node-js-app']!.releaseSeq

  const r = await s.run(['ps:rebuild', 'node-js-app'], { timeoutMs: 50 })
  t.equal(r.end, 'timeout')
  t.equal(r.exitCode, null, 'killed: no exit code')
  t.equal(r.signal, 'SIGTERM')
  t.equal(r.stdout, '-----> Cleaning up...\n', 'only what it printed before the timeout')

  const after = await s.state()
  t.equal(after.apps['node-js-app']!.releaseSeq, releaseBefore, 'the rebuild did not land')
  const lock = after.apps['node-js-app']!.lock!
  t.equal(lock.kind, 'deploy', 'its deploy lock is left behind, as a killed process leaves it')
  t.ok(lock.pid >= FIRST_FAKE_PID, 'held by a fake pid')
  t.notOk(inProcessAlive(lock.pid))
  t.equal((await s.run(['apps:report', 'node-js-app', '--app-locked'])).stdout, 'false\n', 'the lock is stale')
  t.equal((await s.run(['apps:locked', 'node-js-app'])).exitCode, 1)
  const rebuild = await s.run(['ps:rebuild', 'node-js-app'], { env: { ...s.env, DOKKU_SIM_STEP_MS: '0' } })
  t.equal(rebuild.exitCode, 0, 'a new rebuild is not refused by the stale lock')
  t.equal((await s.state()).apps['node-js-app']!.lock, null)
})

t.test('a cancel ends the call as a signal would; nothing it prints afterwards arrives', async (t) => {
  const s = sim(t, { DOKKU_SIM_STEP_MS: '600000' })
  const ac = new AbortController()
  const seen: string[] = []
  const r = await s.run(['ps:rebuild', 'ruby-app'], {
    signal: ac.signal,
    onOutput: (_stream, text) => { seen.push(text); ac.abort() }
  })
  t.equal(r.end, 'cancelled')
  t.equal(r.exitCode, null)
  t.equal(r.signal, 'SIGTERM')
  t.same(seen, ['-----> Cleaning up...\n'])
  t.equal(r.stdout, seen.join(''))
})

t.test('a call cancelled before it starts does nothing', async (t) => {
  const s = sim(t)
  await s.run(['apps:list'])
  const before = await s.state()
  const ac = new AbortController()
  ac.abort()
  const r = await s.run(['ps:rebuild', 'ruby-app'], { signal: ac.signal })
  t.same(comparable(r), { end: 'cancelled', exitCode: null, signal: 'SIGTERM', stdout: '', stderr: '', truncated: false })
  t.same(await s.state(), before, 'no lock taken, no release made')
})

t.test('a killed call that is not waiting ends at its next wait, or after the kill grace', async (t) => {
  const s = sim(t, { DOKKU_SIM_STEP_MS: '600000' })
  await s.run(['apps:list'])
  // Hold the state file's lock, so that the rebuild waits for it (not on one of its own sleeps).
  const lockFile = s.env.DOKKU_SIM_STATE + '.lock'
  writeFileSync(lockFile, 'held by the test\n')
  const ac = new AbortController()
  const seen: string[] = []
  const running = s.run(['ps:rebuild', 'ruby-app'], { signal: ac.signal, killGraceMs: 50, onOutput: (_s, text) => seen.push(text) })
  setTimeout(() => ac.abort(), 20)
  const r = await running
  t.same(comparable(r), { end: 'cancelled', exitCode: null, signal: 'SIGKILL', stdout: '', stderr: '', truncated: false }, 'reported dead after the grace')
  unlinkSync(lockFile)
  // It gets the lock, takes the deploy lock and halts at its first sleep, printing nothing.
  for (let i = 0; i < 200 && (await s.state()).apps['ruby-app']!.lock === null; i++) await sleep(5)
  const lock = (await s.state()).apps['ruby-app']!.lock!
  t.notOk(inProcessAlive(lock.pid), 'its lock is stale at once')
  t.same(seen, [], 'a dead call prints nothing')
})

t.test('the output cap keeps the first bytes and a note; live output still gets everything', async (t) => {
  const s = sim(t)
  const full = await s.run(['apps:report', 'node-js-app'])
  t.ok(full.stdout.length > 200)
  const streamed: string[] = []
  const capped = await s.run(['apps:report', 'node-js-app'], { maxOutputBytes: 100, onOutput: (_s, text) => streamed.push(text) })
  t.equal(capped.truncated, true)
  t.equal(capped.stdout, full.stdout.slice(0, 100) + '\n[output truncated at 100 bytes]\n')
  t.equal(streamed.join(''), full.stdout)

  const missing = await s.run(['apps:report', 'nope'], { maxOutputBytes: 10 })
  t.equal(missing.stderr, ' !     App\n[output truncated at 10 bytes]\n', 'stderr has its own cap')
  t.equal(missing.exitCode, 20)
})

t.test('keepOutput false keeps only the end of a long output', async (t) => {
  const s = sim(t)
  let streamed = ''
  const r = await s.run(['logs', 'node-js-app', '--num', '3000'], { keepOutput: false, onOutput: (_s, text) => { streamed += text } })
  t.equal(r.exitCode, 0)
  t.ok(streamed.length > 4 * STREAM_TAIL_CHARS, 'a long output')
  t.ok(r.stdout.length <= 2 * STREAM_TAIL_CHARS && r.stdout.length >= STREAM_TAIL_CHARS, 'only its tail is kept')
  t.ok(streamed.endsWith(r.stdout))
  t.equal(r.truncated, false)
})

t.test('live output arrives write by write, in order, on the right stream, while the call runs', async (t) => {
  for (const [i, args] of [['apps:destroy', 'static-site'], ['letsencrypt:enable', 'ruby-app']].entries()) {
    const direct: Array<[string, string]> = []
    const env = sim(t, {}, `direct-${i}.json`).env
    await simulate(args, env, {
      stdout: (text) => direct.push(['stdout', text]),
      stderr: (text) => direct.push(['stderr', text]),
      sleep: async () => {},
      readLine: async () => null
    })
    const s = sim(t, {}, `transport-${i}.json`)
    const live: Array<[string, string]> = []
    const r = await s.run(args, { onOutput: (stream, text) => live.push([stream, text]) })
    t.same(live, direct, args.join(' '))
    t.equal(r.stdout, live.filter(([s]) => s === 'stdout').map(([, x]) => x).join(''))
    t.equal(r.stderr, live.filter(([s]) => s === 'stderr').map(([, x]) => x).join(''))
  }

  const s = sim(t, { DOKKU_SIM_STEP_MS: '5' }, 'slow.json')
  let done = false
  const firstWhileRunning: boolean[] = []
  const running = s.run(['ps:rebuild', 'node-js-app'], { onOutput: () => { if (firstWhileRunning.length === 0) firstWhileRunning.push(!done) } })
  const r = await running
  done = true
  t.same(firstWhileRunning, [true], 'the first line arrived before the call ended')
  t.equal(r.exitCode, 0)
})

t.test('stdin is empty: a confirmation prompt reads EOF', async (t) => {
  const r = await sim(t).run(['apps:destroy', 'static-site'])
  t.equal(r.exitCode, 1)
  t.equal(r.stdout, '> ')
  t.match(r.stderr, / !     EOF\n$/)
})

t.test('an endless log tail stops when cancelled', async (t) => {
  const s = sim(t, { DOKKU_SIM_STEP_MS: '3' })
  const ac = new AbortController()
  let lines = 0
  let afterEnd = 0
  let ended = false
  const r = await s.run(['logs', 'node-js-app', '--tail', '--num', '1'], {
    signal: ac.signal,
    keepOutput: false,
    onOutput: (_s, text) => {
      if (ended) afterEnd++
      lines += text.split('\n').length - 1
      if (lines > 8) ac.abort()
    }
  })
  ended = true
  t.equal(r.end, 'cancelled')
  await sleep(30)
  t.equal(afterEnd, 0, 'nothing more once it ended')
})

t.test('each call has its own fake pid; signalGroup kills it as a signal kills a process', async (t) => {
  const s = sim(t, { DOKKU_SIM_STEP_MS: '600000' })
  await s.run(['apps:list'])
  const a = outputWhere((all) => all.includes('Cleaning up'))
  const b = outputWhere((all) => all.includes('Cleaning up'))
  const rebuildA = s.run(['ps:rebuild', 'node-js-app'], { onOutput: a.onOutput })
  const rebuildB = s.run(['ps:rebuild', 'ruby-app'], { onOutput: b.onOutput })
  await Promise.all([a.seen, b.seen])
  const state = await s.state()
  const pidA = state.apps['node-js-app']!.lock!.pid
  const pidB = state.apps['ruby-app']!.lock!.pid
  t.not(pidA, pidB)
  t.ok(pidA >= FIRST_FAKE_PID && pidB >= FIRST_FAKE_PID, 'fake pids, never a real process')
  t.ok(inProcessAlive(pidA) && inProcessAlive(pidB))
  t.equal((await s.run(['apps:locked', 'node-js-app'])).stdout, 'Deploy lock exists\n', 'a live deploy holds its lock')

  signalInProcessGroup(pidA, 'SIGCONT')
  t.ok(inProcessAlive(pidA), 'a signal whose default is to be ignored changes nothing')
  signalInProcessGroup(pidA, 'SIGQUIT')
  const ra = await rebuildA
  t.same({ end: ra.end, exitCode: ra.exitCode, signal: ra.signal }, { end: 'exited', exitCode: null, signal: 'SIGQUIT' }, 'killed by someone else: it exited on the signal')
  t.notOk(inProcessAlive(pidA))
  t.throws(() => signalInProcessGroup(pidA, 'SIGTERM'), { code: 'ESRCH' }, 'like kill(2) on a gone process')
  const locked = await s.run(['apps:locked', 'node-js-app'])
  t.equal(locked.exitCode, 1, 'its lock is stale once it is gone')
  t.ok(inProcessAlive(pidB), 'the other call runs on')

  // builds:cancel finds the live deploy's pid in its lock and signals its group through SimIO.
  const cancel = await s.run(['builds:cancel', 'ruby-app'])
  t.equal(cancel.exitCode, 0)
  t.equal(cancel.stdout, '-----> Killing app deploy\n')
  const rb = await rebuildB
  t.same({ end: rb.end, exitCode: rb.exitCode, signal: rb.signal }, { end: 'exited', exitCode: null, signal: 'SIGQUIT' })
  t.notOk(inProcessAlive(pidB))
  t.equal((await s.run(['builds:cancel', 'ruby-app'])).stdout, '-----> App not currently deploying\n')
})

t.test('parallel calls on one state file lose no update', async (t) => {
  const s = sim(t)
  await s.run(['apps:list'])
  const runs = await Promise.all(Array.from({ length: 12 }, (_, i) => s.run(['config:set', '--no-restart', 'python-app', `P_${i}=${i}`])))
  t.ok(runs.every((r) => r.exitCode === 0))
  const keys = (await s.run(['config:keys', 'python-app'])).stdout.split('\n')
  for (let i = 0; i < 12; i++) t.ok(keys.includes(`P_${i}`), `P_${i} kept`)
})

t.test('the transport runs calls in process with its own environment, and prepares the CLI for spawning', async (t) => {
  const dir = t.testdir()
  const env = { DOKKU_SIM_STATE: join(dir, 'state.json'), DOKKU_SIM_VERSION: '0.30.0' }
  const transport = new InProcessSimulatorTransport(env)
  t.equal((await transport.exec(['version'], OPTS)).stdout, 'dokku version 0.30.0\n')
  t.equal((await transport.exec(['version'], { ...OPTS, env: { ...env, DOKKU_SIM_VERSION: '0.35.0' } })).stdout, 'dokku version 0.35.0\n', 'an env given to exec wins, as with execArgv')
  const prepared = transport.prepare(['apps:list'])
  t.equal(prepared.file, simulatorCli())
  t.same(prepared.args, ['apps:list'])
  t.equal(prepared.env?.DOKKU_SIM_STATE, env.DOKKU_SIM_STATE)
  t.equal(prepared.env?.DOKKU_SIM_VERSION, '0.30.0')
})

t.test('any program runs as a process would: exit status, a crash, a kill between waits', async (t) => {
  t.equal((await runInProcess(async () => 256 + 3, OPTS)).exitCode, 3, 'the exit status is the low byte')
  const crash = await runInProcess(() => { throw new Error('boom') }, OPTS)
  t.same({ end: crash.end, exitCode: crash.exitCode }, { end: 'exited', exitCode: 1 })
  t.match(crash.stderr, /^Error: boom\n/)

  const ac = new AbortController()
  const read = await runInProcess(async (io) => {
    io.stdout('a')
    ac.abort()
    io.stdout('b')
    await io.readLine!()
    io.stdout('c')
    return 0
  }, { ...OPTS, signal: ac.signal })
  t.same(comparable(read), { end: 'cancelled', exitCode: null, signal: 'SIGTERM', stdout: 'a', stderr: '', truncated: false }, 'killed, it stops at its next read')

  const quits = new AbortController()
  const returned = await runInProcess(async () => { quits.abort(); return 0 }, { ...OPTS, signal: quits.signal })
  t.same({ end: returned.end, exitCode: returned.exitCode, signal: returned.signal }, { end: 'cancelled', exitCode: null, signal: 'SIGTERM' }, 'killed, it is reported killed even if it then returns')
})

t.test('a live-output listener that throws fails outside the simulator, as with a real process', async (t) => {
  const saved = process.listeners('uncaughtException')
  process.removeAllListeners('uncaughtException')
  const caught = new Promise<unknown>((resolve) => process.once('uncaughtException', resolve))
  try {
    const r = await sim(t).run(['version'], { onOutput: () => { throw new Error('listener bug') } })
    t.equal(r.exitCode, 0, 'the call is not failed by it')
    t.equal(r.stdout, 'dokku version 0.38.27\n')
    t.match(await caught, { message: 'listener bug' })
  } finally {
    for (const l of saved) process.on('uncaughtException', l)
  }
})
