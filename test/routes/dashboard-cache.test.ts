import t from 'tap'
import { build, login } from '../helpers/build.js'
import { editSimState } from '../helpers/simulator-state.js'

/**
 * What the dashboard's caching must not break: the rows come from the cached answers (one
 * load for concurrent views, stale answers refreshed in the background), the rendered table is
 * reused only while those answers are the same, and a change Docklight makes shows at once.
 */

const reads = (app: Awaited<ReturnType<typeof build>>['app']) =>
  app.history.list({ limit: 500, kind: 'reads' }).filter((r) => r.origin === 'page').map((r) => r.command)

const stateOf = (html: string, name: string) => new RegExp(`${name}</strong></a></td>\\s*<td><span class="badge ([a-z]+)">`).exec(html)?.[1]

t.test('concurrent cold views share one read of each report, and one rendering of the table', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const views = await Promise.all(Array.from({ length: 5 }, () => app.inject({ url: '/', headers: { cookie } })))
  for (const v of views) t.equal(v.statusCode, 200)
  t.same(reads(app).sort(), ['dokku domains:report', 'dokku ps:report'], 'single-flight: five views, one call per report')
  const tables = views.map((v) => /<div id="apps-table"[\s\S]*?<\/table>/.exec(v.body)?.[0])
  t.ok(tables[0]?.includes('node-js-app'))
  for (const table of tables) t.equal(table, tables[0], 'every view shows the same table')
  for (const v of views) t.notOk(v.body.includes('\u0000'), 'no placeholder of a memoized part leaks into the page')
})

t.test('the table fragment has an ETag; asked again with it, the answer is a bodiless 304', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const hx = { cookie, 'hx-request': 'true' }
  const first = await app.inject({ url: '/dashboard/apps', headers: hx })
  t.equal(first.statusCode, 200)
  const etag = String(first.headers.etag)
  t.match(etag, /^W\/"[A-Za-z0-9_-]+"$/, 'a weak ETag: the compressed and plain bodies share it')
  const again = await app.inject({ url: '/dashboard/apps', headers: hx })
  t.equal(again.headers.etag, etag, 'the same rows, the same ETag')
  t.equal(again.body, first.body)
  const notModified = await app.inject({ url: '/dashboard/apps', headers: { ...hx, 'if-none-match': etag } })
  t.equal(notModified.statusCode, 304)
  t.equal(notModified.body, '')
  const filtered = await app.inject({ url: '/dashboard/apps?q=ruby', headers: { ...hx, 'if-none-match': etag } })
  t.equal(filtered.statusCode, 200, 'another filter is another table')
  t.not(filtered.headers.etag, etag)
  t.notMatch(filtered.body, /node-js-app/)

  t.equal(first.headers['cache-control'], 'private, no-cache', 'the fragment: kept by the browser, but asked for again')

  const page = await app.inject({ url: '/', headers: { cookie } })
  t.match(String(page.headers.etag), /^W\/"/, 'the page holding the table has its own ETag')
  t.not(page.headers.etag, etag)
  t.equal(page.headers['cache-control'], 'no-store', 'a whole page is never kept: Back after logout shows nothing')
  const pageAgain = await app.inject({ url: '/', headers: { cookie, 'if-none-match': String(page.headers.etag) } })
  t.equal(pageAgain.statusCode, 304, 'a client that validates anyway gets a 304')
  t.equal(pageAgain.body, '')
})

t.test("a change Docklight makes shows at once, never the table rendered before it", async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const hx = { cookie, 'hx-request': 'true' }
  const before = await app.inject({ url: '/dashboard/apps', headers: hx })
  t.equal(stateOf(before.body, 'node-js-app'), 'running')
  const stop = await app.inject({ method: 'POST', url: '/apps/node-js-app/stop', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
  t.equal(stop.statusCode, 303)
  await app.jobs.drain()
  const after = await app.inject({ url: '/dashboard/apps', headers: { ...hx, 'if-none-match': String(before.headers.etag) } })
  t.equal(after.statusCode, 200, 'the job dropped the cached answers: not a 304')
  t.equal(stateOf(after.body, 'node-js-app'), 'stopped')
  t.not(after.headers.etag, before.headers.etag)
  const page = await app.inject({ url: '/', headers: { cookie } })
  t.equal(stateOf(page.body, 'node-js-app'), 'stopped', 'and the whole page agrees')
})

t.test('past its lifetime the old table comes at once, and one background read refreshes it', async (t) => {
  const { app, dataDir } = await build(t, { cacheTtlMs: 50 })
  const cookie = await login(app)
  const hx = { cookie, 'hx-request': 'true' }
  t.equal(stateOf((await app.inject({ url: '/dashboard/apps', headers: hx })).body, 'python-app'), 'stopped')
  // A change made outside Docklight (the CLI, a git push): only a new read can see it.
  await editSimState(dataDir, (s) => {
    for (const c of s.apps['python-app']!.containers) c.status = 'running'
  })
  await new Promise((resolve) => setTimeout(resolve, 80))
  const readsBefore = reads(app).length
  const stale = await Promise.all([1, 2, 3].map(() => app.inject({ url: '/dashboard/apps', headers: hx })))
  for (const v of stale) t.equal(stateOf(v.body, 'python-app'), 'stopped', 'served from the stale answer, without waiting')
  let fresh = ''
  for (let i = 0; i < 100 && fresh !== 'running'; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    fresh = stateOf((await app.inject({ url: '/dashboard/apps', headers: hx })).body, 'python-app') ?? ''
  }
  t.equal(fresh, 'running', 'the refreshed answer is rendered anew')
  const refreshes = reads(app).slice(0, reads(app).length - readsBefore).filter((c) => c === 'dokku ps:report')
  t.ok(refreshes.length >= 1, 'refreshed in the background')
  t.ok(refreshes.length <= 2 + Math.floor(refreshes.length / 2), 'three stale views at once started one refresh, not three')
})

t.test('the whole page is sent again while it shows the same; an alert, the filter or an htmx request make another', async (t) => {
  // A fixed reading of the gauges (no /proc here), so that only what the test changes changes.
  const { app } = await build(t, { health: { procRoot: '/nonexistent', diskPath: '/nonexistent' } })
  const cookie = await login(app)
  const view = async (url = '/') => {
    const res = await app.inject({ url, headers: { cookie } })
    t.equal(res.statusCode, 200, url)
    return res
  }
  const first = await view()
  const again = await view()
  t.equal(again.body, first.body, 'the same page')
  t.equal(again.headers.etag, first.headers.etag, 'with the same ETag')
  t.equal(again.headers['cache-control'], 'no-store')
  t.match(String(again.headers['content-type']), /^text\/html/)
  t.notOk(again.body.includes('\u0000'), 'no placeholder of a memoized part')

  const findings = app.alerts.findings
  findings.apply(app.hosts.default.name, new Set(['disk']), [{
    rule: 'disk', key: 'disk:/', app: null, severity: 'critical', title: 'Disk / is 97 % full', detail: '', action: '', fix: null
  }], new Date())
  const alerted = await view()
  t.not(alerted.headers.etag, first.headers.etag, 'a new finding is a new page')
  t.match(alerted.body, /Disk \/ is 97 % full/, 'on the dashboard\'s alerts card at once')

  const filtered = await view('/?q=ruby')
  t.notMatch(filtered.body, /node-js-app<\/strong>/, 'another filter, another page')
  t.match(filtered.body, /value="ruby"/)
  t.match((await view()).body, /node-js-app<\/strong>/, 'and the unfiltered one is still right')

  const fragment = await app.inject({ url: '/', headers: { cookie, 'hx-request': 'true' } })
  t.notMatch(fragment.body, /<html/, 'an htmx request for the page gets it without the layout')
  t.match((await view()).body, /<html/, 'and the page keeps its layout')
})
