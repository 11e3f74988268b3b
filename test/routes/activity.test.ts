/**
 * The activity timeline: Docklight's actions, dokku's events (CLI commands and pushes, with
 * the SSH key's name), builds and webhook deliveries in one feed; filters; paging; and where
 * the events log is off, the one command that turns it on, run only when the admin asks.
 */
import t from 'tap'
import { build, login } from '../helpers/build.js'
import { commandsRun } from '../helpers/history.js'
import { editSimState } from '../helpers/simulator-state.js'

const form = (cookie: string) => ({ cookie, 'content-type': 'application/x-www-form-urlencoded' })

t.test('the timeline', async (t) => {
  const { app, dataDir } = await build(t)
  const cookie = await login(app)
  await app.inject({ method: 'POST', url: '/apps/python-app/config', headers: form(cookie), payload: new URLSearchParams({ form: 'add', key: 'FEED_KEY', value: 'feed-secret-value', no_restart: '1' }).toString() })

  await t.test('/activity: events with key names, builds, Docklight\'s own actions; never a value', async (t) => {
    const res = await app.inject({ url: '/activity', headers: { cookie } })
    t.equal(res.statusCode, 200)
    t.match(res.body, /<a href="\/activity">Activity<\/a>/, 'the header link')
    t.match(res.body, /Deployed git-push cd7b8af/)
    t.match(res.body, /admin \(SSH key\)/)
    t.match(res.body, /alice \(SSH key\)/)
    t.match(res.body, /Domains add: www\.example\.com/)
    t.match(res.body, /Set WEB_CONCURRENCY/, 'a config change: its key name')
    t.match(res.body, /local shell \(no SSH key\)/)
    t.match(res.body, /Set FEED_KEY|FEED_KEY=&lt;redacted&gt;/, 'Docklight\'s own change')
    t.notMatch(res.body, /feed-secret-value|seeded-not-a-real-secret/, 'no config value, even from user-auth lines')
    t.match(res.body, /Build of [0-9a-f]{7} started: no successful deploy recorded|>failed</, 'ruby-app\'s failed push')
    t.notMatch(res.body, /app-exists|config-get|user-auth/, 'noise triggers are dropped')
    t.notMatch(res.body, /events-off/, 'the log is on')
    const stored = JSON.stringify(app.db.prepare('SELECT * FROM dokku_events').all())
    t.notMatch(stored, /seeded-not-a-real-secret/, 'and not stored either')
  })

  await t.test('filters: app, kind, who; a bad one is a message next to its field', async (t) => {
    const byKey = await app.inject({ url: '/activity?who=alice', headers: { cookie } })
    t.match(byKey.body, /alice \(SSH key\)/)
    t.notMatch(byKey.body, /admin \(SSH key\)/)
    t.notMatch(byKey.body, /<td>Docklight<\/td>/)
    const config = await app.inject({ url: '/activity?kind=config', headers: { cookie } })
    t.notMatch(config.body, /data-kind="deploy"/)
    t.match(config.body, /data-kind="config"/)
    const own = await app.inject({ url: '/activity?who=docklight', headers: { cookie } })
    t.notMatch(own.body, /SSH key\)/)
    const tab = await app.inject({ url: '/apps/node-js-app/activity', headers: { cookie } })
    t.equal(tab.statusCode, 200)
    t.match(tab.body, /class="active" aria-current="page">Activity</)
    t.notMatch(tab.body, /ruby-app|python-app/, 'only this app')
    const bad = await app.inject({ url: '/activity?kind=nope&who=%3Cscript%3E', headers: { cookie } })
    t.equal(bad.statusCode, 422)
    t.match(bad.body, /id="activity-kind-error">Kind must be one of/)
    t.match(bad.body, /id="activity-who-error"/)
    t.notMatch(bad.body, /<script>/)
    const cursor = await app.inject({ url: '/activity?before=junk!', headers: { cookie } })
    t.equal(cursor.statusCode, 422)
  })

  await t.test('paging: Older and Newest links, keyset, no entry twice', async (t) => {
    for (let i = 0; i < 55; i++) app.history.finish(app.history.start({ command: 'dokku ps:restart go-worker', app: 'go-worker', host: 'local', kind: 'job', label: `Restart ${i}` }), { status: 'success', exitCode: 0, stdout: '', stderr: '', durationMs: 1 })
    const first = await app.inject({ url: '/activity', headers: { cookie } })
    const older = /href="(\/activity\?before=[A-Za-z0-9_-]+)" rel="next"/.exec(first.body)?.[1]
    t.ok(older, 'an Older link')
    const second = await app.inject({ url: older!, headers: { cookie } })
    t.equal(second.statusCode, 200)
    t.match(second.body, /href="\/activity"[^>]*>Newest</)
    const rows = (html: string) => [...html.matchAll(/<tr class="activity-([a-z]+)"[\s\S]*?<td>([^<]+)<\/td>[\s\S]*?<\/tr>/g)].map((m) => m[0])
    const a = rows(first.body)
    const b = rows(second.body)
    t.equal(a.length, 50)
    t.ok(b.length > 0)
    t.same(a.filter((r) => b.includes(r)), [], 'nothing on both pages')
    t.match(second.body, /Deployed git-push cd7b8af/, 'the older events are on the older page')
  })

  await t.test('events off: the one command that turns it on and what it records; run only on the admin\'s click', async (t) => {
    await editSimState(dataDir, (s) => { s.events!.enabled = false })
    app.hosts.default.cache.invalidateApp('')
    const res = await app.inject({ url: '/activity', headers: { cookie } })
    t.match(res.body, /dokku's events log is off/)
    t.match(res.body, /<code>dokku events:on<\/code>; it records every trigger dokku runs/)
    t.same(commandsRun(app, /events:on/), [], 'never run by itself')
    const refused = await app.inject({ method: 'POST', url: '/activity/events-on', headers: form(cookie), payload: 'host=local' })
    t.equal(refused.statusCode, 400)
    const on = await app.inject({ method: 'POST', url: '/activity/events-on', headers: form(cookie), payload: 'host=local&confirm=yes' })
    t.equal(on.statusCode, 303)
    t.same(commandsRun(app, /events:on/), ['dokku events:on'])
    const after = await app.inject({ url: '/activity', headers: { cookie } })
    t.notMatch(after.body, /events log is off/)
  })
})
