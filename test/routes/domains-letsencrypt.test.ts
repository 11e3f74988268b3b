import t from 'tap'
import { build, login } from '../helpers/build.js'
import { FailingTransport, notInstalled } from '../helpers/failing-transport.js'
import { commandsRun, jobId } from '../helpers/history.js'

/** Let's Encrypt on an app's Domains & TLS page: the e-mail forms, enable and renew jobs. */

const HX = { 'hx-request': 'true' }

t.test('enabling without an e-mail address fails with dokku\'s own words', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ method: 'POST', url: '/apps/ruby-app/letsencrypt/enable', headers: { cookie, ...HX } })
  t.equal(res.statusCode, 202)
  t.notMatch(res.body, /<html/)
  t.match(res.body, /class="job card"/, 'the live job panel, for #job-area')
  t.match(res.body, /data-job-app="ruby-app"/)
  t.match(String(res.headers['hx-trigger']), /Enable Let's Encrypt for ruby-app started/)
  const id = jobId(res)
  await app.jobs.drain()

  const job = app.jobs.get(id)!
  t.equal(job.status, 'failed')
  t.equal(job.exitCode, 1)
  t.match(job.error, /ERROR: Cannot request a certificate without an e-mail address!/)
  const panel = await app.inject({ url: `/jobs/${id}`, headers: { cookie, ...HX } })
  t.match(panel.body, /ERROR: Cannot request a certificate without an e-mail address!/)
  t.match(panel.body, /dokku letsencrypt:set ruby-app email &lt;e-mail&gt;/, 'dokku\'s hint, escaped')
  t.equal(app.history.get(id)!.command, 'dokku letsencrypt:enable ruby-app')
})

t.test('set the app\'s e-mail, then enable: a certificate', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const set = await app.inject({
    method: 'POST', url: '/apps/ruby-app/letsencrypt/email', headers: { cookie, ...HX }, payload: { email: ' ops&team@example.com ', scope: 'app' }
  })
  t.equal(set.statusCode, 200)
  t.match(set.body, /^\s*<section class="card tls-panel" id="tls-panel"/, 'the TLS panel again')
  t.match(set.body, /ops&amp;team@example\.com <span class="muted">\(this app\)<\/span>/, 'escaped')
  t.match(set.body, /id="le-app-email" name="email" value="ops&amp;team@example\.com"/)
  t.match(JSON.parse(String(set.headers['hx-trigger'])).toast, { level: 'success', message: 'Let\'s Encrypt e-mail for ruby-app set to ops&team@example.com.' })
  t.same(commandsRun(app, /letsencrypt:set/), ["dokku letsencrypt:set ruby-app email 'ops&team@example.com'"])

  const enable = await app.inject({ method: 'POST', url: '/apps/ruby-app/letsencrypt/enable', headers: { cookie } })
  t.equal(enable.statusCode, 303, 'without JavaScript: to the job page')
  t.match(enable.headers.location, /^\/jobs\/\d+$/)
  await app.jobs.drain()
  const job = app.jobs.get(Number(String(enable.headers.location).split('/').pop()))!
  t.equal(job.status, 'success')
  t.match(job.output, /Certificate retrieved successfully/)

  const page = await app.inject({ url: '/apps/ruby-app/domains', headers: { cookie } })
  t.match(page.body, /<span class="badge ok">Secured<\/span>/)
  t.match(page.body, /<span class="expiry tls-text-ok">(89|90) days left<\/span>/)
  t.match(page.body, /<span class="badge ok">active<\/span>/)
  t.match(page.body, />Update certificate<\/button>/)
  t.match(page.body, /action="\/apps\/ruby-app\/letsencrypt\/auto-renew"/)
})

t.test('e-mail forms: validation, the global address, unsetting, no-JS', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const cases: Array<[string, RegExp]> = [
    ['not-an-email', /E-mail address is not valid/],
    ['-a@example.com', /must not start with &quot;-&quot;/],
    ['a@example.com\nb', /control characters or line breaks/],
    ['$(id)@example.com', /E-mail address is not valid/],
    ['"<script>"@example.com', /E-mail address is not valid/],
    ['a'.repeat(260) + '@example.com', /too long \(at most 254 characters\)/]
  ]
  for (const [email, error] of cases) {
    const res = await app.inject({ method: 'POST', url: '/apps/ruby-app/letsencrypt/email', headers: { cookie, ...HX }, payload: { email } })
    t.equal(res.statusCode, 422, `422 for ${JSON.stringify(email.slice(0, 30))}`)
    t.match(res.body, /<p class="field-error" id="le-app-email-error" role="alert">/)
    t.match(res.body, error)
    t.match(res.body, /id="le-app-email"[^>]*\n?[^>]*aria-invalid="true"/)
    t.notMatch(res.body, /<script>/)
  }
  const global = await app.inject({ method: 'POST', url: '/apps/ruby-app/letsencrypt/email', headers: { cookie, ...HX }, payload: { email: 'nope', scope: 'global' } })
  t.equal(global.statusCode, 422)
  t.match(global.body, /<p class="field-error" id="le-global-email-error" role="alert">E-mail address is not valid<\/p>/, 'the error is shown by the form that was used')
  t.notMatch(global.body, /le-app-email-error/)
  const plain = await app.inject({ method: 'POST', url: '/apps/ruby-app/letsencrypt/email', headers: { cookie }, payload: { email: 'nope' } })
  t.equal(plain.statusCode, 422)
  t.match(plain.body, /<html/, 'the whole page without JavaScript')
  t.match(plain.body, /value="nope"/)
  t.same(commandsRun(app, /letsencrypt:set/), [], 'nothing ran')

  // The global address, from an app's page.
  const setGlobal = await app.inject({
    method: 'POST', url: '/apps/ruby-app/letsencrypt/email', headers: { cookie, ...HX }, payload: { email: 'ops@example.com', scope: 'global' }
  })
  t.equal(setGlobal.statusCode, 200)
  t.match(setGlobal.body, /ops@example\.com <span class="muted">\(global\)<\/span>/)
  t.match(setGlobal.body, /id="le-global-email" name="email" value="ops@example\.com"/)
  t.notMatch(setGlobal.body, /needs an e-mail address/)
  t.match(JSON.parse(String(setGlobal.headers['hx-trigger'])).toast.message, 'Global Let\'s Encrypt e-mail set to ops@example.com.')
  // Another app's page shows it too (the cached reports were dropped).
  const python = await app.inject({ url: '/apps/python-app/domains', headers: { cookie } })
  t.match(python.body, /id="le-global-email" name="email" value="ops@example\.com"/)

  // Unsetting python-app's own address: the global one applies.
  const unset = await app.inject({ method: 'POST', url: '/apps/python-app/letsencrypt/email', headers: { cookie }, payload: { email: '', scope: 'app' } })
  t.equal(unset.statusCode, 303)
  t.equal(unset.headers.location, '/apps/python-app/domains')
  const after = await app.inject({ url: '/apps/python-app/domains', headers: { cookie } })
  t.match(after.body, /E-mail in use<\/dt>\s*<dd>ops@example\.com <span class="muted">\(global\)<\/span>/)
  t.match(after.body, /id="le-app-email" name="email" value=""/)
  t.same(commandsRun(app, /letsencrypt:set/), ['dokku letsencrypt:set python-app email', 'dokku letsencrypt:set --global email ops@example.com'])
})

t.test('renew one app: due renews, not due says so; a second job on the app is refused', async (t) => {
  // Slow enough steps that the job is still running while we look.
  const { app } = await build(t, { simulator: { DOKKU_SIM_STEP_MS: '100' } })
  const cookie = await login(app)
  const renew = await app.inject({ method: 'POST', url: '/apps/python-app/letsencrypt/auto-renew', headers: { cookie, ...HX } })
  t.equal(renew.statusCode, 202)
  const id = jobId(renew)

  const busy = await app.inject({ method: 'POST', url: '/apps/python-app/letsencrypt/enable', headers: { cookie, ...HX } })
  t.equal(busy.statusCode, 409)
  t.match(busy.body, new RegExp(`Renew Let&#39;s Encrypt certificate for python-app is still running on python-app \\(job #${id}\\)`))
  const running = await app.inject({ url: '/apps/python-app/domains/panel', headers: { cookie, ...HX } })
  t.match(running.body, new RegExp(`Renew Let&#39;s Encrypt certificate for python-app is running\\. <a href="/jobs/${id}">Follow job #${id}</a>`))

  await app.jobs.drain()
  const job = app.jobs.get(id)!
  t.equal(job.status, 'success')
  t.match(job.output, /Auto-renew python-app\.\.\./)
  const page = await app.inject({ url: '/apps/python-app/domains', headers: { cookie } })
  t.match(page.body, /<span class="badge ok">Secured<\/span>/, 'renewed: no longer a warning')
  t.notMatch(page.body, /is running\./)

  const notDue = await app.inject({ method: 'POST', url: '/apps/node-js-app/letsencrypt/auto-renew', headers: { cookie, ...HX } })
  t.equal(notDue.statusCode, 202)
  await app.jobs.drain()
  t.match(app.jobs.get(jobId(notDue))!.output, /node-js-app still has .* left before renewal/)
})

t.test('the plugin is not installed: said plainly, no Let\'s Encrypt forms', async (t) => {
  const dataDir = t.testdir({})
  const { app } = await build(t, { transport: new FailingTransport(dataDir, notInstalled('letsencrypt')) })
  const cookie = await login(app)
  const page = await app.inject({ url: '/apps/node-js-app/domains', headers: { cookie } })
  t.equal(page.statusCode, 200)
  t.match(page.body, /The Let's Encrypt plugin is not installed<\/strong> on this Dokku server/)
  t.match(page.body, /sudo dokku plugin:install https:\/\/github\.com\/dokku\/dokku-letsencrypt\.git/)
  t.notMatch(page.body, /letsencrypt\/enable/)
  t.notMatch(page.body, /letsencrypt\/email/)
  t.match(page.body, /<span class="badge ok">Secured<\/span>/, 'the certificate is still shown')

  const enable = await app.inject({ method: 'POST', url: '/apps/node-js-app/letsencrypt/enable', headers: { cookie, ...HX } })
  t.equal(enable.statusCode, 202)
  await app.jobs.drain()
  t.match(app.jobs.get(jobId(enable))!.error, /`letsencrypt:enable` is not a dokku command\./)
})

t.test('dokku failing on Let\'s Encrypt: shown in the panel, escaped', async (t) => {
  const dataDir = t.testdir({})
  const { app } = await build(t, {
    transport: new FailingTransport(dataDir, (args) =>
      args[0] === 'letsencrypt:report' || args[0] === 'letsencrypt:set'
        ? { stderr: ' !     lego: <broken> & "quoted"\n', code: 1 }
        : null)
  })
  const cookie = await login(app)
  const page = await app.inject({ url: '/apps/node-js-app/domains', headers: { cookie } })
  t.equal(page.statusCode, 200, 'the rest of the page still works')
  t.match(page.body, /id="domains-panel"/)
  t.match(page.body, /Could not read the Let's Encrypt status: lego: &lt;broken&gt; &amp; &quot;quoted&quot; <a href="\/history\/\d+">Details<\/a>/)

  const set = await app.inject({ method: 'POST', url: '/apps/node-js-app/letsencrypt/email', headers: { cookie }, payload: { email: 'a@example.com' } })
  t.equal(set.statusCode, 422)
  t.match(set.body, /Could not read the Let's Encrypt status/)
})

t.test('dokku refusing letsencrypt:set: its words next to the form', async (t) => {
  const dataDir = t.testdir({})
  const { app } = await build(t, {
    transport: new FailingTransport(dataDir, (args) =>
      args[0] === 'letsencrypt:set' ? { stderr: ' !     Invalid key specified, valid keys include: <x> & more\n', code: 1 } : null)
  })
  const cookie = await login(app)
  const res = await app.inject({ method: 'POST', url: '/apps/node-js-app/letsencrypt/email', headers: { cookie, ...HX }, payload: { email: 'a@example.com' } })
  t.equal(res.statusCode, 422)
  t.match(res.body, /<p class="alert error" role="alert">Invalid key specified, valid keys include: &lt;x&gt; &amp; more <a href="\/history\/\d+">Details<\/a><\/p>/)
  t.match(res.body, /id="le-app-email" name="email" value="a@example\.com"/, 'what was typed is kept')
})

t.test('refused before anything runs: bad app names, a vanished app', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  for (const url of ['/apps/a;b/letsencrypt/enable', '/apps/$(id)/letsencrypt/auto-renew', '/apps/-x/letsencrypt/email', '/apps/..%2Fx/letsencrypt/enable']) {
    const res = await app.inject({ method: 'POST', url, headers: { cookie }, payload: { email: 'a@example.com' } })
    t.equal(res.statusCode, 400, url)
    t.match(res.body, /App name must/)
  }
  t.same(commandsRun(app, /letsencrypt/), [])
  t.equal(app.hosts.default.runningJob('a;b'), undefined)

  const gone = await app.inject({ method: 'POST', url: '/apps/nope/letsencrypt/enable', headers: { cookie, ...HX } })
  t.equal(gone.statusCode, 202, 'the job starts, and dokku answers')
  await app.jobs.drain()
  t.match(app.jobs.get(jobId(gone))!.error, /App nope does not exist/)
  const email = await app.inject({ method: 'POST', url: '/apps/nope/letsencrypt/email', headers: { cookie, ...HX }, payload: { email: 'a@example.com' } })
  t.equal(email.statusCode, 404)
  t.match(String(email.headers['hx-trigger']), /App nope does not exist/)
})
