import t from 'tap'
import { LocalTransport } from '../../src/dokku/transport.js'
import { parseFormation } from '../../src/services/apps.js'
import { build, login } from '../helpers/build.js'
import { jobId } from '../helpers/history.js'
import { editSimState } from '../helpers/simulator-state.js'

const hx = (cookie: string) => ({ cookie, 'hx-request': 'true' })
const form = (cookie: string, extra: Record<string, string> = {}) => ({ cookie, 'content-type': 'application/x-www-form-urlencoded', ...extra })
const body = (fields: Record<string, string>) => new URLSearchParams(fields).toString()

t.test('dashboard lists every app with state, process counts and domains', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ url: '/', headers: { cookie } })
  t.equal(res.statusCode, 200)
  const html = res.body
  for (const name of ['node-js-app', 'python-app', 'ruby-app', 'go-worker', 'static-site']) t.match(html, `href="/apps/${name}"`)
  t.match(html, /node-js-app<\/strong><\/a><\/td>\s*<td><span class="badge running">running/)
  t.match(html, /ruby-app<\/strong><\/a><\/td>\s*<td><span class="badge mixed">mixed/)
  t.match(html, /python-app<\/strong><\/a><\/td>\s*<td><span class="badge stopped">stopped/)
  t.match(html, /static-site<\/strong><\/a><\/td>\s*<td><span class="badge undeployed">not deployed/)
  t.match(html, /go-worker<\/strong><\/a><\/td>\s*<td><span class="badge crashed">crashed/, 'down although nobody stopped it')
  t.match(html, /class="proc ok"[^>]*>web 2\/2</)
  t.match(html, /class="proc partial"[^>]*>web 1\/2</, 'ruby-app has one of two web containers up')
  t.match(html, /www\.example\.com/)
  t.match(html, /id="server-health"/)
  t.match(html, /5 of 5 apps/)
})

t.test('the dashboard costs two dokku calls however many apps, then comes from the cache', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  await app.inject({ url: '/', headers: { cookie } })
  const first = app.history.list({ limit: 50 }).map((r) => r.command).sort()
  t.same(first, ['dokku domains:report', 'dokku ps:report'])
  await app.inject({ url: '/', headers: { cookie } })
  t.equal(app.history.list({ limit: 50 }).length, 2, 'served from the cache')
})

t.test('the filter narrows the table, as a fragment for htmx and as a page without JS', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const frag = await app.inject({ url: '/dashboard/apps?q=ruby', headers: hx(cookie) })
  t.equal(frag.statusCode, 200)
  t.notMatch(frag.body, /<html/)
  t.match(frag.body, /ruby-app/)
  t.notMatch(frag.body, /node-js-app/)
  t.match(frag.body, /1 of 5 apps/)
  const byDomain = await app.inject({ url: '/?q=example.org', headers: { cookie } })
  t.match(byDomain.body, /python-app/)
  t.notMatch(byDomain.body, /href="\/apps\/ruby-app"/)
  const none = await app.inject({ url: '/dashboard/apps?q=%3Cscript%3E', headers: hx(cookie) })
  t.match(none.body, /No app matches &quot;&lt;script&gt;&quot;/)
  t.equal(frag.headers.vary, 'HX-Request')
})

t.test('overview: processes with container ids, formation, deploy facts', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ url: '/apps/ruby-app', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.match(res.body, /<h1>ruby-app <span class="badge mixed">mixed/)
  t.match((await app.inject({ url: '/apps/go-worker', headers: { cookie } })).body, /<h1>go-worker <span class="badge crashed">crashed/)
  t.match(res.body, /web\.2<\/td><td><span class="badge failed">exited/)
  t.match(res.body, /<code>[0-9a-f]{11}<\/code>/)
  t.match(res.body, /name="count_web" value="2"/)
  t.match(res.body, /action="\/apps\/ruby-app\/restart"/)
  t.match(res.body, /aria-current="page">Overview/)
  const undeployed = await app.inject({ url: '/apps/static-site', headers: { cookie } })
  t.match(undeployed.body, /has not been deployed yet/)
  const frag = await app.inject({ url: '/apps/ruby-app/processes', headers: hx(cookie) })
  t.match(frag.body, /^<div id="app-processes"/)
})

t.test('an app that does not exist: 404 with dokku\'s message; bad names: 400, nothing run', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ url: '/apps/nope', headers: { cookie } })
  t.equal(res.statusCode, 404)
  t.match(res.body, /App nope does not exist/)
  t.match(res.body, /href="\/history\/\d+"/, 'links to the command')
  const before = app.history.list({ limit: 500 }).length
  for (const bad of ['foo%3Bid', '%24(id)', '-n', '..%2Fx', 'a%0Ab', 'A', 'x'.repeat(150)]) {
    const r = await app.inject({ url: `/apps/${bad}`, headers: { cookie } })
    t.equal(r.statusCode, 400, `refuses ${bad}`)
  }
  for (const bad of ['foo%3Bid', '-n']) {
    const r = await app.inject({ method: 'POST', url: `/apps/${bad}/restart`, headers: form(cookie), payload: '' })
    t.equal(r.statusCode, 400)
  }
  t.equal(app.history.list({ limit: 500 }).length, before, 'nothing ran')
})

t.test('restart runs as a job: 202 with a live panel for htmx, 303 to the job without JS', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ method: 'POST', url: '/apps/node-js-app/restart', headers: form(cookie, { 'hx-request': 'true' }), payload: '' })
  t.equal(res.statusCode, 202)
  t.match(res.body, /class="job card"/)
  t.match(res.body, /Restart node-js-app/)
  t.match(String(res.headers['hx-trigger']), /Restart node-js-app started/)
  const busy = await app.inject({ method: 'POST', url: '/apps/node-js-app/rebuild', headers: form(cookie, { 'hx-request': 'true' }), payload: '' })
  t.equal(busy.statusCode, 409)
  t.match(busy.body, /Restart node-js-app is still running on node-js-app/)
  await app.jobs.drain()
  const id = jobId(res)
  const job = app.jobs.get(id)!
  t.equal(job.status, 'success')
  t.match(job.output, /Deploying web/)
  t.equal(app.history.get(id)!.command, 'dokku ps:restart node-js-app')

  const plain = await app.inject({ method: 'POST', url: '/apps/node-js-app/stop', headers: form(cookie), payload: '' })
  t.equal(plain.statusCode, 303)
  t.match(plain.headers.location, /^\/jobs\/\d+$/)
  await app.jobs.drain()
  const after = await app.inject({ url: '/apps/node-js-app', headers: { cookie } })
  t.match(after.body, /<span class="badge stopped">stopped/, 'the overview shows the change, not a stale cache')
})

t.test('start, rebuild and scale; a bad formation is refused inline', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  await app.inject({ method: 'POST', url: '/apps/python-app/start', headers: form(cookie), payload: '' })
  await app.jobs.drain()
  t.match((await app.inject({ url: '/apps/python-app', headers: { cookie } })).body, /badge running">running/)

  const scale = await app.inject({ method: 'POST', url: '/apps/node-js-app/scale', headers: form(cookie, { 'hx-request': 'true' }), payload: body({ count_web: '3', count_worker: '0' }) })
  t.equal(scale.statusCode, 202)
  await app.jobs.drain()
  const page = await app.inject({ url: '/apps/node-js-app', headers: { cookie } })
  t.match(page.body, /name="count_web" value="3"/)
  t.match(page.body, /name="count_worker" value="0"/)

  const badForms: Array<Record<string, string>> = [{ count_web: '-1' }, { count_web: '1000' }, { count_web: 'two' }, { 'count_we;b': '1' }, { other: '1' }]
  for (const bad of badForms) {
    const r = await app.inject({ method: 'POST', url: '/apps/node-js-app/scale', headers: form(cookie, { 'hx-request': 'true' }), payload: body(bad) })
    t.equal(r.statusCode, 422, JSON.stringify(bad))
    t.match(r.body, /class="field-error"/)
  }
  t.same(parseFormation({ count_web: '2', ignored: 'x' }), { web: 2 })
})

t.test('create an app: validated inline, conflicts shown, success goes to the app', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const ok = await app.inject({ method: 'POST', url: '/apps', headers: form(cookie, { 'hx-request': 'true' }), payload: body({ name: 'fresh-app' }) })
  t.equal(ok.statusCode, 204)
  t.equal(ok.headers['hx-redirect'], '/apps/fresh-app')
  t.match((await app.inject({ url: '/', headers: { cookie } })).body, /href="\/apps\/fresh-app"/, 'the dashboard cache was dropped')

  const taken = await app.inject({ method: 'POST', url: '/apps', headers: form(cookie, { 'hx-request': 'true' }), payload: body({ name: 'fresh-app' }) })
  t.equal(taken.statusCode, 422)
  t.match(taken.body, /Name is already taken/)
  t.match(taken.body, /value="fresh-app"/)

  for (const bad of ['Bad_Name', '-x', 'a;b', '$(id)', '']) {
    const r = await app.inject({ method: 'POST', url: '/apps', headers: form(cookie), payload: body({ name: bad }) })
    t.equal(r.statusCode, 422, bad)
    t.match(r.body, /<html/, 'without JS: the whole page with the error')
    t.match(r.body, /class="field-error"/)
  }
  const noJs = await app.inject({ method: 'POST', url: '/apps', headers: form(cookie), payload: body({ name: 'other-app' }) })
  t.equal(noJs.statusCode, 303)
  t.equal(noJs.headers.location, '/apps/other-app')
  t.equal((await app.inject({ url: '/new-app', headers: { cookie } })).statusCode, 200)
})

t.test('destroy needs the typed name; --force only then', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const wrong = await app.inject({ method: 'POST', url: '/apps/static-site/destroy', headers: form(cookie, { 'hx-request': 'true' }), payload: body({ confirm: 'static' }) })
  t.equal(wrong.statusCode, 422)
  t.match(wrong.body, /field-error/)
  const wrongNoJs = await app.inject({ method: 'POST', url: '/apps/static-site/destroy', headers: form(cookie), payload: body({ confirm: '' }) })
  t.equal(wrongNoJs.statusCode, 422)
  t.match(wrongNoJs.body, /<html/)
  t.notOk(app.history.list({ limit: 500 }).some((r) => r.command.includes('apps:destroy')), 'nothing was destroyed')
  const ok = await app.inject({ method: 'POST', url: '/apps/static-site/destroy', headers: form(cookie), payload: body({ confirm: 'static-site' }) })
  t.equal(ok.statusCode, 303, 'destroy runs as a job')
  const id = Number(/^\/jobs\/(\d+)$/.exec(ok.headers.location as string)?.[1])
  t.ok(id > 0, 'to the job page')
  const busy = await app.inject({ method: 'POST', url: '/apps/static-site/restart', headers: form(cookie, { 'hx-request': 'true' }), payload: '' })
  t.equal(busy.statusCode, 409, 'the job holds the app: nothing else starts on it meanwhile')
  await app.jobs.drain()
  const row = app.history.get(id)!
  t.match(row, { kind: 'job', status: 'success', command: 'dokku --force apps:destroy static-site', label: 'Destroy static-site' })
  const done = await app.inject({ url: `/jobs/${id}`, headers: { cookie } })
  t.match(done.body, /Finished successfully\. <a href="\/">Back to all apps<\/a>/)
  t.equal((await app.inject({ url: '/apps/static-site', headers: { cookie } })).statusCode, 404)

  const htmx = await app.inject({ method: 'POST', url: '/apps/python-app/destroy', headers: form(cookie, { 'hx-request': 'true' }), payload: body({ confirm: 'python-app' }) })
  t.equal(htmx.statusCode, 202)
  t.equal(htmx.headers['hx-retarget'], '#job-area', 'the live panel goes to the job area, not into the form')
  t.match(htmx.body, /data-job-id="\d+"/)
  await app.jobs.drain()
})

t.test('dokku failures: missing binary and a timeout show a clear error, and are in history', async (t) => {
  await t.test('missing binary', async (t) => {
    const { app } = await build(t, { transport: new LocalTransport('/nonexistent/dokku') })
    const cookie = await login(app)
    // The dashboard still renders: the host is shown as unreachable, with the reason.
    const res = await app.inject({ url: '/', headers: { cookie } })
    t.equal(res.statusCode, 200)
    t.match(res.body, /<strong>local<\/strong> is unreachable: dokku is unavailable: program not found: \/nonexistent\/dokku/)
    const page = await app.inject({ url: '/apps/node-js-app', headers: { cookie } })
    t.equal(page.statusCode, 503)
    t.match(page.body, /program not found|not available|could not/i)
    t.notMatch(page.body, /at .*\.ts:\d+/)
    t.ok(app.history.list().some((r) => r.status === 'error'))
  })
  await t.test('timeout', async (t) => {
    const { app } = await build(t, { runner: { maxTimeoutMs: 300 }, simulator: { DOKKU_SIM_LATENCY_MS: '3000' } })
    const cookie = await login(app)
    const res = await app.inject({ url: '/apps/node-js-app', headers: hx(cookie) })
    t.equal(res.statusCode, 504)
    t.match(String(res.headers['hx-trigger']), /timed out/)
    t.ok(app.history.list().some((r) => r.status === 'timeout'))
  })
})

t.test('values from dokku are escaped', async (t) => {
  const { app, dataDir } = await build(t)
  const cookie = await login(app)
  // Warm the simulator's state, then plant a hostile deploy revision in it.
  await app.inject({ url: '/', headers: { cookie } })
  await editSimState(dataDir, (s) => { s.apps['node-js-app']!.deploySourceMetadata = '<img src=x onerror=alert(1)>"&' })
  const res = await app.inject({ url: '/apps/node-js-app', headers: { cookie } })
  t.notMatch(res.body, /<img src=x/)
  t.match(res.body, /&lt;img src=x onerror=alert\(1\)&gt;&quot;&amp;/)
})

t.test('the overview lists the app\'s recent activity, jobs linked to their pages', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const empty = await app.inject({ url: '/apps/python-app', headers: { cookie } })
  t.match(empty.body, /Recent activity/)
  await app.inject({ method: 'POST', url: '/apps/python-app/restart', headers: form(cookie), payload: '' })
  await app.jobs.drain()
  const res = await app.inject({ url: '/apps/python-app', headers: { cookie } })
  const job = app.history.list({ app: 'python-app' }).find((r) => r.kind === 'job')!
  t.match(res.body, new RegExp(`href="/jobs/${job.id}"[^<]*</a></td>\\s*<td>Restart python-app <code>dokku ps:restart python-app</code>`))
  t.match(res.body, /href="\/history\?app=python-app"/)
  t.notMatch(res.body, /ps:restart node-js-app/, 'only this app')
})
