import { statSync } from 'node:fs'
import { join } from 'node:path'
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { openDatabase, type Db } from '../../src/db/database.js'
import { HistoryPruner, type PruneResult } from '../../src/db/history-pruner.js'
import { HistoryRepository, type RunStatus } from '../../src/db/history.js'

const DAY = 24 * 60 * 60 * 1000
const T0 = Date.parse('2026-01-01T00:00:00Z')

/** A database whose rows are stamped by a clock the test moves. */
function fixture (dir: string | ':memory:' = ':memory:') {
  const db = openDatabase(dir)
  const clock = { now: T0 }
  const repo = new HistoryRepository(db, () => new Date(clock.now))
  /** A finished (or still going) run at the clock's time; the clock then ticks a second. */
  const run = (status: RunStatus = 'success', output = '') => {
    const id = repo.start({ command: 'dokku ps:rebuild some-app', app: 'some-app', kind: 'job', status: status === 'queued' ? 'queued' : 'running' })
    if (status !== 'running' && status !== 'queued') repo.finish(id, { status, exitCode: 0, stdout: output, stderr: '', durationMs: 5 })
    clock.now += 1000
    return id
  }
  const many = (n: number, output = '') => db.transaction(() => Array.from({ length: n }, () => run('success', output)))()
  return { db, clock, repo, run, many }
}

const outputRows = (db: Db) => (db.prepare('SELECT count(*) AS n FROM command_output').get() as { n: number }).n
const ids = (repo: HistoryRepository) => repo.list({ limit: 500 }).map((r) => r.id).sort((a, b) => a - b)

t.test('retention by days: older ended rows go with their output; running and queued rows stay', async (t) => {
  const { db, clock, repo, run } = fixture()
  const old = [run('success', 'old output'), run('failed', 'old failure'), run('cancelled')]
  const running = run('running')
  const queued = run('queued')
  clock.now = T0 + 50 * DAY
  const recent = [run('success', 'recent output'), run('failed')]
  t.equal(outputRows(db), 3)

  const pruner = new HistoryPruner(repo, db, { days: 90, maxRows: 1000, now: () => new Date(clock.now) })
  clock.now = T0 + 89 * DAY
  t.match(await pruner.prune(), { byAge: 0, byRows: 0 }, 'nothing is 90 days old yet')
  t.same(ids(repo), [...old, running, queued, ...recent])

  clock.now = T0 + 91 * DAY
  const result = await pruner.prune()
  t.match(result, { byAge: 3, byRows: 0, stopped: false })
  t.same(ids(repo), [running, queued, ...recent], 'the runs still going survive, however old')
  t.equal(outputRows(db), 1, 'the old rows\' output went with them (ON DELETE CASCADE)')
  t.equal(repo.get(recent[0]!)!.stdout, 'recent output')

  clock.now = T0 + 141 * DAY
  t.match(await pruner.prune(), { byAge: 2 })
  t.same(ids(repo), [running, queued])
})

t.test('retention by rows keeps the newest, in batches that let other work run in between', async (t) => {
  const { db, repo, run, many } = fixture()
  const running = run('running')
  const rows = many(1000)
  const total = repo.count()
  t.equal(total, 1001)

  const pruner = new HistoryPruner(repo, db, { days: 3650, maxRows: 300, batchSize: 50, now: () => new Date(T0) })
  const pass = pruner.prune()
  await nextTurn()
  const midway = repo.count()
  t.ok(midway < total && midway > 301, `other code ran while pruning was under way (${midway} rows left then)`)
  t.same(repo.list({ limit: 1 }).map((r) => r.id), [rows.at(-1)], 'reads work between batches')

  const result = await pass
  t.equal(result.byRows, 700, 'everything beyond the newest 300 but the running row')
  t.ok(result.batches >= 14, `at most 50 rows per transaction (${result.batches} batches)`)
  t.equal(repo.count(), 301)
  const kept = db.prepare('SELECT id FROM command_history ORDER BY id').all().map((r) => (r as { id: number }).id)
  t.same(kept, [running, ...rows.slice(-300)], 'the newest 300, and the run still going')
  t.match(await pruner.prune(), { byRows: 0 }, 'a second pass has nothing to do')
})

t.test('incremental vacuum gives the pages back to the file', async (t) => {
  const dir = t.testdir({})
  const { db, clock, repo, many } = fixture(dir)
  t.equal(db.pragma('auto_vacuum', { simple: true }), 2, 'INCREMENTAL')
  many(1500, 'x'.repeat(4000))
  clock.now = T0 + 200 * DAY
  many(10, 'kept')
  db.pragma('wal_checkpoint(TRUNCATE)')
  const before = { pages: db.pragma('page_count', { simple: true }) as number, bytes: statSync(join(dir, 'docklight.db')).size }

  const pruner = new HistoryPruner(repo, db, { days: 90, maxRows: 100_000, vacuumPages: 100, now: () => new Date(clock.now) })
  const result = await pruner.prune()
  t.equal(result.byAge, 1500)
  t.equal(db.pragma('freelist_count', { simple: true }), 0, 'no free page left in the file')
  const pages = db.pragma('page_count', { simple: true }) as number
  t.ok(pages < before.pages / 10, `page_count ${before.pages} → ${pages}`)
  t.ok(result.pagesFreed >= before.pages - pages - 10, `${result.pagesFreed} pages freed, reported`)
  db.pragma('wal_checkpoint(TRUNCATE)')
  const bytes = statSync(join(dir, 'docklight.db')).size
  t.ok(bytes < before.bytes / 10, `the file shrank: ${before.bytes} → ${bytes} bytes`)
  t.equal(repo.count(), 10)
  t.equal(repo.get(repo.list({ limit: 1 })[0]!.id)!.stdout, 'kept')
  db.close()
})

t.test('in the background: a first pass soon after start, then on its interval; stop ends it', async (t) => {
  const { db, clock, repo, many } = fixture()
  many(20)
  clock.now = T0 + 100 * DAY
  const passes: PruneResult[] = []
  let firstPass!: () => void
  const first = new Promise<void>((resolve) => { firstPass = resolve })
  const pruner = new HistoryPruner(repo, db, {
    days: 90, maxRows: 1000, now: () => new Date(clock.now), firstPassMs: 1, intervalMs: 2,
    onPass: (r) => { passes.push(r); firstPass() }
  })
  t.equal(repo.count(), 20, 'start() itself deletes nothing')
  // The pruner's timers are unref'd (they never keep a server from exiting): hold the loop open.
  const keepAlive = setInterval(() => {}, 1000)
  t.teardown(() => clearInterval(keepAlive))
  t.notOk(pruner.scheduled)
  pruner.start()
  t.ok(pruner.scheduled)
  t.equal(repo.count(), 20, 'nor does it block: the pass comes later')
  await first
  t.match(passes[0], { byAge: 20 })
  t.equal(repo.count(), 0)
  while (passes.length < 3) await sleep(5)
  await pruner.stop()
  t.notOk(pruner.scheduled)
  const after = passes.length
  await sleep(30)
  t.equal(passes.length, after, 'no pass after stop()')
})

t.test('stop() during a pass ends it after the current batch', async (t) => {
  const { db, repo, many } = fixture()
  many(1000)
  const pruner = new HistoryPruner(repo, db, { days: 3650, maxRows: 100, batchSize: 50, now: () => new Date(T0) })
  const pass = pruner.prune()
  await pruner.stop()
  const result = await pass
  t.equal(result.stopped, true)
  t.ok(repo.count() > 100, `the pass did not finish (${repo.count()} rows left)`)
  t.equal(result.byRows, 1000 - repo.count())
})

t.test('prune() during a pass runs one fresh pass after it, never two at once', async (t) => {
  const { db, clock, repo, many } = fixture()
  many(600)
  const pruner = new HistoryPruner(repo, db, { days: 1, maxRows: 100, batchSize: 50, now: () => new Date(clock.now) })
  clock.now = T0 + DAY / 2
  const first = pruner.prune()
  clock.now = T0 + 2 * DAY
  const again = pruner.prune()
  t.equal(pruner.prune(), again, 'callers during a pass share the one queued after it')
  t.not(again, first)
  t.match(await first, { byAge: 0, byRows: 500 })
  t.match(await again, { byAge: 100, byRows: 0 }, 'the queued pass read the clock and the table afresh')
  t.equal(repo.count(), 0)
})

t.test('a failed pass is reported, and the next one still comes', async (t) => {
  const { db, repo } = fixture()
  const errors: unknown[] = []
  const keepAlive = setInterval(() => {}, 1000)
  t.teardown(() => clearInterval(keepAlive))
  const pruner = new HistoryPruner(repo, db, { days: 1, maxRows: 100, firstPassMs: 1, intervalMs: 1, onError: (err) => errors.push(err) })
  db.close()
  pruner.start()
  while (errors.length < 2) await sleep(5)
  await pruner.stop()
  t.match(errors[0], { message: /database connection is not open/ })
})
