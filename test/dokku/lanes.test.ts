/**
 * The runner's two lanes with a real fake-dokku process: reads never wait behind jobs, a run
 * that cannot get a slot is queued (and says so in history), gives up after its queue timeout,
 * and close() stops everything still running.
 */
import t from 'tap'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setTimeout as sleep } from 'node:timers/promises'
import { openDatabase } from '../../src/db/database.js'
import { HistoryRepository } from '../../src/db/history.js'
import { Lane, LaneRefusedError } from '../../src/dokku/lane.js'
import { Runner, type RunnerOptions } from '../../src/dokku/runner.js'
import { LocalTransport } from '../../src/dokku/transport.js'

const fake = fileURLToPath(new URL('../fixtures/bin/fake-dokku', import.meta.url))

function setup (lanes: Partial<RunnerOptions['lanes']> = {}) {
  const history = new HistoryRepository(openDatabase(':memory:'))
  const runner = new Runner(new LocalTransport(fake), history, {
    timeoutMs: 20_000,
    maxOutputBytes: 64 * 1024,
    killGraceMs: 100,
    lanes: {
      read: { concurrency: 2, queueTimeoutMs: 10_000, maxQueued: 10 },
      job: { concurrency: 2, queueTimeoutMs: 10_000, maxQueued: 10 },
      ...lanes
    }
  })
  return { history, runner }
}

async function until (check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return
    await sleep(10)
  }
  throw new Error(`gave up waiting for ${what}`)
}

t.test('reads are answered while jobs fill their lane, and a third job waits as queued', async (t) => {
  const { runner, history } = setup()
  const dir = t.testdir({})
  const stop = new AbortController()
  const jobs = [1, 2, 3].map((n) => runner.run('dokku', {
    args: ['sleep-tree', join(dir, `job-${n}.pid`)], lane: 'job', label: `job ${n}`, signal: stop.signal
  }))
  await until(() => existsSync(join(dir, 'job-1.pid')) && existsSync(join(dir, 'job-2.pid')), 'two jobs to start')
  t.equal(runner.lanes.job.running, 2)
  t.equal(runner.lanes.job.queued, 1)
  const queuedRow = history.list({ limit: 10 }).find((r) => r.label === 'job 3')!
  t.equal(queuedRow.status, 'queued', 'history shows the waiting run as queued')

  const read = await runner.run('dokku', { args: ['echo-args', 'answered'], kind: 'read' })
  t.equal(read.status, 'success')
  t.equal(read.stdout, '[answered]\n')
  t.equal(runner.lanes.job.running, 2, 'the jobs were still running when the read came back')
  t.notOk(existsSync(join(dir, 'job-3.pid')), 'and the third job had not started')

  stop.abort()
  const results = await Promise.all(jobs)
  t.same(results.map((r) => r.status), ['cancelled', 'cancelled', 'cancelled'])
  t.equal(history.get(results[2]!.id)!.error, 'cancelled while queued', 'the queued one never ran')
})

t.test('a run that waits longer than its queue timeout gives up, and history says why', async (t) => {
  const { runner, history } = setup({ job: { concurrency: 1, queueTimeoutMs: 150, maxQueued: 1 } })
  const dir = t.testdir({})
  const stop = new AbortController()
  const first = runner.run('dokku', { args: ['sleep-tree', join(dir, 'a.pid')], lane: 'job', signal: stop.signal })
  await until(() => existsSync(join(dir, 'a.pid')), 'the first job')
  const second = runner.run('dokku', { args: ['echo-args', 'late'], lane: 'job' })
  const third = await runner.run('dokku', { args: ['echo-args', 'later'], lane: 'job' })
  t.equal(third.status, 'error', 'the queue holds one: the next is refused at once')
  t.match(third.error, /too many commands are waiting in the job lane/)
  const timedOut = await second
  t.equal(timedOut.status, 'timeout')
  t.equal(timedOut.error, 'waited 150 ms for a free slot in the job lane')
  t.match(history.get(timedOut.id), { status: 'timeout', error: 'waited 150 ms for a free slot in the job lane', stdout: '' })
  stop.abort()
  t.equal((await first).status, 'cancelled')
})

t.test('onStart fires when a queued run gets its slot', async (t) => {
  const { runner } = setup({ job: { concurrency: 1, queueTimeoutMs: 10_000, maxQueued: 5 } })
  const dir = t.testdir({})
  const stop = new AbortController()
  const first = runner.run('dokku', { args: ['sleep-tree', join(dir, 'a.pid')], lane: 'job', signal: stop.signal })
  await until(() => existsSync(join(dir, 'a.pid')), 'the first job')
  let started = false
  const second = runner.run('dokku', { args: ['echo-args', 'x'], lane: 'job', onStart: () => { started = true } })
  await sleep(50)
  t.equal(started, false, 'not while it waits')
  stop.abort()
  await first
  t.equal((await second).status, 'success')
  t.equal(started, true)
})

t.test('close() ends every run still going and writes their rows', async (t) => {
  const { runner, history } = setup()
  const dir = t.testdir({})
  const running = runner.run('dokku', { args: ['sleep-tree', join(dir, 'a.pid')], lane: 'job' })
  await until(() => existsSync(join(dir, 'a.pid')), 'the job')
  await runner.close()
  const r = await running
  t.equal(r.status, 'cancelled')
  t.equal(history.get(r.id)!.status, 'cancelled')
  const after = await runner.run('dokku', { args: ['echo-args', 'x'] })
  t.equal(after.status, 'cancelled', 'nothing new runs once closed')
})

t.test('Lane on its own: bounded queue, order, release once', async (t) => {
  const lane = new Lane('read', { concurrency: 1, queueTimeoutMs: 1000, maxQueued: 2 })
  const first = await lane.acquire()
  const order: number[] = []
  const a = lane.acquire().then((r) => { order.push(1); return r })
  const b = lane.acquire().then((r) => { order.push(2); return r })
  await t.rejects(lane.acquire(), LaneRefusedError)
  first()
  first()
  t.equal(lane.running, 1, 'releasing twice frees one slot only')
  ;(await a)()
  ;(await b)()
  t.same(order, [1, 2], 'first come, first served')
  t.equal(lane.running, 0)
  t.equal(lane.tryAcquire() !== null, true)
})
