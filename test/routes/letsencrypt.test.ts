import t from 'tap'
import { LocalTransport } from '../../src/dokku/transport.js'
import { ALL_APPS_JOB_KEY } from '../../src/services/letsencrypt.js'
import { build, login } from '../helpers/build.js'
import { FailingTransport, notInstalled } from '../helpers/failing-transport.js'
import { commandsRun, jobId } from '../helpers/history.js'
import { editSimState } from '../helpers/simulator-state.js'

/** The Let's Encrypt overview of every app: /letsencrypt. */

const HX = { 'hx-request': 'true' }
const DAY = 86400

t.test('every app\'s certificate, the soonest first, with warning colours and links', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ url: '/letsencrypt', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.match(res.body, /<html/)
  t.match(res.body, /<title>TLS certificates · Docklight<\/title>/)
  t.match(res.body, /<div id="job-area"><\/div>/)
  const python = res.body.indexOf('<a href="/apps/python-app/domains">python-app</a>')
  const node = res.body.indexOf('<a href="/apps/node-js-app/domains">node-js-app</a>')
  t.ok(python > 0 && node > python, 'python-app (10 days) comes before node-js-app (80 days), as dokku sorts them')
  t.match(res.body, /<tr class="le-row le-warn">\s*<td><a href="\/apps\/python-app\/domains">python-app<\/a><\/td>\s*<td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d<\/td>\s*<td><span class="badge warn">(9|10)d, [^<]*<\/span><\/td>\s*<td><span class="badge warn">renewal due<\/span> <span class="muted">[^<]* ago<\/span><\/td>/)
  t.match(res.body, /<tr class="le-row le-ok">\s*<td><a href="\/apps\/node-js-app\/domains">node-js-app<\/a><\/td>\s*<td>[^<]+<\/td>\s*<td><span class="badge ok">(79|80)d[^<]*<\/span><\/td>\s*<td>(49|50)d[^<]*<\/td>/)
  t.match(res.body, /Without a Let's Encrypt certificate<\/h3>[\s\S]*<a href="\/apps\/go-worker\/domains">go-worker<\/a>[\s\S]*<a href="\/apps\/ruby-app\/domains">ruby-app<\/a>[\s\S]*<a href="\/apps\/static-site\/domains">static-site<\/a>/)
  // global settings
  t.match(res.body, /Global e-mail<\/dt>\s*<dd><span class="tls-text-warn">none set<\/span>/)
  t.match(res.body, /Auto-renew<\/dt>\s*<dd><span class="badge ok">on<\/span>/)
  t.match(res.body, /<form method="post" action="\/letsencrypt\/auto-renew" hx-post="\/letsencrypt\/auto-renew" hx-target="#job-area" hx-swap="innerHTML">/)
  t.match(res.body, /<form class="le-email" method="post" action="\/letsencrypt\/email" hx-post="\/letsencrypt\/email" hx-target="#le-global"/)
  t.match(res.body, /hx-get="\/letsencrypt\/panel" hx-trigger="job-done from:body"/)

  const fragment = await app.inject({ url: '/letsencrypt', headers: { cookie, ...HX } })
  t.equal(fragment.statusCode, 200)
  t.notMatch(fragment.body, /<html/)
  t.match(fragment.body, /id="le-overview"/)

  const panel = await app.inject({ url: '/letsencrypt/panel', headers: { cookie, ...HX } })
  t.match(panel.body, /^\s*<section class="card le-overview" id="le-overview"/)
  t.notMatch(panel.body, /id="le-global"/)
  const plain = await app.inject({ url: '/letsencrypt/panel', headers: { cookie } })
  t.equal(plain.statusCode, 303)
  t.equal(plain.headers.location, '/letsencrypt')
})

t.test('an expired certificate is red; no certificates at all is said', async (t) => {
  const { app, dataDir } = await build(t)
  await editSimState(dataDir, (s, now) => {
    s.apps['python-app']!.cert!.expiresAt = now - 2 * DAY
  })
  const cookie = await login(app)
  const res = await app.inject({ url: '/letsencrypt', headers: { cookie } })
  t.match(res.body, /<tr class="le-row le-danger">\s*<td><a href="\/apps\/python-app\/domains">python-app<\/a><\/td>\s*<td>[^<]+<\/td>\s*<td><span class="badge danger">expired (1|2)d[^<]* ago<\/span>/)

  const empty = await build(t)
  await editSimState(empty.dataDir, (s) => { for (const a of Object.values(s.apps)) a.letsencrypt.active = false })
  const emptyCookie = await login(empty.app)
  const none = await empty.app.inject({ url: '/letsencrypt', headers: { cookie: emptyCookie } })
  t.match(none.body, /No app has a Let's Encrypt certificate yet\./)
})

t.test('the global e-mail: set, refused, removed; with and without JavaScript', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const set = await app.inject({ method: 'POST', url: '/letsencrypt/email', headers: { cookie, ...HX }, payload: { email: 'certs+ops@example.com' } })
  t.equal(set.statusCode, 200)
  t.match(set.body, /^\s*<section class="card le-global" id="le-global"/)
  t.match(set.body, /Global e-mail<\/dt>\s*<dd>certs\+ops@example\.com<\/dd>/)
  t.match(set.body, /name="email" value="certs\+ops@example\.com"/)
  t.match(JSON.parse(String(set.headers['hx-trigger'])).toast, { level: 'success', message: 'Global Let\'s Encrypt e-mail set to certs+ops@example.com.' })
  const ruby = await app.inject({ url: '/apps/ruby-app/domains', headers: { cookie } })
  t.match(ruby.body, /certs\+ops@example\.com <span class="muted">\(global\)<\/span>/, 'apps use it')

  for (const email of ['nope', '-x@example.com', 'a@b.com; rm -rf /', 'x'.repeat(300)]) {
    const bad = await app.inject({ method: 'POST', url: '/letsencrypt/email', headers: { cookie, ...HX }, payload: { email } })
    t.equal(bad.statusCode, 422, `422 for ${JSON.stringify(email.slice(0, 20))}`)
    t.match(bad.body, /<p class="field-error" id="le-global-email-error" role="alert">/)
    t.match(bad.body, /aria-invalid="true"/)
  }
  const badPlain = await app.inject({ method: 'POST', url: '/letsencrypt/email', headers: { cookie }, payload: { email: '<b>"x"&' } })
  t.equal(badPlain.statusCode, 422)
  t.match(badPlain.body, /<html/)
  t.match(badPlain.body, /value="&lt;b&gt;&quot;x&quot;&amp;"/)
  t.notMatch(badPlain.body, /<b>"x"/)

  const removed = await app.inject({ method: 'POST', url: '/letsencrypt/email', headers: { cookie }, payload: { email: '' } })
  t.equal(removed.statusCode, 303)
  t.equal(removed.headers.location, '/letsencrypt')
  const page = await app.inject({ url: '/letsencrypt', headers: { cookie } })
  t.match(page.body, /Global e-mail<\/dt>\s*<dd><span class="tls-text-warn">none set<\/span>/)
  t.same(commandsRun(app, /letsencrypt:set/), ['dokku letsencrypt:set --global email', 'dokku letsencrypt:set --global email certs+ops@example.com'])
})

t.test('auto-renew for all apps runs as one job under its own lock', async (t) => {
  const { app } = await build(t, { simulator: { DOKKU_SIM_STEP_MS: '50' } })
  const cookie = await login(app)
  // Fill the cache with the "before" state so we can see it is dropped.
  const before = await app.inject({ url: '/apps/python-app/domains/panel', headers: { cookie, ...HX } })
  t.match(before.body, /Expires soon/)

  const res = await app.inject({ method: 'POST', url: '/letsencrypt/auto-renew', headers: { cookie, ...HX } })
  t.equal(res.statusCode, 202)
  t.match(res.body, new RegExp(`data-job-app="${ALL_APPS_JOB_KEY}"`))
  t.match(res.body, /Renew due Let&#39;s Encrypt certificates \(all apps\)/)
  const id = jobId(res)

  const again = await app.inject({ method: 'POST', url: '/letsencrypt/auto-renew', headers: { cookie, ...HX } })
  t.equal(again.statusCode, 409, 'a second global renewal waits for the first')
  t.match(again.body, /is still running on all apps/)
  const page = await app.inject({ url: '/letsencrypt', headers: { cookie } })
  t.match(page.body, new RegExp(`is running\\. <a href="/jobs/${id}">Follow job #${id}</a>`))

  await app.jobs.drain()
  const job = app.jobs.get(id)!
  t.equal(job.status, 'success')
  t.match(job.output, /python-app needs renewal/)
  t.match(job.output, /node-js-app still has .* days left before renewal/)
  const row = app.history.get(id)!
  t.equal(row.app, ALL_APPS_JOB_KEY)
  t.equal(row.kind, 'job')
  t.equal(row.command, 'dokku letsencrypt:auto-renew')

  const after = await app.inject({ url: '/letsencrypt', headers: { cookie } })
  t.match(after.body, /<tr class="le-row le-ok">\s*<td><a href="\/apps\/python-app\/domains">python-app<\/a>/, 'python-app renewed')
  const panel = await app.inject({ url: '/apps/python-app/domains/panel', headers: { cookie, ...HX } })
  t.notMatch(panel.body, /Expires soon/, 'per-app cached reads were dropped too')

  const plain = await app.inject({ method: 'POST', url: '/letsencrypt/auto-renew', headers: { cookie } })
  t.equal(plain.statusCode, 303)
  t.match(plain.headers.location, /^\/jobs\/\d+$/)
  await app.jobs.drain()
})

t.test('the plugin is not installed: said plainly, nothing to click', async (t) => {
  const dataDir = t.testdir({})
  const { app } = await build(t, { transport: new FailingTransport(dataDir, notInstalled('letsencrypt')) })
  const cookie = await login(app)
  const res = await app.inject({ url: '/letsencrypt', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.match(res.body, /The Let's Encrypt plugin is not installed<\/strong> on this Dokku server/)
  t.notMatch(res.body, /<table/)
  t.notMatch(res.body, /id="le-global"/)
  t.notMatch(res.body, /action="\/letsencrypt\/auto-renew"/)
  t.same(commandsRun(app, /letsencrypt:(list|ls)$/), ['dokku letsencrypt:ls', 'dokku letsencrypt:list'], 'the old command name was tried too')
})

t.test('dokku failures: missing binary, timeout', async (t) => {
  t.test('the report or the setting failing: dokku\'s words where they belong', async (t) => {
    const dataDir = t.testdir({})
    const { app } = await build(t, {
      transport: new FailingTransport(dataDir, (args) =>
        args[0] === 'letsencrypt:report' ? { stderr: ' !     report <broke> & "why"\n', code: 1 }
          : args[0] === 'letsencrypt:set' ? { stderr: ' !     No key specified\n', code: 1 } : null)
    })
    const cookie = await login(app)
    const page = await app.inject({ url: '/letsencrypt', headers: { cookie } })
    t.equal(page.statusCode, 200, 'the list still shows')
    t.match(page.body, /<a href="\/apps\/python-app\/domains">python-app<\/a>/)
    t.match(page.body, /Could not read the global settings: report &lt;broke&gt; &amp; &quot;why&quot; <a href="\/history\/\d+">Details<\/a>/)
    t.match(page.body, /action="\/letsencrypt\/email"/, 'the form is still there')
    const set = await app.inject({ method: 'POST', url: '/letsencrypt/email', headers: { cookie, ...HX }, payload: { email: 'a@example.com' } })
    t.equal(set.statusCode, 422)
    t.match(set.body, /<p class="alert error" role="alert">No key specified <a href="\/history\/\d+">Details<\/a><\/p>/)
    t.match(set.body, /value="a@example\.com"/)
  })

  t.test('no dokku binary', async (t) => {
    const { app } = await build(t, { transport: new LocalTransport('/nonexistent/dokku') })
    const cookie = await login(app)
    const res = await app.inject({ url: '/letsencrypt', headers: { cookie } })
    t.equal(res.statusCode, 503)
    t.match(res.body, /dokku is unavailable/)
    const email = await app.inject({ method: 'POST', url: '/letsencrypt/email', headers: { cookie, ...HX }, payload: { email: 'a@example.com' } })
    t.equal(email.statusCode, 503)
    t.match(String(email.headers['hx-trigger']), /dokku is unavailable/)
    const renew = await app.inject({ method: 'POST', url: '/letsencrypt/auto-renew', headers: { cookie, ...HX } })
    t.equal(renew.statusCode, 202)
    await app.jobs.drain()
    t.equal(app.jobs.get(jobId(renew))!.status, 'error')
  })

  t.test('dokku too slow', async (t) => {
    // Commands carry their own (minute-long) timeouts: cap every run's instead of waiting.
    const { app } = await build(t, { runner: { maxTimeoutMs: 300 }, simulator: { DOKKU_SIM_LATENCY_MS: '3000' } })
    const cookie = await login(app)
    const res = await app.inject({ url: '/letsencrypt', headers: { cookie } })
    t.equal(res.statusCode, 504)
    t.match(res.body, /timed out/)
  })
})

t.test('text from dokku is escaped: app names, e-mail', async (t) => {
  const { app, dataDir } = await build(t)
  const evil = 'x"><script>alert(1)</script>&'
  await editSimState(dataDir, (s) => {
    s.apps[evil] = structuredClone(s.apps['node-js-app']!)
    s.apps['ruby-app']!.cert = null
    s.global.letsencrypt.email = '"<i>&@example.com'
  })
  const cookie = await login(app)
  const res = await app.inject({ url: '/letsencrypt', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.notMatch(res.body, /<script>alert/)
  t.notMatch(res.body, /<i>&/)
  t.match(res.body, /<a href="\/apps\/x%22%3E%3Cscript%3Ealert\(1\)%3C%2Fscript%3E%26\/domains">x&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&amp;<\/a>/)
  t.match(res.body, /<dd>&quot;&lt;i&gt;&amp;@example\.com<\/dd>/)
  t.match(res.body, /value="&quot;&lt;i&gt;&amp;@example\.com"/)
})
