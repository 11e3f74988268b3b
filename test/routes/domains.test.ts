import t from 'tap'
import { join } from 'node:path'
import { InProcessSimulatorTransport } from '../../src/dokku/simulator/in-process.js'
import { LocalTransport } from '../../src/dokku/transport.js'
import { build, login } from '../helpers/build.js'
import { FailingTransport } from '../helpers/failing-transport.js'
import { commandsRun, jobId } from '../helpers/history.js'
import { editSimState } from '../helpers/simulator-state.js'

const HX = { 'hx-request': 'true' }
const DAY = 86400

// ---- the page ---------------------------------------------------------------------------------

t.test('an app with a Let\'s Encrypt certificate: domains, certificate, Let\'s Encrypt', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ url: '/apps/node-js-app/domains', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.match(res.body, /<html/, 'a full page')
  t.match(res.body, /<title>Domains &amp; TLS · node-js-app · Docklight<\/title>/)
  t.match(res.body, /aria-current="page">Domains &amp; TLS</, 'the Domains tab is the current one')
  t.match(res.body, /<span class="badge running">running<\/span>/, 'the app state next to its name')
  t.match(res.body, /<a href="http:\/\/node-js-app\.dokku\.me"/)
  t.match(res.body, /<input type="hidden" name="domain" value="www\.example\.com">/, 'each domain has a remove form')
  t.match(res.body, /<p class="global-domains"><code class="hostname">dokku\.me<\/code>/, 'the global domain')
  t.notMatch(res.body, /NO_VHOST/, 'vhosts are enabled')
  // certificate
  t.match(res.body, /<span class="badge ok">Secured<\/span>/)
  t.match(res.body, /<span class="expiry tls-text-ok">(79|80) days left<\/span>/)
  t.match(res.body, /C = US, O = Let&#39;s Encrypt, CN = R11/)
  t.match(res.body, /verified by a certificate authority/)
  t.match(res.body, /<code class="hostname">www\.example\.com<\/code>/)
  t.notMatch(res.body, /Not covered by the certificate/)
  // Let's Encrypt
  t.match(res.body, /<span class="badge ok">active<\/span>/)
  t.match(res.body, /ops@example\.com <span class="muted">\(this app\)<\/span>/)
  t.match(res.body, /Auto-renew<\/dt>\s*<dd><span class="badge ok">on<\/span>/)
  t.match(res.body, /action="\/apps\/node-js-app\/letsencrypt\/enable" hx-post="\/apps\/node-js-app\/letsencrypt\/enable" hx-target="#job-area"/)
  t.match(res.body, /action="\/apps\/node-js-app\/letsencrypt\/auto-renew"/)
  t.match(res.body, /hx-trigger="job-done from:body, domains-changed from:body"/, 'the TLS panel refreshes after a job')
  t.match(res.body, /<div id="job-area"><\/div>/)

  const fragment = await app.inject({ url: '/apps/node-js-app/domains', headers: { cookie, ...HX } })
  t.equal(fragment.statusCode, 200)
  t.notMatch(fragment.body, /<html/, 'htmx gets the fragment')
  t.match(fragment.body, /id="domains-panel"/)
  t.match(fragment.body, /id="tls-panel"/)
})

t.test('a certificate close to expiry is a warning; an app without one says so', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const python = await app.inject({ url: '/apps/python-app/domains', headers: { cookie } })
  t.equal(python.statusCode, 200)
  t.match(python.body, /<span class="badge warn">Expires soon<\/span>/)
  t.match(python.body, /<span class="expiry tls-text-warn">(9|10) days left<\/span>/)
  t.match(python.body, /<p class="alert warn">The certificate expires in (9|10) days\./)
  t.match(python.body, /<span class="badge warn">due<\/span> since/, 'renewal is overdue')
  t.match(python.body, /<span class="badge stopped">stopped<\/span>/)

  const ruby = await app.inject({ url: '/apps/ruby-app/domains', headers: { cookie } })
  t.equal(ruby.statusCode, 200)
  t.match(ruby.body, /<span class="badge">No certificate<\/span>/)
  t.match(ruby.body, /The app is served over plain HTTP only/)
  t.match(ruby.body, /<span class="badge">not enabled<\/span>/)
  t.match(ruby.body, /E-mail in use<\/dt>\s*<dd><span class="tls-text-warn">none set<\/span>/)
  t.match(ruby.body, /Let's Encrypt needs an e-mail address before it can issue a certificate/)
  t.match(ruby.body, />Enable Let&#39;s Encrypt<\/button>/)
  t.notMatch(ruby.body, /letsencrypt\/auto-renew/, 'no renewal for an app without Let\'s Encrypt')
})

t.test('expired, self-signed, uncovered names and disabled vhosts, from crafted state', async (t) => {
  const { app, dataDir } = await build(t)
  await editSimState(dataDir, (s, now) => {
    const python = s.apps['python-app']!
    python.cert!.expiresAt = now - 3 * DAY - 3600
    python.cert!.verified = 'self signed'
    const node = s.apps['node-js-app']!
    node.cert!.hostnames = ['*.dokku.me']
    node.vhosts.push('deep.sub.dokku.me')
    node.env.NO_VHOST = '1'
  })
  const cookie = await login(app)
  const python = await app.inject({ url: '/apps/python-app/domains', headers: { cookie } })
  t.match(python.body, /<span class="badge danger">Expired<\/span>/)
  t.match(python.body, /<span class="expiry tls-text-danger">expired (3|4) days ago<\/span>/)
  t.match(python.body, /<p class="alert error" role="alert">This certificate has expired/)
  t.match(python.body, /<span class="badge warn">self-signed<\/span>/)

  const node = await app.inject({ url: '/apps/node-js-app/domains', headers: { cookie } })
  t.match(node.body, /Virtual hosts are disabled for this app \(<code>NO_VHOST=1<\/code>\)/)
  t.match(node.body, /Not covered by the certificate: <code>www\.example\.com<\/code> <code>deep\.sub\.dokku\.me<\/code>/,
    'the wildcard covers node-js-app.dokku.me only')
})

t.test('the TLS panel alone, for htmx refreshes', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const panel = await app.inject({ url: '/apps/python-app/domains/panel', headers: { cookie, ...HX } })
  t.equal(panel.statusCode, 200)
  t.match(panel.body, /^\s*<section class="card tls-panel" id="tls-panel"/)
  t.notMatch(panel.body, /id="domains-panel"/)
  t.notMatch(panel.body, /<html/)
  const plain = await app.inject({ url: '/apps/python-app/domains/panel', headers: { cookie } })
  t.equal(plain.statusCode, 303, 'a browser without htmx is sent to the page')
  t.equal(plain.headers.location, '/apps/python-app/domains')
})

// ---- adding and removing domains ----------------------------------------------------------------

t.test('adding domains with htmx: the panel, a toast, the TLS panel told', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({
    method: 'POST', url: '/apps/node-js-app/domains', headers: { cookie, ...HX },
    // Several domains: the preview's form (see test/routes/ui.test.ts) sends them back confirmed.
    payload: { domain: 'New.Example.com, api.example.com\nwww.example.com', confirmed: '1' }
  })
  t.equal(res.statusCode, 200)
  t.notMatch(res.body, /<html/)
  t.match(res.body, /^\s*<section class="card domains-panel" id="domains-panel"/)
  t.match(res.body, /<a href="http:\/\/new\.example\.com"/, 'lowercased, as dokku stores it')
  t.match(res.body, /<a href="http:\/\/api\.example\.com"/)
  t.match(res.body, /name="domain" value=""/, 'the add field is empty again')
  const trigger = JSON.parse(String(res.headers['hx-trigger'])) as { toast: { level: string; message: string }; 'domains-changed': boolean }
  t.equal(trigger.toast.level, 'success')
  t.equal(trigger.toast.message, 'Added new.example.com, api.example.com. Already there: www.example.com.')
  t.equal(trigger['domains-changed'], true, 'the TLS panel refreshes itself')
  t.same(commandsRun(app, /^dokku domains:add /), ['dokku domains:add node-js-app new.example.com api.example.com www.example.com'])

  const panel = await app.inject({ url: '/apps/node-js-app/domains/panel', headers: { cookie, ...HX } })
  t.match(panel.body, /Not covered by the certificate: <code>new\.example\.com<\/code> <code>api\.example\.com<\/code>/)
  t.match(panel.body, /Update the certificate below to include them/)
})

t.test('adding and removing without JavaScript: 303 back to the page', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const add = await app.inject({ method: 'POST', url: '/apps/ruby-app/domains', headers: { cookie }, payload: { domain: 'shop.example.com' } })
  t.equal(add.statusCode, 303)
  t.equal(add.headers.location, '/apps/ruby-app/domains')
  const page = await app.inject({ url: '/apps/ruby-app/domains', headers: { cookie } })
  t.match(page.body, /<a href="http:\/\/shop\.example\.com"/)

  const remove = await app.inject({ method: 'POST', url: '/apps/ruby-app/domains/remove', headers: { cookie }, payload: { domain: 'shop.example.com' } })
  t.equal(remove.statusCode, 303)
  t.equal(remove.headers.location, '/apps/ruby-app/domains')
  const after = await app.inject({ url: '/apps/ruby-app/domains', headers: { cookie } })
  t.notMatch(after.body, /shop\.example\.com/)
  t.match(after.body, /ruby-app\.dokku\.me/)
})

t.test('removing a domain with htmx', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ method: 'POST', url: '/apps/node-js-app/domains/remove', headers: { cookie, ...HX }, payload: { domain: 'WWW.example.com' } })
  t.equal(res.statusCode, 200)
  t.notMatch(res.body, /value="www\.example\.com"/)
  t.match(res.body, /value="node-js-app\.dokku\.me"/)
  const trigger = JSON.parse(String(res.headers['hx-trigger'])) as { toast: { message: string }; 'domains-changed': boolean }
  t.equal(trigger.toast.message, 'Removed www.example.com from node-js-app.')
  t.equal(trigger['domains-changed'], true)
  t.same(commandsRun(app, /^dokku domains:remove /), ['dokku domains:remove node-js-app www.example.com'])

  // The last one: the list says so.
  const last = await app.inject({ method: 'POST', url: '/apps/node-js-app/domains/remove', headers: { cookie, ...HX }, payload: { domain: 'node-js-app.dokku.me' } })
  t.match(last.body, /No domains yet/)
})

t.test('hostile domains are refused with the form and its error, and nothing runs', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const cases: Array<[string, RegExp]> = [
    ['a;b.com', /Domain may only contain letters, digits, dots, hyphens/],
    ['$(id).com', /Domain may only contain/],
    ['-x.com', /Domain must not start with &quot;-&quot;/],
    ['../x', /Domain may only contain/],
    ['a'.repeat(300) + '.com', /Domain is too long \(at most 253 characters\)/],
    ['good.com "><script>alert(1)</script>', /&quot;&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&quot;: Domain may only contain/],
    ['', /Enter a domain, e\.g\. www\.example\.com/],
    ['x.com\u001b[31m', /control characters/]
  ]
  for (const [domain, error] of cases) {
    const res = await app.inject({ method: 'POST', url: '/apps/node-js-app/domains', headers: { cookie, ...HX }, payload: { domain } })
    t.equal(res.statusCode, 422, `422 for ${JSON.stringify(domain.slice(0, 40))}`)
    t.match(res.body, /^\s*<section class="card domains-panel" id="domains-panel"/, 'the panel with its form')
    t.match(res.body, /<p class="field-error" id="domain-error" role="alert">/)
    t.match(res.body, error)
    t.match(res.body, /aria-invalid="true"/)
    t.notMatch(res.body, /<script>/, 'what was typed comes back escaped')
  }
  const echoed = await app.inject({ method: 'POST', url: '/apps/node-js-app/domains', headers: { cookie, ...HX }, payload: { domain: 'a&b "c" <d>' } })
  t.match(echoed.body, /value="a&amp;b &quot;c&quot; &lt;d&gt;"/, 'the typed value is kept, escaped')

  const plain = await app.inject({ method: 'POST', url: '/apps/node-js-app/domains', headers: { cookie }, payload: { domain: 'a;b.com' } })
  t.equal(plain.statusCode, 422)
  t.match(plain.body, /<html/, 'without JavaScript: the whole page with the error')
  t.match(plain.body, /value="a;b\.com"/)

  for (const domain of ['a;b.com', '-rf', '../etc', 'x.com\nwww.example.com', 'a'.repeat(300)]) {
    const res = await app.inject({ method: 'POST', url: '/apps/node-js-app/domains/remove', headers: { cookie, ...HX }, payload: { domain } })
    t.equal(res.statusCode, 422, `remove refuses ${JSON.stringify(domain.slice(0, 20))}`)
    t.match(res.body, /Could not remove <code>/)
  }
  t.same(commandsRun(app, /domains:(add|remove)/), [], 'dokku was never asked')
})

t.test('dokku failures: an unknown app, a refusal shown by the form, a missing binary, a timeout', async (t) => {
  t.test('an app that does not exist', async (t) => {
    const { app } = await build(t)
    const cookie = await login(app)
    const page = await app.inject({ url: '/apps/nope/domains', headers: { cookie } })
    t.equal(page.statusCode, 404)
    t.match(page.body, /App nope does not exist/)
    const add = await app.inject({ method: 'POST', url: '/apps/nope/domains', headers: { cookie, ...HX }, payload: { domain: 'x.example.com' } })
    t.equal(add.statusCode, 404)
    t.match(String(add.headers['hx-trigger']), /App nope does not exist/, 'htmx shows a toast')
    const bad = await app.inject({ url: '/apps/a;b/domains', headers: { cookie } })
    t.equal(bad.statusCode, 400)
    t.match(bad.body, /App name must start with a lowercase letter or digit/)
    const dash = await app.inject({ url: '/apps/-x/domains', headers: { cookie } })
    t.equal(dash.statusCode, 400)
  })

  t.test('dokku refuses a change: its words next to the form; its warnings in the toast', async (t) => {
    const dataDir = t.testdir({})
    const transport = new FailingTransport(dataDir, (args) => {
      if (args[0] === 'domains:add') return { stderr: ' !     nginx: [emerg] <bad> "config" & more\n', code: 1 }
      if (args[0] === 'domains:remove' && args[2] === 'stuck.example.com') return { stderr: ' !     Unable to <remove>\n', code: 1 }
      if (args[0] === 'domains:remove') return { stderr: ' !     No web listeners specified for node-js-app\n', code: 0 }
      return null
    })
    const { app } = await build(t, { transport })
    const cookie = await login(app)
    const res = await app.inject({ method: 'POST', url: '/apps/node-js-app/domains', headers: { cookie, ...HX }, payload: { domain: 'x.example.com' } })
    t.equal(res.statusCode, 422)
    t.match(res.body, /<p class="alert error" role="alert">nginx: \[emerg\] &lt;bad&gt; &quot;config&quot; &amp; more <a href="\/history\/\d+">Details<\/a><\/p>/)
    t.match(res.body, /value="x\.example\.com"/, 'what was typed is kept')

    const stuck = await app.inject({ method: 'POST', url: '/apps/node-js-app/domains/remove', headers: { cookie, ...HX }, payload: { domain: 'stuck.example.com' } })
    t.equal(stuck.statusCode, 422)
    t.match(stuck.body, /Could not remove <code>stuck\.example\.com<\/code>: Unable to &lt;remove&gt; <a href="\/history\/\d+">Details<\/a>/)

    const warned = await app.inject({ method: 'POST', url: '/apps/node-js-app/domains/remove', headers: { cookie, ...HX }, payload: { domain: 'www.example.com' } })
    t.equal(warned.statusCode, 200)
    t.match(JSON.parse(String(warned.headers['hx-trigger'])).toast, {
      level: 'info', message: 'Removed www.example.com from node-js-app. Dokku says: No web listeners specified for node-js-app'
    })
  })

  t.test('no dokku binary', async (t) => {
    const { app } = await build(t, { transport: new LocalTransport('/nonexistent/dokku') })
    const cookie = await login(app)
    const page = await app.inject({ url: '/apps/node-js-app/domains', headers: { cookie } })
    t.equal(page.statusCode, 503)
    t.match(page.body, /dokku is unavailable/)
    t.notMatch(page.body, /at .*\.js:\d+/, 'no stack trace')
    const add = await app.inject({ method: 'POST', url: '/apps/node-js-app/domains', headers: { cookie }, payload: { domain: 'x.example.com' } })
    t.equal(add.statusCode, 503)
  })

  t.test('dokku too slow', async (t) => {
    // Each dokku command brings its own timeout (a minute for reads), which wins over the
    // runner's default: cap every run's timeout instead of waiting a minute.
    const { app } = await build(t, { runner: { maxTimeoutMs: 300 }, simulator: { DOKKU_SIM_LATENCY_MS: '3000' } })
    const cookie = await login(app)
    const page = await app.inject({ url: '/apps/node-js-app/domains', headers: { cookie } })
    t.equal(page.statusCode, 504)
    t.match(page.body, /timed out/)
  })
})

t.test('text from dokku is escaped everywhere on the page', async (t) => {
  const { app, dataDir } = await build(t)
  const evil = '<script>alert("x")</script> & co'
  await editSimState(dataDir, (s) => {
    const node = s.apps['node-js-app']!
    node.cert!.issuer = `O = ${evil}`
    node.cert!.hostnames = ['"><img/src=x/onerror=alert(1)>', 'node-js-app.dokku.me']
    node.vhosts.push('"><b>vhost&</b>')
    node.letsencrypt.props.email = 'me"<i>&@example.com'
    s.global.letsencrypt.email = '<u>global</u>&@example.com'
    s.global.vhosts = ['<em>global</em>&amp;']
  })
  const cookie = await login(app)
  const res = await app.inject({ url: '/apps/node-js-app/domains', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.notMatch(res.body, /<script>alert/)
  t.notMatch(res.body, /<img/)
  t.notMatch(res.body, /<b>vhost/)
  t.notMatch(res.body, /<i>&/)
  t.notMatch(res.body, /<u>global/)
  t.notMatch(res.body, /<em>global/)
  t.match(res.body, /O = &lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; co/)
  t.match(res.body, /<code class="hostname">&quot;&gt;&lt;img\/src=x\/onerror=alert\(1\)&gt;<\/code>/)
  t.match(res.body, /value="&quot;&gt;&lt;b&gt;vhost&amp;&lt;\/b&gt;"/, 'in an attribute too')
  t.match(res.body, /hx-confirm="Remove &quot;&gt;&lt;b&gt;vhost&amp;&lt;\/b&gt; from node-js-app\?"/)
  t.match(res.body, /me&quot;&lt;i&gt;&amp;@example\.com/)
  t.match(res.body, /&lt;u&gt;global&lt;\/u&gt;&amp;@example\.com/)
  t.match(res.body, /<code class="hostname">&lt;em&gt;global&lt;\/em&gt;&amp;amp;<\/code>/)
})

// The escaping test above relies on crafted state reaching dokku's answers: check that it does.
t.test('the crafted state really is what dokku answers from', async (t) => {
  const { app, dataDir } = await build(t)
  await editSimState(dataDir, (s) => { s.apps['ruby-app']!.vhosts = ['crafted.example.com'] })
  const report = await app.hosts.default.dokku.domainsReport('ruby-app')
  t.same(report.appVhosts, ['crafted.example.com'])
})

t.test('on a named host: the change lands there, and every answer stays under its prefix', async (t) => {
  const dir = t.testdir({})
  const sim = (name: string) => new InProcessSimulatorTransport({ DOKKU_SIM_STATE: join(dir, `${name}.json`), DOKKU_SIM_STEP_MS: '5' })
  const { app } = await build(t, {
    env: { DOCKLIGHT_HOSTS: 'alpha=local beta=dokku@beta.example.com' },
    transports: { alpha: sim('alpha'), beta: sim('beta') }
  })
  const cookie = await login(app)
  const onHost = (host: string, pattern: RegExp) => app.history.list({ host, limit: 500 }).map((r) => r.command).filter((c) => pattern.test(c))

  const add = await app.inject({ method: 'POST', url: '/hosts/beta/apps/ruby-app/domains', headers: { cookie }, payload: { domain: 'shop.example.com' } })
  t.equal(add.statusCode, 303)
  t.equal(add.headers.location, '/hosts/beta/apps/ruby-app/domains')
  t.same(onHost('beta', /^dokku domains:add /), ['dokku domains:add ruby-app shop.example.com'])
  t.same(onHost('alpha', /^dokku domains:add /), [], 'the other host is untouched')

  const beta = await app.inject({ url: '/hosts/beta/apps/ruby-app/domains', headers: { cookie } })
  t.match(beta.body, /<a href="http:\/\/shop\.example\.com"/)
  t.match(beta.body, /action="\/hosts\/beta\/apps\/ruby-app\/domains"/, 'its forms post to its host')
  t.match(beta.body, /hx-get="\/hosts\/beta\/apps\/ruby-app\/domains\/panel"/)
  const alpha = await app.inject({ url: '/hosts/alpha/apps/ruby-app/domains', headers: { cookie } })
  t.notMatch(alpha.body, /shop\.example\.com/)

  const remove = await app.inject({ method: 'POST', url: '/hosts/beta/apps/ruby-app/domains/remove', headers: { cookie }, payload: { domain: 'shop.example.com' } })
  t.equal(remove.headers.location, '/hosts/beta/apps/ruby-app/domains')
  const panel = await app.inject({ url: '/hosts/beta/apps/ruby-app/domains/panel', headers: { cookie } })
  t.equal(panel.headers.location, '/hosts/beta/apps/ruby-app/domains')
  const email = await app.inject({ method: 'POST', url: '/hosts/beta/apps/ruby-app/letsencrypt/email', headers: { cookie }, payload: { email: 'ops@example.com' } })
  t.equal(email.headers.location, '/hosts/beta/apps/ruby-app/domains')
  const globalEmail = await app.inject({ method: 'POST', url: '/hosts/beta/letsencrypt/email', headers: { cookie }, payload: { email: 'ops@example.com' } })
  t.equal(globalEmail.headers.location, '/hosts/beta/letsencrypt')
  t.same(onHost('beta', /letsencrypt:set/), ['dokku letsencrypt:set --global email ops@example.com', 'dokku letsencrypt:set ruby-app email ops@example.com'])
  t.same(onHost('alpha', /letsencrypt:set/), [])

  const overview = await app.inject({ url: '/hosts/beta/letsencrypt', headers: { cookie } })
  t.match(overview.body, /<a href="\/hosts\/beta\/apps\/python-app\/domains">python-app<\/a>/)
  t.match(overview.body, /action="\/hosts\/beta\/letsencrypt\/auto-renew"/)

  // The global renewal's lock is per host: one on each host may run at once.
  const renewBeta = await app.inject({ method: 'POST', url: '/hosts/beta/letsencrypt/auto-renew', headers: { cookie, ...HX } })
  const renewAlpha = await app.inject({ method: 'POST', url: '/hosts/alpha/letsencrypt/auto-renew', headers: { cookie, ...HX } })
  t.equal(renewBeta.statusCode, 202)
  t.equal(renewAlpha.statusCode, 202)
  await app.jobs.drain()
  t.equal(app.history.get(jobId(renewBeta))!.host, 'beta')
  t.equal(app.history.get(jobId(renewAlpha))!.host, 'alpha')
})
