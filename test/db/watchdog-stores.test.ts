/**
 * The watchdog's stores read back what they wrote, and a damaged row (edited by hand, or from a
 * bug) reads as "nothing" rather than breaking every page: a finding's fix, a channel's app
 * filter, a host's addresses. The retention bounds of findings and disk samples.
 */
import t from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { DiskSampleRepository, KEEP_DAYS } from '../../src/db/disk-samples.js'
import { FindingRepository, MAX_RESOLVED, RESOLVED_KEEP_DAYS, SUMMARY_MEMO_MS, type Candidate } from '../../src/db/findings.js'
import { NotificationRepository } from '../../src/db/notifications.js'
import { MAX_ADDRESSES, WatchSettings } from '../../src/db/watch-settings.js'

const DAY = 86_400_000
const NOW = new Date('2026-03-01T12:00:00Z')

function db (t: Tap.Test) {
  const d = openDatabase(':memory:')
  t.teardown(() => d.close())
  return d
}

const candidate = (key: string, fix: Candidate['fix'] = null): Candidate => ({
  rule: 'disk', key, app: null, severity: 'warning', title: key, detail: '', action: '', fix
})

t.test('a finding whose stored fix is damaged has no fix', async (t) => {
  const d = db(t)
  const findings = new FindingRepository(d)
  const [opened] = findings.apply('h', new Set(['disk']), [candidate('disk:/', { kind: 'app-restart', label: 'Restart', app: 'a' })], NOW)
  t.same(findings.get(opened!.finding.id)!.fix, { kind: 'app-restart', label: 'Restart', app: 'a' })
  d.prepare('UPDATE findings SET fix = ? WHERE id = ?').run('{oops', opened!.finding.id)
  t.equal(findings.get(opened!.finding.id)!.fix, null)
})

t.test('resolved findings are kept RESOLVED_KEEP_DAYS, open ones always', async (t) => {
  const findings = new FindingRepository(db(t))
  const checked = new Set(['disk'])
  findings.apply('h', checked, [candidate('disk:/a'), candidate('disk:/b')], NOW)
  findings.apply('h', checked, [candidate('disk:/b')], new Date(NOW.getTime() + DAY))
  t.equal(findings.prune(new Date(NOW.getTime() + (RESOLVED_KEEP_DAYS - 1) * DAY)), 0, 'recent enough')
  t.equal(findings.prune(new Date(NOW.getTime() + (RESOLVED_KEEP_DAYS + 2) * DAY)), 1, 'the old resolved one goes')
  t.same(findings.list({ state: 'all' }).map((f) => f.key), ['disk:/b'], 'the open one stays')
  t.ok(MAX_RESOLVED > 0)
})

t.test('a channel whose stored app filter is damaged takes every app', async (t) => {
  const d = db(t)
  const repo = new NotificationRepository(d, () => NOW)
  const c = repo.addChannel({ name: 'n', kind: 'ntfy', sealedUrl: 'sealed', minSeverity: 'warning', apps: ['shop'] })
  t.same(repo.channel(c.id)!.apps, ['shop'])
  d.prepare('UPDATE notification_channels SET apps = ? WHERE id = ?').run('[1, "shop", null]', c.id)
  t.same(repo.channel(c.id)!.apps, ['shop'], 'only the names are kept')
  d.prepare('UPDATE notification_channels SET apps = ? WHERE id = ?').run('{"a":1}', c.id)
  t.equal(repo.channel(c.id)!.apps, null)
  d.prepare('UPDATE notification_channels SET apps = ? WHERE id = ?').run('not json', c.id)
  t.equal(repo.channel(c.id)!.apps, null)
})

t.test('a host\'s addresses: written through, read back after a restart, bounded, damage ignored', async (t) => {
  const d = db(t)
  new WatchSettings(d).setAddresses('demo-a', ['203.0.113.10', '2001:db8::10'])
  t.same(new WatchSettings(d).addresses('demo-a'), ['203.0.113.10', '2001:db8::10'], 'a new process reads them from SQLite')
  const s = new WatchSettings(d)
  s.setAddresses('demo-b', Array.from({ length: MAX_ADDRESSES + 3 }, (_, i) => `192.0.2.${i}`))
  t.equal(s.addresses('demo-b').length, MAX_ADDRESSES)
  s.setAddresses('demo-b', [])
  t.same(new WatchSettings(d).addresses('demo-b'), [], 'an empty list is no setting')
  d.prepare("INSERT INTO settings (key, value) VALUES ('watchdog.addresses.x', '{oops'), ('watchdog.addresses.y', '\"one\"'), ('watchdog.addresses.z', '[\"192.0.2.1\", 7]')").run()
  const fresh = new WatchSettings(d)
  t.same([fresh.addresses('x'), fresh.addresses('y'), fresh.addresses('z')], [[], [], ['192.0.2.1']])
})

t.test('disk samples: the newest per partition, none older than KEEP_DAYS', async (t) => {
  const disk = new DiskSampleRepository(db(t))
  const s = (mount: string, at: number, used: number) => ({ mount, at, usedBytes: used, sizeBytes: 100 })
  const now = NOW.getTime()
  disk.add('h', [s('/', now - (KEEP_DAYS + 1) * DAY, 10)], now - (KEEP_DAYS + 1) * DAY)
  disk.add('h', [s('/', now - DAY, 20), s('/data', now - DAY, 5)], now - DAY)
  disk.add('h', [s('/', now, 30)], now)
  t.same(disk.recent('h', '/', 0).map((x) => x.usedBytes), [20, 30], 'the sample older than KEEP_DAYS was pruned')
  t.same(disk.latest('h').map((x) => [x.mount, x.usedBytes]), [['/', 30], ['/data', 5]])
  t.same(disk.latest('other'), [])
})

namespace Tap { export type Test = import('tap').Test }

t.test('the pages\' alert summary is reused until a write, and for at most SUMMARY_MEMO_MS', async (t) => {
  const d = db(t)
  const findings = new FindingRepository(d)
  t.equal(findings.summary(NOW).total, 0)
  findings.apply('h', new Set(['disk']), [candidate('disk:/')], NOW)
  t.equal(findings.summary(NOW).total, 1, 'a write is seen at once')
  t.equal(findings.summary(NOW, 'h').total, 1)
  t.equal(findings.summary(NOW, 'other').total, 0, 'per host')
  t.same(findings.openFor(NOW, 'h', 5).map((f) => f.key), ['disk:/'], 'the dashboard\'s open list too')
  // A change behind the repository's back (another process) shows once the memo runs out.
  d.prepare('DELETE FROM findings').run()
  t.equal(findings.summary(new Date(NOW.getTime() + 10)).total, 1, 'reused within the window')
  t.equal(findings.summary(new Date(NOW.getTime() + SUMMARY_MEMO_MS)).total, 0, 'read again after it')
  t.same(findings.openFor(new Date(NOW.getTime() + SUMMARY_MEMO_MS), 'h', 5), [], 'so is the open list')
  t.equal(findings.summary(new Date(NOW.getTime() - DAY)).total, 0, 'a clock that went back reads again')
  const [opened] = findings.apply('h', new Set(['disk']), [candidate('disk:/')], NOW)
  t.equal(findings.summary(NOW).total, 1)
  findings.snooze(opened!.finding.id, new Date(NOW.getTime() + DAY))
  t.equal(findings.summary(NOW).total, 0, 'a snooze is seen at once')
})

t.test("an app's findings are reused until a write, and their list is the caller's own", async (t) => {
  const d = db(t)
  const findings = new FindingRepository(d)
  t.same(findings.forApp('h', 'web'), [])
  findings.apply('h', new Set(['disk']), [{ ...candidate('crash:web'), app: 'web' }], NOW)
  const first = findings.forApp('h', 'web')
  t.same(first.map((f) => f.key), ['crash:web'], 'a write is seen at once')
  first.pop()
  t.equal(findings.forApp('h', 'web').length, 1, 'emptying the returned list leaves the kept one whole')
  t.same(findings.forApp('h', 'other'), [], 'per app')
  findings.apply('h', new Set(['disk']), [], NOW)
  t.same(findings.forApp('h', 'web'), [], 'a finding that resolved is gone at once')
})
