import t from 'tap'
import { fixture, makeSim } from './helpers.js'

// Regexes from logs.md.
const COLOURED = /^\x1b\[(\d+)m(\S+Z) app\[([^\]]+)\]:\x1b\[0m (.*)$/
const PLAIN = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z) app\[([^\]]+)\]: ?(.*)$/
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '')

t.test('the reference examples have the shape we produce', async (t) => {
  const escaped = fixture('logs-ansi-escaped.txt').replace(/ESC/g, '\x1b').trimEnd()
  t.match(escaped, COLOURED)
  for (const l of fixture('logs-plain.txt').trimEnd().split('\n')) t.match(l, PLAIN)
})

t.test('logs APP', async (t) => {
  const sim = await makeSim(t)
  const out = await sim.run('logs', 'node-js-app')
  t.equal(out.code, 0)
  t.equal(out.stderr, '')
  const lines = out.stdout.trimEnd().split('\n')
  t.equal(lines.length, 300, '-n defaults to 100 per container (3 containers)')
  const procs: string[] = []
  for (const l of lines) {
    const m = COLOURED.exec(l)
    t.ok(m, `coloured line: ${JSON.stringify(l)}`)
    if (!m) break
    t.match(m[2]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/)
    t.match(strip(l), PLAIN)
    if (!procs.includes(m[3]!)) procs.push(m[3]!)
  }
  t.same(procs, ['web.1', 'web.2', 'worker.1'], 'glob order')
  t.same([...new Set(lines.map((l) => COLOURED.exec(l)![1]))], ['36', '33', '32'], 'colours cycle by container')
  const again = await sim.run('logs', 'node-js-app')
  t.equal(again.stdout, out.stdout, 'deterministic for a fixed clock')
})

t.test('logs flags', async (t) => {
  const sim = await makeSim(t)
  const n = await sim.run('logs', 'node-js-app', '-n', '5')
  t.equal(n.stdout.trimEnd().split('\n').length, 15)
  t.equal((await sim.run('logs', '--num=2', 'node-js-app')).stdout.trimEnd().split('\n').length, 6)
  t.equal((await sim.run('logs', 'node-js-app', '-n3')).stdout.trimEnd().split('\n').length, 9)
  t.equal((await sim.run('logs', 'node-js-app', '-n', '0')).stdout, '')
  const all = await sim.run('logs', 'node-js-app', '-n', '-1')
  t.ok(all.stdout.split('\n').length > 300, 'negative: everything')
  const web = await sim.run('logs', 'node-js-app', '-p', 'web', '-n', '2')
  t.same(web.stdout.trimEnd().split('\n').map((l) => COLOURED.exec(l)![3]), ['web.1', 'web.1', 'web.2', 'web.2'])
  t.same(await sim.run('logs', 'node-js-app', '-p', 'web.1'), { code: 0, stdout: '', stderr: '' }, 'an instance matches nothing')
  const worker = await sim.run('logs', 'node-js-app', '--ps', 'worker', '-n', '1')
  t.match(worker.stdout, /^\x1b\[36m.* app\[worker\.1\]:\x1b\[0m /, 'colour index counts the selected containers')
  const quiet = await sim.run('logs', 'node-js-app', '-q', '-n', '4')
  t.notMatch(quiet.stdout, /\x1b|app\[/)
  t.equal(quiet.stdout.trimEnd().split('\n').length, 12)
  t.equal((await sim.run('logs', 'node-js-app', '--quiet', '-n', '1')).stdout.trimEnd().split('\n').length, 3)
  t.match((await sim.run('--quiet', 'logs', 'node-js-app', '-n', '1')).stdout, /\x1b\[36m/, 'the global --quiet does not turn on -q')
  const combined = await sim.run('logs', 'node-js-app', '-qn', '1')
  t.equal(combined.stdout.trimEnd().split('\n').length, 3)
  const help = await sim.run('logs', '-h')
  t.match(help.stdout, /^Usage: dokku logs\[:COMMAND\]\n\nManage log integration for an app\n\nAdditional commands:\n {4}logs \[-h\|--help\]/)
  t.equal(help.code, 0)
})

t.test('logs long flags, as Docklight sends them (pflag long forms)', async (t) => {
  const sim = await makeSim(t)
  const count = (r: { stdout: string }) => r.stdout === '' ? 0 : r.stdout.trimEnd().split('\n').length
  t.equal(count(await sim.run('logs', 'node-js-app', '--num', '5')), 15)
  t.equal(count(await sim.run('logs', 'node-js-app', '--num=0x2')), 6, 'strconv base prefixes, as pflag')
  t.equal(count(await sim.run('logs', '--num', '1', '--ps', 'web', 'node-js-app')), 2, 'flags before the app too')
  t.equal(count(await sim.run('logs', 'node-js-app', '--ps=worker', '--num', '1')), 1)
  t.equal(count(await sim.run('logs', 'node-js-app', '--ps', '', '--num', '1')), 3, 'an empty --ps is every process')
  const quiet = await sim.run('logs', 'node-js-app', '--num', '2', '--ps', 'web', '--quiet')
  t.notMatch(quiet.stdout, /\x1b|app\[/)
  t.equal(count(quiet), 4)
  t.match((await sim.run('logs', 'node-js-app', '--num', '1', '--quiet=false')).stdout, /^\x1b\[36m/, 'a bool long flag takes =false')
  const limited = await sim.runWith({ env: { DOKKU_SIM_FOLLOW_LIMIT: '2' } }, 'logs', 'node-js-app', '--tail', '--num', '1')
  t.equal(count(limited), 3 + 2, '--tail follows')
  t.equal(count(await sim.run('logs', 'node-js-app', '--tail=false', '--num', '1')), 3)

  const usage = 'Usage of logs:\n  -h, --help        print help for the command\n  -n, --num int     the number of lines to display (default 100)\n  -p, --ps string   only display logs from the given process\n  -q, --quiet       display raw logs without colors, time and names\n  -t, --tail        continually stream logs\n'
  t.same(await sim.run('logs', 'node-js-app', '--num'), { code: 2, stdout: '', stderr: usage + 'flag needs an argument: --num\n' })
  t.same(await sim.run('logs', 'node-js-app', '--num='), { code: 2, stdout: '', stderr: usage + 'invalid argument "" for "-n, --num" flag: strconv.ParseInt: parsing "": invalid syntax\n' })
  t.same(await sim.run('logs', 'node-js-app', '--nu', '5'), { code: 2, stdout: '', stderr: usage + 'unknown flag: --nu\n' }, 'no prefix matching')
  t.same(await sim.run('logs', 'node-js-app', '--tail=yes'), { code: 2, stdout: '', stderr: usage + 'invalid argument "yes" for "-t, --tail" flag: strconv.ParseBool: parsing "yes": invalid syntax\n' })
  t.same(await sim.run('logs', 'node-js-app', '---num', '5'), { code: 2, stdout: '', stderr: usage + 'bad flag syntax: ---num\n' })
  t.same(await sim.run('logs', 'node-js-app', '--num', '--tail'), { code: 2, stdout: '', stderr: usage + 'invalid argument "--tail" for "-n, --num" flag: strconv.ParseInt: parsing "--tail": invalid syntax\n' }, 'a value flag takes the next word, whatever it is')
})

t.test('logs for stopped, crashed and mixed apps', async (t) => {
  const sim = await makeSim(t)
  const stopped = await sim.run('logs', 'python-app', '-n', '1')
  t.match(strip(stopped.stdout), /app\[web\.1\]: Received SIGTERM, shutting down gracefully\n$/)
  const crashed = await sim.run('logs', 'go-worker', '-n', '1', '-q')
  t.equal(crashed.stdout, '{"level":"fatal","msg":"cannot connect to redis","error":"dial tcp 172.17.0.8:6379: connect: connection refused"}\n')
  const mixed = await sim.run('logs', 'ruby-app', '-p', 'web', '-n', '1', '-q')
  t.match(mixed.stdout, /\nKilled\n$/)
  for (const app of ['node-js-app', 'python-app', 'ruby-app', 'go-worker']) {
    const r = await sim.run('logs', app, '-n', '40')
    for (const l of r.stdout.trimEnd().split('\n')) t.match(l, COLOURED)
  }
  const { createSeedState } = await import('../../../src/dokku/simulator/seed.js')
  const many = createSeedState({ now: 1767225600, extraApps: 12, onlyGenerated: true })
  const { writeStateFile } = await import('../../../src/dokku/simulator/state.js')
  await writeStateFile(sim.statePath, many)
  for (const app of Object.keys(many.apps)) {
    const r = await sim.run('logs', app, '-n', '20')
    if (many.apps[app]!.deployed) {
      t.equal(r.code, 0)
      for (const l of r.stdout.trimEnd().split('\n')) t.match(l, COLOURED)
    } else {
      t.equal(r.code, 1)
    }
  }
})

t.test('logs errors', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('logs', 'static-site'), { code: 1, stdout: '', stderr: ' !     App static-site has not been deployed\n' })
  t.same(await sim.run('logs', 'nope'), { code: 20, stdout: '', stderr: ' !     App nope does not exist\n' })
  t.same(await sim.run('logs'), { code: 1, stdout: '', stderr: ' !     Please specify an app to run the command on\n' })
  const usage = 'Usage of logs:\n  -h, --help        print help for the command\n  -n, --num int     the number of lines to display (default 100)\n  -p, --ps string   only display logs from the given process\n  -q, --quiet       display raw logs without colors, time and names\n  -t, --tail        continually stream logs\n'
  t.same(await sim.run('logs', 'node-js-app', '--nope'), { code: 2, stdout: '', stderr: usage + 'unknown flag: --nope\n' })
  t.same(await sim.run('logs', 'node-js-app', '-x'), { code: 2, stdout: '', stderr: usage + "unknown shorthand flag: 'x' in -x\n" })
  t.same(await sim.run('logs', 'node-js-app', '-n', 'ten'), { code: 2, stdout: '', stderr: usage + 'invalid argument "ten" for "-n, --num" flag: strconv.ParseInt: parsing "ten": invalid syntax\n' })
  t.same(await sim.run('logs', 'node-js-app', '-n'), { code: 2, stdout: '', stderr: usage + "flag needs an argument: 'n' in -n\n" })
  const scaledDown = await makeSim(t, { setup: (s) => { s.apps['node-js-app']!.containers = [] } })
  t.same(await scaledDown.run('logs', 'node-js-app'), { code: 0, stdout: '', stderr: '' })
})

t.test('logs -t keeps streaming until stopped', async (t) => {
  const sim = await makeSim(t)
  const limited = await sim.runWith({ env: { DOKKU_SIM_FOLLOW_LIMIT: '5' } }, 'logs', 'node-js-app', '-t', '-n', '1')
  t.equal(limited.code, 0)
  const lines = limited.stdout.trimEnd().split('\n')
  t.equal(lines.length, 3 + 5)
  for (const l of lines) t.match(l, COLOURED)

  const ac = new AbortController()
  let n = 0
  const slept: number[] = []
  const aborted = await sim.runWith({
    env: { DOKKU_SIM_STEP_MS: '15' },
    signal: ac.signal,
    sleep: async (ms) => {
      slept.push(ms)
      if (++n === 4) ac.abort()
      await new Promise((resolve) => setImmediate(resolve))
    }
  }, 'logs', 'ruby-app', '--tail', '-n', '0')
  t.equal(aborted.code, 0)
  t.equal(aborted.stdout.trimEnd().split('\n').length, 3)
  t.same(slept, [100, 100, 100, 100], 'a line every ~1 s scaled by the step (150 ms → 1 s)')
  t.notMatch(aborted.stdout, /app\[web\.2\]/, 'only running containers are followed')

  const stopped = await sim.run('logs', 'python-app', '-t', '-n', '1')
  t.equal(stopped.stdout.trimEnd().split('\n').length, 1, 'nothing runs: docker logs --follow ends')
})
