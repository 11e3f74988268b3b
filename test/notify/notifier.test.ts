/**
 * Notifications against a local HTTP receiver: each channel kind's payload, one message per
 * state change (opened, worse, resolved; never per check), a retry after a 500, the severity
 * and app filters, snoozed findings, and nothing secret in any body or stored row.
 */
import t from 'tap'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SecretBox } from '../../src/crypto/secret-box.js'
import { openDatabase } from '../../src/db/database.js'
import { FindingRepository, type Candidate } from '../../src/db/findings.js'
import { NotificationRepository, type ChannelKind } from '../../src/db/notifications.js'
import { MAX_PENDING, Notifier } from '../../src/notify/notifier.js'
import { maskUrl, requestTarget, scrubUrl, validateChannelUrl } from '../../src/notify/urls.js'

const SECRET = 'test-session-secret-that-is-long-enough-1234567890'
const TOKEN = 'T0K3N-s3cr3t-in-the-path'

interface Received { path: string; headers: IncomingHttpHeaders; body: string }

/** A local receiver: records every request; `failFirst` paths answer 500 to their first request. */
async function receiver (t: Tap.Test, failFirst: Set<string> = new Set(), status: Record<string, number> = {}) {
  const got: Received[] = []
  const failed = new Set<string>()
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body })
      const path = req.url ?? ''
      if (failFirst.has(path) && !failed.has(path)) {
        failed.add(path)
        res.writeHead(500).end('boom')
        return
      }
      res.writeHead(status[path] ?? 200).end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return { got, base }
}

function setup (t: Tap.Test) {
  const db = openDatabase(':memory:')
  t.teardown(() => db.close())
  const findings = new FindingRepository(db)
  const repo = new NotificationRepository(db)
  const box = new SecretBox(SECRET, 'notification-channels')
  const clock = { now: at(0) }
  // A generous per-attempt timeout: on a loaded machine a slow local answer must not count as a failure (and be sent twice).
  const notifier = new Notifier(repo, findings, box, { retryDelaysMs: [10, 20], timeoutMs: 60_000, publicUrl: 'https://docklight.example.com', now: () => clock.now })
  t.teardown(() => notifier.stop())
  const channel = (kind: ChannelKind, url: string, opts: { minSeverity?: 'info' | 'warning' | 'critical'; apps?: string[] | null } = {}) =>
    repo.addChannel({ name: kind, kind, sealedUrl: box.seal(validateChannelUrl(url, kind)), minSeverity: opts.minSeverity ?? 'warning', apps: opts.apps ?? null })
  return { db, findings, repo, notifier, channel, clock }
}

const cert = (severity: 'warning' | 'critical', days: number): Candidate => ({
  rule: 'cert-expiry', key: 'cert-expiry:storefront', app: 'storefront', severity,
  title: `The certificate of storefront expires in ${days} days`, detail: `Expires in ${days} days.`, action: 'Renew it.', fix: null
})

const at = (h: number) => new Date(Date.UTC(2026, 2, 1, h))

t.test('one message per change, for each kind of channel, with its own payload', async (t) => {
  const { got, base } = await receiver(t)
  const s = setup(t)
  s.channel('webhook', `${base}/hook/${TOKEN}`)
  s.channel('slack', `${base}/slack/${TOKEN}`)
  s.channel('discord', `${base}/discord/${TOKEN}`)
  s.channel('ntfy', `${base}/ntfy-topic-${TOKEN}`)
  const checked = new Set(['cert-expiry'])
  const step = (candidates: Candidate[], h: number) => {
    s.notifier.changed(s.findings.apply('demo-b', checked, candidates, at(h)))
    return s.notifier.idle()
  }
  await step([cert('warning', 5)], 1)
  t.equal(got.length, 4, 'opened: one message per channel')
  await step([cert('warning', 5)], 2)
  await step([cert('warning', 4)], 3)
  t.equal(got.length, 4, 'the same condition seen again sends nothing, whatever its words')
  await step([cert('critical', 2)], 4)
  t.equal(got.length, 8, 'worse: one more each')
  await step([cert('warning', 4)], 5)
  t.equal(got.length, 8, 'better but still open: no message')
  await step([], 6)
  t.equal(got.length, 12, 'resolved: one more each')

  const of = (prefix: string) => got.filter((g) => g.path.startsWith(prefix))
  const hook = of('/hook/').map((g) => JSON.parse(g.body) as { event: string; summary: string; finding: { severity: string; app: string; host: string }; link: string })
  t.same(hook.map((h) => h.event), ['opened', 'worsened', 'resolved'])
  t.equal(hook[0]!.summary, '[warning] demo-b: The certificate of storefront expires in 5 days')
  t.match(hook[1]!.finding, { severity: 'critical', app: 'storefront', host: 'demo-b' })
  t.match(hook[0]!.link, /^https:\/\/docklight\.example\.com\/alerts\/\d+$/)
  t.equal(of('/hook/')[0]!.headers['content-type'], 'application/json')

  const slack = of('/slack/').map((g) => JSON.parse(g.body) as { text: string })
  t.match(slack[0]!.text, /^🟠 \*New: \[warning\] demo-b: The certificate of storefront expires in 5 days\*\nExpires in 5 days\.\nWhat to do: Renew it\.\n<https:\/\/docklight\.example\.com\/alerts\/\d+\|Open in Docklight>$/)
  t.match(slack[2]!.text, /^✅ \*Resolved: \[resolved\]/)

  const discord = of('/discord/').map((g) => JSON.parse(g.body) as { content: string; allowed_mentions: unknown })
  t.match(discord[1]!.content, /^🔴 \*\*Worse: \[critical\] demo-b: The certificate of storefront expires in 2 days\*\*/)
  t.same(discord[0]!.allowed_mentions, { parse: [] }, 'no pings, whatever the text says')

  const ntfy = of('/ntfy-topic-')
  t.same(ntfy.map((g) => [g.headers.priority, g.headers.tags]), [['4', 'warning'], ['5', 'rotating_light'], ['3', 'white_check_mark']])
  t.equal(ntfy[0]!.headers.title, 'New: [warning] demo-b: The certificate of storefront expires in 5 days')
  t.match(ntfy[0]!.headers.click, /^https:\/\/docklight\.example\.com\/alerts\//)
  t.equal(ntfy[0]!.body, 'Expires in 5 days.\nWhat to do: Renew it.')

  for (const g of got) {
    t.notOk(g.body.includes(TOKEN) || JSON.stringify(g.headers).includes(TOKEN), `${g.path.split('/')[1]}: the URL's secret is in no message`)
    t.notOk(g.body.includes(SECRET), 'nor the session secret')
  }
  const deliveries = s.repo.deliveries(100)
  t.equal(deliveries.length, 12)
  t.ok(deliveries.every((d) => d.status === 'sent' && d.attempts === 1 && d.httpStatus === 200), 'each delivery listed with its outcome')
  const stored = JSON.stringify(s.db.prepare('SELECT * FROM notification_channels').all()) + JSON.stringify(s.db.prepare('SELECT * FROM notification_deliveries').all())
  t.notOk(stored.includes(TOKEN), 'the URLs are sealed at rest, and no stored message holds them')
})

t.test('a 500 is retried with backoff; a 4xx is not', async (t) => {
  const { got, base } = await receiver(t, new Set([`/flaky/${TOKEN}`]), { [`/gone/${TOKEN}`]: 404 })
  const s = setup(t)
  s.channel('webhook', `${base}/flaky/${TOKEN}`)
  s.channel('slack', `${base}/gone/${TOKEN}`)
  s.notifier.changed(s.findings.apply('demo-b', new Set(['cert-expiry']), [cert('critical', 1)], at(1)))
  await s.notifier.idle()
  t.equal(got.filter((g) => g.path.startsWith('/flaky/')).length, 2, 'sent again after the 500')
  const [gone, flaky] = s.repo.deliveries(10)
  t.match(flaky, { status: 'sent', attempts: 2, httpStatus: 200 })
  t.match(gone, { status: 'failed', attempts: 1, httpStatus: 404, error: 'HTTP 404 Not Found' })
  t.equal(got.filter((g) => g.path.startsWith('/gone/')).length, 1)
})

t.test('a receiver that is not there: every attempt fails, the error names no secret', async (t) => {
  // A port nobody listens on: one a server had, and gave back.
  const closed = createServer()
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
  const port = (closed.address() as AddressInfo).port
  await new Promise<void>((resolve) => closed.close(() => resolve()))
  const s = setup(t)
  const dead = `http://127.0.0.1:${port}`
  s.channel('webhook', `${dead}/hook/${TOKEN}`)
  s.notifier.changed(s.findings.apply('h', new Set(['cert-expiry']), [cert('critical', 1)], at(1)))
  await s.notifier.idle()
  const [d] = s.repo.deliveries(1)
  t.match(d, { status: 'failed', attempts: 3, httpStatus: null })
  t.match(d!.error, /ECONNREFUSED/)
  t.notOk(d!.error!.includes(TOKEN))
})

t.test('severity and app filters per channel; snoozed findings send nothing', async (t) => {
  const { got, base } = await receiver(t)
  const s = setup(t)
  s.channel('webhook', `${base}/critical-only`, { minSeverity: 'critical' })
  s.channel('webhook', `${base}/other-app`, { apps: ['api'] })
  s.channel('webhook', `${base}/storefront`, { apps: ['storefront'] })
  const disk: Candidate = { rule: 'disk', key: 'disk:/', app: null, severity: 'warning', title: 'Disk / is 84% full', detail: '', action: '', fix: null }
  const checked = new Set(['cert-expiry', 'disk'])
  s.notifier.changed(s.findings.apply('h', checked, [cert('warning', 5), disk], at(1)))
  await s.notifier.idle()
  t.same(got.map((g) => g.path).sort(), ['/other-app', '/storefront', '/storefront'], 'host-wide findings pass any app filter; warnings skip the critical-only channel')
  got.length = 0
  const open = s.findings.open('h').find((f) => f.rule === 'cert-expiry')!
  s.findings.snooze(open.id, at(10))
  s.clock.now = at(2)
  s.notifier.changed(s.findings.apply('h', checked, [cert('critical', 2), disk], at(2)))
  await s.notifier.idle()
  t.same(got, [], 'worse while snoozed: no message')
  s.clock.now = at(3)
  s.notifier.changed(s.findings.apply('h', checked, [disk], at(3)))
  await s.notifier.idle()
  t.same(got.map((g) => g.path), ['/storefront'], 'its resolution goes to the channel that was told of it')
})

t.test('send test, and credentials in an ntfy URL', async (t) => {
  const { got, base } = await receiver(t)
  const s = setup(t)
  const url = base.replace('http://', 'http://alice:pa55word@') + '/alerts'
  const channel = s.channel('ntfy', url)
  const d = s.notifier.test(channel, 'demo-a')
  await s.notifier.idle()
  t.equal(got.length, 1)
  t.equal(got[0]!.headers.authorization, `Basic ${Buffer.from('alice:pa55word').toString('base64')}`, 'the credentials go as a login')
  t.equal(got[0]!.headers.title, 'Test: Test message from Docklight')
  t.notOk(got[0]!.body.includes('pa55word'))
  t.match(s.repo.delivery(d.id), { status: 'sent', event: 'test' })
})

t.test('URLs: checked, masked, and scrubbed from errors', async (t) => {
  t.equal(validateChannelUrl(' https://hooks.slack.com/services/T0/B0/xyz ', 'slack'), 'https://hooks.slack.com/services/T0/B0/xyz')
  for (const bad of ['', 'ftp://x/y', 'not a url', 'https://', `https://x/${'a'.repeat(3000)}`, 'https://x/a b']) t.throws(() => validateChannelUrl(bad, 'webhook'), bad)
  t.throws(() => validateChannelUrl('https://ntfy.sh/', 'ntfy'), /names its topic/)
  const masked = maskUrl(`https://hooks.slack.com/services/${TOKEN}`)
  t.match(masked, /^https:\/\/hooks\.slack\.com\/•+ \(\d+ characters\)$/)
  t.notOk(masked.includes(TOKEN))
  t.same(requestTarget('https://u:p@ntfy.example.com/topic'), { url: 'https://ntfy.example.com/topic', authorization: `Basic ${Buffer.from('u:p').toString('base64')}` })
  t.equal(scrubUrl(`request to https://x.io/hook/${TOKEN} failed`, `https://x.io/hook/${TOKEN}`), 'request to … failed')
})

t.test('what cannot be sent fails at once and says why; pending deliveries resume at the next start', async (t) => {
  const { got, base } = await receiver(t)
  const s = setup(t)
  // A URL sealed under another session secret (the secret changed since the channel was added).
  const other = new SecretBox('another-session-secret-that-is-long-enough-0987654321', 'notification-channels')
  const stale = s.repo.addChannel({ name: 'stale', kind: 'webhook', sealedUrl: other.seal(`${base}/stale`), minSeverity: 'info', apps: null })
  const d1 = s.notifier.test(stale, 'h')
  await s.notifier.idle()
  t.match(s.repo.delivery(d1.id), { status: 'failed', attempts: 1, error: /cannot be opened: the session secret changed/ })

  // A damaged stored message, and one left pending by a previous process: start() picks both up.
  const good = s.channel('webhook', `${base}/good`)
  const damaged = s.repo.addDelivery({ channelId: good.id, findingId: null, event: 'test', summary: 'x', payload: '{not json' })
  const left = s.repo.addDelivery({ channelId: good.id, findingId: null, event: 'test', summary: 'x', payload: JSON.stringify({ headers: {}, body: 'hello' }) })
  s.notifier.start()
  await s.notifier.idle()
  t.match(s.repo.delivery(damaged.id), { status: 'failed', error: 'the stored message is damaged' })
  t.match(s.repo.delivery(left.id), { status: 'sent', attempts: 1 })
  t.same(got.map((g) => [g.path, g.body]), [['/good', 'hello']])
})

t.test('a bound on deliveries waiting: beyond it, they fail at once', async (t) => {
  const s = setup(t)
  const channel = s.channel('webhook', 'http://127.0.0.1:9/never')
  await s.notifier.stop() // nothing is sent after a stop; a delivery made now stays pending
  const after = s.notifier.test(channel, 'h')
  t.match(s.repo.delivery(after.id), { status: 'pending', attempts: 0 }, 'left for the next start')
  const db = openDatabase(':memory:')
  t.teardown(() => db.close())
  const repo = new NotificationRepository(db)
  const box = new SecretBox(SECRET, 'notification-channels')
  // A fetch that answers only when aborted keeps every delivery in flight.
  const hang = new Notifier(repo, new FindingRepository(db), box, {
    fetch: (_url, init) => new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted')))),
    retryDelaysMs: []
  })
  t.teardown(() => hang.stop())
  const c = repo.addChannel({ name: 'slow', kind: 'webhook', sealedUrl: box.seal('http://127.0.0.1:9/slow'), minSeverity: 'info', apps: null })
  const made = Array.from({ length: MAX_PENDING + 1 }, () => hang.test(c, 'h'))
  t.match(repo.delivery(made.at(-1)!.id), { status: 'failed', error: 'dropped: too many deliveries waiting' })
  t.match(repo.delivery(made[0]!.id), { status: 'pending' })
})

namespace Tap { export type Test = import('tap').Test }
