/**
 * Alerts in the pages (issue 11): /alerts with its filters, a finding's page with its one-click
 * fix (a job that fixes, checks again, and the alert clears), snoozing, "check now", the
 * dashboard's count and worst finding, an app's findings on its tabs, the notification
 * channels and watchdog addresses on /settings, and the watchdog's start and stop.
 */
import t from 'tap'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { StaticResolver } from '../../src/watchdog/resolver.js'
import { build, login } from '../helpers/build.js'
import { editSimState, readSimState } from '../helpers/simulator-state.js'

const hx = (cookie: string) => ({ cookie, 'hx-request': 'true' })
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const formHeaders = (cookie: string) => ({ ...hx(cookie), 'content-type': 'application/x-www-form-urlencoded' })
const A = '203.0.113.10'
const resolver = new StaticResolver({ 'dokku.me': [A], 'node-js-app.dokku.me': [A], 'www.example.com': [A], 'python-app.dokku.me': [A], 'api.example.org': [A], 'ruby-app.dokku.me': [A], 'go-worker.dokku.me': [A], 'static-site.dokku.me': [A] })
const disk = { async sample () { return [{ filesystem: '/dev/vda1', mount: '/', sizeBytes: 100, usedBytes: 40, availBytes: 60, usePercent: 40 }] } }

t.test('alerts in the pages', async (t) => {
  const { app, dataDir } = await build(t, { watchdog: { resolver, diskSampler: disk, deployOutcomes: () => [] } })
  const cookie = await login(app)
  const host = app.hosts.default
  await app.alerts.watchdog.check(host)
  const open = app.alerts.findings.open('local')
  const go = open.find((f) => f.key === 'app-down:go-worker')!
  const python = open.find((f) => f.key === 'cert-expiry:python-app')!

  await t.test('the dashboard shows the count and the worst finding, without a dokku call of its own', async (t) => {
    const before = app.history.list({ kind: 'all', limit: 500 }).length
    const res = await app.inject({ url: '/', headers: { cookie } })
    t.match(res.body, /<strong>3 open alerts<\/strong><\/a>:\s*<span class="badge sev-critical">1 critical<\/span> <span class="badge sev-warning">2 warning<\/span>/)
    t.match(res.body, new RegExp(`Worst: <a href="/alerts/${go.id}" data-worst="${go.id}">go-worker has crashed: none of its processes runs</a>`))
    t.match(res.body, /<a href="\/alerts" class="nav-alerts">Alerts <span class="badge sev-critical" data-alert-count>3<\/span><\/a>/, 'and the header its count')
    const ran = app.history.list({ kind: 'all', limit: 500 }).slice(0, app.history.list({ kind: 'all', limit: 500 }).length - before).map((r) => r.command)
    t.ok(ran.every((c) => c === 'dokku ps:report' || c === 'dokku domains:report'), `only the dashboard's own reads: ${ran.join(', ')}`)
  })

  await t.test('/alerts: open and recent, filtered by host, app and severity', async (t) => {
    const all = await app.inject({ url: '/alerts', headers: { cookie } })
    t.equal(all.statusCode, 200)
    t.equal((all.body.match(/<tr data-finding=/g) ?? []).length, 3)
    t.match(all.body, /<tr data-watch="local">/)
    t.match(all.body, /The watchdog is not running in this process/)
    const critical = await app.inject({ url: '/alerts?severity=critical', headers: { cookie } })
    t.match(critical.body, /data-rule="app-down"/)
    t.equal((critical.body.match(/<tr data-finding=/g) ?? []).length, 1)
    const byApp = await app.inject({ url: '/alerts?app=python-app&host=local', headers: { cookie } })
    t.match(byApp.body, /The certificate of python-app expires in/)
    t.equal((byApp.body.match(/<tr data-finding=/g) ?? []).length, 1)
    const bad = await app.inject({ url: '/alerts?host=nowhere', headers: { cookie } })
    t.equal(bad.statusCode, 400)
    t.match(bad.body, /There is no host named &quot;nowhere&quot;/)
    t.equal((await app.inject({ url: '/alerts?severity=loud', headers: { cookie } })).statusCode, 400)
    t.equal((await app.inject({ url: '/alerts/999999', headers: { cookie } })).statusCode, 404)
  })

  await t.test('each app page shows that app\'s findings', async (t) => {
    for (const url of ['/apps/go-worker', '/apps/go-worker/config', '/apps/go-worker/domains']) {
      const res = await app.inject({ url, headers: { cookie } })
      t.match(res.body, new RegExp(`<div class="app-findings" id="app-findings">[\\s\\S]*data-finding="${go.id}"[\\s\\S]*go-worker has crashed`), url)
      t.match(res.body, /one-click fix: Restart/)
    }
    t.notMatch((await app.inject({ url: '/apps/node-js-app', headers: { cookie } })).body, /id="app-findings"/, 'an app with none shows none')
  })

  await t.test('snooze and wake, from the finding\'s page', async (t) => {
    const page = await app.inject({ url: `/alerts/${go.id}`, headers: { cookie } })
    t.match(page.body, /<button type="submit" class="primary" data-fix="app-restart">Restart<\/button>/)
    const snoozed = await app.inject({ method: 'POST', url: `/alerts/${go.id}/snooze`, headers: formHeaders(cookie), payload: form({ for: '1h' }) })
    t.equal(snoozed.statusCode, 200)
    t.match(snoozed.body, /Snoozed until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\./)
    t.match((await app.inject({ url: '/', headers: { cookie } })).body, /<strong>2 open alerts<\/strong>[\s\S]*\(and 1 snoozed\)/)
    t.match((await app.inject({ url: '/apps/go-worker', headers: { cookie } })).body, /<span class="badge">snoozed<\/span>/)
    const woke = await app.inject({ method: 'POST', url: `/alerts/${go.id}/unsnooze`, headers: formHeaders(cookie) })
    t.match(woke.body, /Snooze for/)
    const plain = await app.inject({ method: 'POST', url: `/alerts/${go.id}/snooze`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: form({ for: 'forever' }) })
    t.equal(plain.statusCode, 400)
    t.match(plain.body, /Choose how long/)
    const plainForm = { cookie, 'content-type': 'application/x-www-form-urlencoded' }
    const again = await app.inject({ method: 'POST', url: `/alerts/${go.id}/snooze`, headers: plainForm, payload: form({ for: '4h' }) })
    t.same([again.statusCode, again.headers.location], [303, `/alerts/${go.id}`], 'a plain form goes back to the alert')
    const wake = await app.inject({ method: 'POST', url: `/alerts/${go.id}/unsnooze`, headers: plainForm })
    t.same([wake.statusCode, wake.headers.location], [303, `/alerts/${go.id}`])
    t.equal(app.alerts.findings.get(go.id)!.snoozedUntil, null)
    const panel = await app.inject({ url: `/alerts/${go.id}/panel`, headers: { cookie } })
    t.same([panel.statusCode, panel.headers.location], [303, `/alerts/${go.id}`], 'the panel alone is for htmx')
  })

  await t.test('a one-click fix is a job that fixes, checks again, and the alert clears', async (t) => {
    const job = await app.inject({ method: 'POST', url: `/alerts/${python.id}/fix`, headers: hx(cookie) })
    t.equal(job.statusCode, 202)
    t.match(job.body, /Renew Let&#39;s Encrypt certificate for python-app/)
    await app.jobs.drain()
    const done = app.history.list({ kind: 'actions', limit: 20 }).find((r) => r.kind === 'job')!
    t.match(app.jobs.get(done.id)!.output, /\[docklight\] Checked local again: the alert has cleared\./, 'the job says what became of the alert')
    t.ok(app.alerts.findings.get(python.id)!.resolvedAt, 'cleared')
    const panel = await app.inject({ url: `/alerts/${python.id}/panel`, headers: hx(cookie) })
    t.match(panel.body, /data-state="resolved"/)
    t.match(panel.body, /This has cleared: the watchdog no longer sees it\./)
    t.notMatch(panel.body, /data-fix=/, 'nothing left to fix')
    const again = await app.inject({ method: 'POST', url: `/alerts/${python.id}/fix`, headers: hx(cookie) })
    t.equal(again.statusCode, 400)
    t.ok((await readSimState(dataDir)).apps['python-app']!.cert!.expiresAt > Date.now() / 1000 + 80 * 86400, 'the certificate was renewed')

    await app.inject({ method: 'POST', url: `/alerts/${go.id}/fix`, headers: hx(cookie) })
    await app.jobs.drain()
    t.ok(app.alerts.findings.get(go.id)!.resolvedAt, 'the crashed app was restarted, and its alert cleared')
    const recent = await app.inject({ url: '/alerts', headers: { cookie } })
    t.match(recent.body, /<div class="card" id="alerts-recent">[\s\S]*go-worker has crashed[\s\S]*The certificate of python-app/)
  })

  await t.test('check now', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/alerts/check', headers: formHeaders(cookie), payload: form({ host: 'local' }) })
    t.equal(res.statusCode, 204)
    t.equal(res.headers['hx-redirect'], '/alerts?host=local')
    t.equal((await app.inject({ method: 'POST', url: '/alerts/check', headers: formHeaders(cookie), payload: form({ host: 'other' }) })).statusCode, 400)
  })

  await t.test('auto-renew off: the fixes turn it on (and renew), and the alerts clear', async (t) => {
    await editSimState(dataDir, (s, now) => {
      s.global.letsencryptAutorenew = false
      s.apps['python-app']!.cert!.expiresAt = now + 2 * 86400
    })
    await app.alerts.watchdog.check(host)
    const open = app.alerts.findings.open('local')
    const cert = open.find((f) => f.key === 'cert-expiry:python-app')!
    t.match(cert, { severity: 'critical', fix: { kind: 'letsencrypt-autorenew-renew' } }, 'nothing renews it: turn auto-renew on and renew')
    t.match(open.find((f) => f.key === 'le-autorenew:python-app'), { severity: 'warning', fix: { kind: 'letsencrypt-autorenew' } })
    const page = await app.inject({ url: `/alerts/${cert.id}`, headers: { cookie } })
    t.match(page.body, /<button type="submit" class="primary" data-fix="letsencrypt-autorenew-renew">Enable auto-renew and renew now<\/button>/)
    const job = await app.inject({ method: 'POST', url: `/alerts/${cert.id}/fix`, headers: hx(cookie) })
    t.equal(job.statusCode, 202)
    await app.jobs.drain()
    t.ok(app.alerts.findings.get(cert.id)!.resolvedAt, 'the certificate was renewed')
    t.notOk(app.alerts.findings.open('local').some((f) => f.rule === 'le-autorenew'), 'and auto-renew is on: its alerts cleared too')
    t.equal((await readSimState(dataDir)).global.letsencryptAutorenew, true)

    await editSimState(dataDir, (s) => { s.global.letsencryptAutorenew = false })
    await app.alerts.watchdog.check(host)
    const renew = app.alerts.findings.open('local').find((f) => f.key === 'le-autorenew:python-app')!
    const plain = await app.inject({ method: 'POST', url: `/alerts/${renew.id}/fix`, headers: { cookie } })
    t.equal(plain.statusCode, 303, 'without htmx: to the job\'s page')
    await app.jobs.drain()
    t.ok(app.alerts.findings.get(renew.id)!.resolvedAt, 'enabled from the alert, it cleared')
    t.equal((await readSimState(dataDir)).global.letsencryptAutorenew, true)
  })
})

t.test('notification channels and watchdog addresses on /settings', async (t) => {
  const got: Array<{ path: string; body: string }> = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => { body += c.toString() })
    req.on('end', () => { got.push({ path: req.url ?? '', body }); res.end('ok') })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T0/B0/very-secret-token`
  const { app, dataDir } = await build(t, { watchdog: { notifier: { retryDelaysMs: [10] } } })
  const cookie = await login(app)

  const page = await app.inject({ url: '/settings', headers: { cookie } })
  t.match(page.body, /<a href="#notifications">Notifications<\/a>/)
  t.match(page.body, /No channel yet/)
  t.match(page.body, /<tr data-host-addresses="local">/)

  const bad = await app.inject({ method: 'POST', url: '/settings/notifications', headers: formHeaders(cookie), payload: form({ name: 'ops', kind: 'slack', url: 'ftp://example.com/very-secret-token', minSeverity: 'warning' }) })
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /The URL must start with https:\/\/ or http:\/\//)
  t.notOk(bad.body.includes('very-secret-token'), 'a refused URL is not echoed')
  t.match(bad.body, /name="name" value="ops"/)

  const added = await app.inject({ method: 'POST', url: '/settings/notifications', headers: formHeaders(cookie), payload: form({ name: 'ops', kind: 'slack', url: hook, minSeverity: 'critical', apps: 'node-js-app, go-worker' }) })
  t.equal(added.statusCode, 200)
  t.match(added.body, /<code class="masked">http:\/\/127\.0\.0\.1:\d+\/•+ \(\d+ characters\)<\/code>/)
  t.match(added.body, /critical and worse<br><span class="muted small">apps: node-js-app, go-worker \(and host alerts\)/)
  t.notOk(added.body.includes('very-secret-token'), 'shown masked')
  const db = readdirSync(dataDir).filter((n) => n.startsWith('docklight.db')).map((n) => readFileSync(join(dataDir, n)).toString('latin1')).join('')
  t.notOk(db.includes('very-secret-token'), 'stored sealed')

  const id = app.alerts.notifications.channels()[0]!.id
  const test = await app.inject({ method: 'POST', url: `/settings/notifications/${id}/test`, headers: formHeaders(cookie) })
  t.match(test.headers['hx-trigger'], /Test message #\d+ queued/)
  await app.alerts.notifier.idle()
  t.equal(got.length, 1)
  t.match(JSON.parse(got[0]!.body).text, /Test message from Docklight/)
  const list = await app.inject({ url: '/settings', headers: { cookie } })
  t.match(list.body, /<tr data-delivery="\d+" data-status="sent">[\s\S]*?Test message from Docklight[\s\S]*?1 attempt, HTTP 200/)
  t.notOk(list.body.includes('very-secret-token'))

  const plainForm = { cookie, 'content-type': 'application/x-www-form-urlencoded' }
  const plainAdd = await app.inject({ method: 'POST', url: '/settings/notifications', headers: plainForm, payload: form({ name: 'pager', kind: 'ntfy', url: 'https://ntfy.sh/very-secret-token' }) })
  t.same([plainAdd.statusCode, plainAdd.headers.location], [303, '/settings#notifications'], 'a plain form goes back to the page')
  const plainBad = await app.inject({ method: 'POST', url: '/settings/notifications', headers: plainForm, payload: form({ name: 'pager', kind: 'ntfy', url: 'https://ntfy.sh/' }) })
  t.equal(plainBad.statusCode, 422)
  t.match(plainBad.body, /<html[\s\S]*An ntfy URL names its topic/, 'refused: the whole page, with the error')
  const pager = app.alerts.notifications.channels().find((c) => c.name === 'pager')!
  t.equal((await app.inject({ method: 'POST', url: `/settings/notifications/${pager.id}/delete`, headers: plainForm })).statusCode, 303)
  t.equal((await app.inject({ method: 'POST', url: '/settings/notifications/99999/test', headers: formHeaders(cookie) })).statusCode, 404)

  const offRes = await app.inject({ method: 'POST', url: `/settings/notifications/${id}/enabled`, headers: formHeaders(cookie), payload: form({ enabled: 'false' }) })
  t.match(offRes.body, /<span class="badge">off<\/span>/)
  const del = await app.inject({ method: 'POST', url: `/settings/notifications/${id}/delete`, headers: formHeaders(cookie) })
  t.match(del.body, /No channel yet/)

  const addr = await app.inject({ method: 'POST', url: '/settings/watchdog/addresses', headers: formHeaders(cookie), payload: form({ host: 'local', addresses: '203.0.113.10, 2001:DB8::1' }) })
  t.equal(addr.statusCode, 200)
  t.same(app.alerts.settings.addresses('local'), ['203.0.113.10', '2001:db8::1'])
  const cleared = await app.inject({ method: 'POST', url: '/settings/watchdog/addresses', headers: formHeaders(cookie), payload: form({ host: 'local', addresses: '' }) })
  t.match(cleared.headers['hx-trigger'], /DNS is compared with what its global domain resolves to/)
  const badAddr = await app.inject({ method: 'POST', url: '/settings/watchdog/addresses', headers: formHeaders(cookie), payload: form({ host: 'local', addresses: 'my.server' }) })
  t.equal(badAddr.statusCode, 422)
  t.match(badAddr.body, /&quot;my\.server&quot; is not an IPv4 or IPv6 address/)
})

t.test('the watchdog runs only when asked, starts with the server, and stops on close', async (t) => {
  const quiet = await build(t)
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(quiet.app.history.list({ kind: 'all', limit: 10 }), [], 'a test app runs no check by itself')

  const { app } = await build(t, { watchdog: { start: true, firstCheckDelayMs: 0, resolver, diskSampler: disk, deployOutcomes: () => [] } })
  for (let i = 0; i < 200 && app.alerts.findings.open('local').length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 25))
  t.ok(app.alerts.findings.open('local').length > 0, 'its first check ran shortly after start')
  t.ok(app.history.list({ kind: 'all', limit: 50 }).every((r) => r.origin === 'watchdog'))
  const status = app.alerts.watchdog.status('local')!
  t.ok(status.lastCheckAt && status.nextCheckAt, 'and the next one is scheduled')
  // A job on an app with open findings (a restart from its page) is followed by a check of its host.
  const go = app.alerts.findings.open('local').find((f) => f.key === 'app-down:go-worker')!
  const host = app.hosts.default
  host.startJob({ app: 'go-worker', label: 'Restart go-worker', command: 'dokku ps:restart go-worker', run: (ctx) => host.dokku.restart('go-worker', ctx) })
  for (let i = 0; i < 200 && !app.alerts.findings.get(go.id)!.resolvedAt; i++) await new Promise((resolve) => setTimeout(resolve, 25))
  t.ok(app.alerts.findings.get(go.id)!.resolvedAt, 'restarted from elsewhere: checked again at once, and its alert cleared')
  await app.close()
  t.equal(await app.alerts.watchdog.check(app.hosts.default), null, 'after close it checks nothing')
})
