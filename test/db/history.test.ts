import t from 'tap'
import { openDatabase, migrate } from '../../src/db/database.js'
import { HistoryRepository, LIST_MEMO_MAX } from '../../src/db/history.js'

t.test('the database is WAL, migrated once, and keeps rows', async (t) => {
  const dir = t.testdir({})
  const db = openDatabase(dir)
  t.equal(db.pragma('journal_mode', { simple: true }), 'wal')
  const version = db.pragma('user_version', { simple: true })
  migrate(db)
  t.equal(db.pragma('user_version', { simple: true }), version, 'migrating twice changes nothing')
  const repo = new HistoryRepository(db)
  const id = repo.start({ command: 'dokku apps:list' })
  db.close()
  const again = new HistoryRepository(openDatabase(dir))
  t.equal(again.get(id)!.command, 'dokku apps:list')
})

t.test('start, finish, list with filters and paging', async (t) => {
  let clock = Date.parse('2026-01-01T00:00:00Z')
  const repo = new HistoryRepository(openDatabase(':memory:'), () => new Date(clock += 1000))
  const a = repo.start({ command: 'dokku ps:restart a', app: 'a', kind: 'job', label: 'Restart a' })
  const b = repo.start({ command: 'dokku apps:list' })
  repo.finish(a, { status: 'success', exitCode: 0, stdout: 'ok', stderr: '', durationMs: 12.6 })
  repo.finish(b, { status: 'failed', exitCode: 1, stdout: '', stderr: ' !     boom', error: null, durationMs: 3 })
  const rowA = repo.get(a)!
  t.match(rowA, { status: 'success', exitCode: 0, stdout: 'ok', durationMs: 13, kind: 'job', label: 'Restart a', app: 'a' })
  t.equal(rowA.createdAt, '2026-01-01T00:00:01.000Z')
  t.ok(rowA.finishedAt)
  t.same(repo.list().map((r) => r.id), [b, a], 'newest first')
  t.same(repo.list({ app: 'a' }).map((r) => r.id), [a])
  t.same(repo.list({ status: 'failed' }).map((r) => r.id), [b])
  t.same(repo.list({ before: b }).map((r) => r.id), [a])
  t.same(repo.list({ limit: 1 }).map((r) => r.id), [b])
  t.equal(repo.get(999), undefined)
})

t.test('a list is answered again after every kind of write, and stays the caller\'s own', async (t) => {
  const repo = new HistoryRepository(openDatabase(':memory:'))
  const actions = () => repo.list({ host: 'local', app: 'a', kind: 'actions', limit: 5 })
  t.same(actions(), [])
  const id = repo.start({ command: 'dokku ps:restart a', app: 'a', kind: 'job', status: 'queued' })
  t.same(actions().map((r) => [r.id, r.status]), [[id, 'queued']], 'a new row')
  repo.markRunning(id, 'dokku ps:restart a')
  t.equal(actions()[0]!.status, 'running', 'a queued job that started')
  repo.finish(id, { status: 'success', exitCode: 0, stdout: '', stderr: '', durationMs: 5 })
  t.equal(actions()[0]!.status, 'success', 'a finished run')
  repo.skip(id, 'already running')
  t.equal(actions()[0]!.status, 'skipped', 'a run that did nothing')
  repo.setStatus(id, 'failed')
  t.equal(actions()[0]!.status, 'failed', 'a status set')
  const kept = actions()
  kept.length = 0
  t.equal(actions().length, 1, 'emptying the returned list leaves the kept one whole')
  const other = repo.start({ command: 'dokku ps:stop a', app: 'a', kind: 'action' })
  repo.interrupt(other, 'shut down')
  t.same(actions().map((r) => r.status), ['interrupted', 'failed'], 'an interrupted run')
  t.equal(repo.deleteCreatedBefore(new Date(Date.now() + 60_000), 10), 2)
  t.same(actions(), [], 'pruned rows are gone at once')
  for (let i = 0; i < LIST_MEMO_MAX + 5; i++) t.same(repo.list({ app: `app-${i}` }), [])
  t.same(actions(), [], 'more distinct lists than the bound are still answered')
})

t.test('runs left running by a dead process are marked interrupted', async (t) => {
  const repo = new HistoryRepository(openDatabase(':memory:'))
  const running = repo.start({ command: 'dokku ps:rebuild x' })
  const queued = repo.start({ command: 'dokku ps:rebuild y', status: 'queued' })
  const done = repo.start({ command: 'dokku apps:list' })
  repo.finish(done, { status: 'success', exitCode: 0, stdout: '', stderr: '', durationMs: 1 })
  t.equal(repo.markInterrupted(), 2)
  t.equal(repo.get(running)!.status, 'interrupted')
  t.equal(repo.get(queued)!.status, 'interrupted')
  t.equal(repo.get(done)!.status, 'success')
})

t.test("an app's or a host's recent actions come through their own index, never a walk of all reads", async (t) => {
  const db = openDatabase(':memory:')
  const repo = new HistoryRepository(db)
  const plans: string[] = []
  const prepare = db.prepare.bind(db)
  db.prepare = ((sql: string) => {
    if (/FROM command_history WHERE/.test(sql)) plans.push((prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ host: 'local', app: 'web', limit: 5 }) as Array<{ detail: string }>).map((p) => p.detail).join(' | '))
    return prepare(sql)
  }) as typeof db.prepare
  repo.list({ host: 'local', app: 'web', kind: 'actions', limit: 5 })
  repo.list({ host: 'local', kind: 'actions', limit: 5 })
  t.match(plans[0], /USING INDEX command_history_app_actions \(host=\? AND app=\?\)/)
  t.match(plans[1], /USING INDEX command_history_host_actions \(host=\?\)/)
})
