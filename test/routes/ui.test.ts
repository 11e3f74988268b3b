// The UI's rules a user meets on every page (issue 12): actions offered for the app's state and
// refused while a job runs (with why), confirmation of Stop and Rebuild without JS, the badge
// and buttons refreshing after a job, input rules with a preview of what a domain field splits
// into, pages never stored by the browser, and the command palette's list.
import t from 'tap'
import type { Host } from '../../src/hosts/host.js'
import { entries } from '../../src/services/palette.js'
import { actionButtons } from '../../src/services/apps.js'
import { build, login } from '../helpers/build.js'
import { commandsRun } from '../helpers/history.js'

const HX = { 'hx-request': 'true' }
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }
const body = (fields: Record<string, string>) => new URLSearchParams(fields).toString()

t.test('issue 12 UI rules', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ url, headers: { cookie, ...headers } })
  const post = (url: string, fields: Record<string, string> = {}, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, headers: { cookie, ...FORM, ...headers }, payload: body(fields) })
  /** The lifecycle buttons of a page, as `action:disabled?` */
  const buttons = (html: string) => [...html.matchAll(/<button type="submit" data-action="(\w+)"( disabled)?/g)].map((m) => `${m[1]}${m[2] ? ':disabled' : ''}`)

  await t.test('the buttons fit the app\'s state: no Start on a running app, no Stop on a stopped one', async (t) => {
    const running = await get('/apps/node-js-app')
    t.same(buttons(running.body), ['restart', 'rebuild', 'stop'])
    const stopped = await get('/apps/python-app')
    t.same(buttons(stopped.body), ['restart', 'rebuild', 'start'])
    const undeployed = await get('/apps/static-site')
    t.same(buttons(undeployed.body), ['restart:disabled', 'rebuild:disabled'], 'nothing to restart before a deploy')
    t.match(undeployed.body, /title="Restart: not deployed yet"/)
    t.match(undeployed.body, /Not deployed yet: deploy it first/)
    // Stop and Rebuild ask first: their forms GET the confirmation; Restart and Start post.
    t.match(running.body, /<form method="get" action="\/apps\/node-js-app\/stop" hx-get="\/apps\/node-js-app\/stop"/)
    t.match(running.body, /<form method="get" action="\/apps\/node-js-app\/rebuild"/)
    t.match(running.body, /<form method="post" action="\/apps\/node-js-app\/restart" hx-post=/)
    t.same(actionButtons('mixed', null).map((b) => b.action), ['restart', 'rebuild', 'stop', 'start'], 'a mixed app may be stopped or started')
  })

  await t.test('Stop asks first, with and without JS; nothing runs until confirmed', async (t) => {
    const frag = await get('/apps/node-js-app/stop', HX)
    t.equal(frag.statusCode, 200)
    t.notMatch(frag.body, /<html/)
    t.match(frag.body, /<h2 id="confirm-title">Stop node-js-app\?<\/h2>/)
    t.match(frag.body, /stays down \(after a reboot too\)/)
    t.match(frag.body, /<form method="post" action="\/apps\/node-js-app\/stop" hx-post="\/apps\/node-js-app\/stop" hx-target="#job-area"/)
    t.match(frag.body, /data-autofocus>Stop node-js-app<\/button>/, 'focus goes to the confirming button')
    t.match(frag.body, /<a class="button" href="\/apps\/node-js-app" data-confirm-cancel>Cancel<\/a>/)
    const page = await get('/apps/node-js-app/rebuild')
    t.match(page.body, /<html/)
    t.match(page.body, /<title>Rebuild node-js-app\? · Docklight<\/title>/)
    t.match(page.body, /aria-current="page">Overview/, 'inside the app\'s tabs')
    t.match(page.body, /builds node-js-app again/)
    t.same(commandsRun(app, /ps:(stop|rebuild)/), [], 'asking ran nothing')
    t.equal((await get('/apps/node-js-app/restart')).statusCode, 404, 'Restart has no confirmation page')
  })

  await t.test('while a job runs: buttons disabled with the reason; a second action refused above the live panel', async (t) => {
    let release!: () => void
    const running = app.hosts.default.startJob({ app: 'node-js-app', label: 'Rebuild node-js-app', run: (ctx) => new Promise<void>((resolve) => { ctx.onStart(); release = resolve }) })
    await new Promise((resolve) => setImmediate(resolve))
    const actions = await get('/apps/node-js-app/actions', HX)
    t.match(actions.body, /^\s*<div id="app-actions"/)
    t.match(actions.body, /hx-trigger="job-started from:body, job-done from:body"/)
    t.same(buttons(actions.body), ['restart:disabled', 'rebuild:disabled', 'stop:disabled'])
    t.match(actions.body, /Rebuild node-js-app running, started <span data-since="[^"]+">\d+ s ago<\/span>/)
    t.match(actions.body, new RegExp(`<a href="/jobs/${running.id}">Follow it</a>`))

    const overview = await get('/apps/node-js-app')
    t.match(overview.body, new RegExp(`<div id="job-area">\\s*<div class="job card" id="job-${running.id}"`), 'the live panel is on the page')
    t.match(overview.body, /data-job-label="Rebuild node-js-app"/)

    const refused = await post('/apps/node-js-app/restart', {}, HX)
    t.equal(refused.statusCode, 409)
    t.equal(refused.headers['hx-retarget'], '#job-area')
    t.equal(refused.headers['hx-reswap'], 'afterbegin', 'above the live panel, never in its place')
    t.match(refused.body, new RegExp(`^<p class="alert warn job-busy" role="alert" data-job-busy="${running.id}">Rebuild node-js-app is still running on node-js-app`))
    t.match(JSON.parse(String(refused.headers['hx-trigger'])).toast, { level: 'error', message: /still running/ })
    release()
    await app.jobs.drain()

    const done = await get(`/jobs/${running.id}`, HX)
    t.match(done.body, /data-job-status="success" data-job-app="node-js-app" data-job-label="Rebuild node-js-app" data-job-took="\d+"/, 'the end notice can name the job and its duration')
    t.match(done.body, /<span class="muted">took \d+ s<\/span>/)
    t.notMatch(done.body, /aria-live/, 'a finished panel is not a live region any more')
    const after = await get('/apps/node-js-app/actions', HX)
    t.same(buttons(after.body), ['restart', 'rebuild', 'stop'], 'usable again once it ended')
  })

  await t.test('the state badge refreshes alone after a job', async (t) => {
    const nav = await get('/apps/python-app/config')
    t.match(nav.body, /<div class="app-head" hx-get="\/apps\/python-app\/state" hx-trigger="job-done from:body" hx-target="find h1" hx-swap="outerHTML" hx-disinherit="\*">/)
    await post('/apps/python-app/start')
    await app.jobs.drain()
    const state = await get('/apps/python-app/state', HX)
    t.equal(state.body.trim(), '<h1>python-app <span class="badge running">running</span></h1>')
    await post('/apps/python-app/stop')
    await app.jobs.drain()
    t.match((await get('/apps/python-app/state', HX)).body, /badge stopped">stopped/)
  })

  await t.test('app names: no "..", no trailing dot, at most 63 characters, in words', async (t) => {
    for (const [name, why] of [['a.', /must not end with a dot/], ['shop..api', /two dots in a row/], ['x'.repeat(64), /too long \(64 characters; at most 63/], ['My_App', /lowercase letters/]] as const) {
      const res = await post('/apps', { name }, HX)
      t.equal(res.statusCode, 422, name)
      t.match(res.body, why)
      t.match(res.body, /aria-invalid="true"/)
    }
    t.same(commandsRun(app, /apps:create/), [], 'nothing was created')
    const form = await get('/new-app')
    t.notMatch(form.body, /pattern=/, 'our messages, not the browser\'s "match the requested format"')
    t.match(form.body, /<form id="app-create-form" novalidate/)
  })

  await t.test('domains: a field that splits in several is shown before anything is added', async (t) => {
    const split = await post('/apps/node-js-app/domains', { domain: 'not a domain' }, HX)
    t.equal(split.statusCode, 200)
    t.match(split.body, /This adds 3 domains:/)
    t.match(split.body, /<li><code>not<\/code><\/li>\s*<li><code>a<\/code><\/li>\s*<li><code>domain<\/code><\/li>/)
    t.match(split.body, /<input type="hidden" name="domain" value="not a domain">\s*<input type="hidden" name="confirmed" value="1">/)
    t.match(split.body, /data-autofocus>Add these 3<\/button>/)
    const local = await post('/apps/node-js-app/domains', { domain: 'localhost' })
    t.equal(local.statusCode, 200, 'without JS: the page with the preview')
    t.match(local.body, /<html/)
    t.match(local.body, /This adds 1 domain:[\s\S]*localhost names reach this server itself/)
    t.same(commandsRun(app, /domains:add/), [], 'a preview runs nothing')
    t.match(local.body, /<input type="checkbox" name="localhost" value="1"> Yes, add localhost names/, 'localhost asks for its own checkbox')
    const unticked = await post('/apps/node-js-app/domains', { domain: 'localhost api.localhost', confirmed: '1' }, HX)
    t.equal(unticked.statusCode, 422, 'confirmed without the checkbox: refused')
    t.match(unticked.body, /Tick &quot;Yes, add localhost names&quot; to add a localhost name/)
    t.match(unticked.body, /This adds 2 domains:/, 'the preview stays, to tick and send again')
    t.same(commandsRun(app, /domains:add/), [], 'nothing ran without the checkbox')
    const ticked = await post('/apps/node-js-app/domains', { domain: 'api.localhost', confirmed: '1', localhost: '1' }, HX)
    t.equal(ticked.statusCode, 200)
    t.same(commandsRun(app, /domains:add/), ['dokku domains:add node-js-app api.localhost'], 'ticked: added')

    for (const [domain, why] of [['a..b.com', /two dots in a row/], [`${'x'.repeat(70)}.com`, /at most 63 characters \(one has 70\)/], ['.a.com', /start with a dot/]] as const) {
      const res = await post('/apps/node-js-app/domains', { domain }, HX)
      t.equal(res.statusCode, 422, domain)
      t.match(res.body, why)
    }
    const confirmed = await post('/apps/node-js-app/domains', { domain: 'one.example.com two.example.com', confirmed: '1' }, HX)
    t.equal(confirmed.statusCode, 200)
    t.same(commandsRun(app, /domains:add/), ['dokku domains:add node-js-app one.example.com two.example.com', 'dokku domains:add node-js-app api.localhost'], 'newest first')
    t.notMatch(confirmed.body, /This adds/, 'the preview is gone once added')
    const single = await post('/apps/node-js-app/domains', { domain: 'three.example.com' }, HX)
    t.match(single.body, /three\.example\.com/, 'one plain domain is added at once')
  })

  await t.test('pages are never stored; fragments are revalidated', async (t) => {
    const page = await get('/')
    t.equal(page.headers['cache-control'], 'no-store')
    const boosted = await get('/history', { 'hx-request': 'true', 'hx-boosted': 'true' })
    t.equal(boosted.headers['cache-control'], 'no-store', 'a boosted page change too')
    const frag = await get('/dashboard/apps', HX)
    t.equal(frag.headers['cache-control'], 'private, no-cache')
    t.match(String(frag.headers.etag), /^W\//)
  })

  await t.test('the layout: skip link, a menu that works without JS, theme and palette scripts, logout outside htmx', async (t) => {
    const page = await get('/')
    t.match(page.body, /<a class="skip-link" href="#main">Skip to content<\/a>/)
    t.match(page.body, /<script src="\/static\/js\/theme[.\w]*\.js"><\/script>\s*<script src="\/static\/vendor\/htmx/, 'the theme is set before anything paints')
    t.match(page.body, /<script src="\/static\/js\/palette[.\w]*\.js" defer><\/script>/)
    t.match(page.body, /<details class="nav-menu">\s*<summary>Menu<\/summary>\s*<nav aria-label="Main \(menu\)">/)
    t.match(page.body, /<form method="post" action="\/logout" class="logout" hx-boost="false">/, 'a real navigation: Back asks the server again')
    t.notMatch(page.body, /<script>/, 'no inline script')
  })

  await t.test('the palette lists pages, every app and its actions', async (t) => {
    const res = await get('/palette.json')
    t.equal(res.statusCode, 200)
    t.equal(res.headers['cache-control'], 'no-store')
    const list = (res.json() as { entries: Array<{ label: string; url: string; kind: string; method?: string }> }).entries
    const find = (label: string) => list.find((e) => e.label === label)
    t.match(find('History'), { url: '/history', kind: 'page' })
    t.match(find('node-js-app'), { url: '/apps/node-js-app', kind: 'app' })
    t.match(find('Open config of node-js-app'), { url: '/apps/node-js-app/config', kind: 'page' })
    t.match(find('Restart ruby-app'), { url: '/apps/ruby-app/restart', kind: 'action', method: 'post' })
    t.match(find('Stop node-js-app…'), { url: '/apps/node-js-app/stop', kind: 'page' }, 'Stop goes to its confirmation')
    t.ok(find('Start python-app'), 'a stopped app can be started')
    t.notOk(find('Stop python-app…'))
    t.notOk(find('Start static-site'), 'nothing to start before a deploy')
    const unauth = await app.inject({ url: '/palette.json' })
    t.not(unauth.statusCode, 200, 'signed out: nothing listed')
  })

  await t.test('empty lists: "no match" says how to widen the filter, "nothing yet" says what fills it', async (t) => {
    const emptyText = (html: string) => html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ')
    const historyNone = await get('/history?q=no-such-command-xyz')
    t.match(emptyText(historyNone.body), /No command matches these filters\. Widen them, or clear the filters\./)
    t.match(historyNone.body, /<a href="\/history">clear the filters<\/a>/)
    const historyYet = await get('/apps/static-site/history')
    t.match(emptyText(historyYet.body), /No commands for this app yet: restart, deploy or change its config/)
    t.notMatch(historyYet.body, /No command matches/)

    const activityNone = await get('/activity?who=nobody-xyz')
    t.match(emptyText(activityNone.body), /Nothing matches these filters\. Widen them, or clear the filters\./)
    const activityYet = await get('/apps/static-site/activity')
    t.match(emptyText(activityYet.body), /Nothing happened here yet, that Docklight knows of: deploys, config changes/)
    t.notMatch(activityYet.body, /Nothing matches these filters/)

    const alertsNone = await get('/alerts?app=no-such-app')
    t.match(emptyText(alertsNone.body), /No open alert matches these filters\. Widen them/)
    t.match(alertsNone.body, /<a href="\/alerts">Clear the filters<\/a>/)
    const alertsYet = await get('/alerts')
    t.match(emptyText(alertsYet.body), /Nothing to worry about right now\. The watchdog keeps checking/)
    t.notMatch(alertsYet.body, /matches these filters/)

    const pluginsNone = await get('/plugins?q=no-such-plugin-xyz')
    t.match(emptyText(pluginsNone.body), /No plugin matches “no-such-plugin-xyz”\. Try part of its name, or clear the filter\./)
    t.notMatch(pluginsNone.body, /dokku reported none/)

    const databases = await get('/databases')
    t.equal(databases.statusCode, 200)
    for (const m of databases.body.matchAll(/No (\w+) services yet\.([^<]*)/g)) t.match(m[2], /Create one with the form below/, `${m[1]}: what to do next`)
  })

  await t.test('with several hosts, entries carry their host; a host that fails adds no apps', async (t) => {
    const real = app.hosts.default
    const down = { name: 'down', cache: { get: () => Promise.reject(new Error('unreachable')) } } as unknown as Host
    const list = await entries([real, down], true)
    t.ok(list.some((e) => e.label === 'Server on down' && e.url === '/hosts/down/server'))
    t.ok(list.some((e) => e.label === 'History' && e.url === '/history'), 'global pages once')
    t.match(list.find((e) => e.label === 'node-js-app'), { url: `/hosts/${real.name}/apps/node-js-app`, hint: real.name })
    t.notOk(list.some((e) => e.hint === 'down' && e.kind === 'app'))
  })
})
