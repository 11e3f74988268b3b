import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { join } from 'node:path'
import { DokkuError } from '../../src/dokku/errors.js'
import { InProcessSimulatorTransport } from '../../src/dokku/simulator/in-process.js'
import { LocalTransport } from '../../src/dokku/transport.js'
import { build, login } from '../helpers/build.js'
import { editSimState, readSimState } from '../helpers/simulator-state.js'

/** The service's real password, from the simulator's state. */
async function password (dataDir: string, plugin: string, service: string): Promise<string> {
  return (await readSimState(dataDir)).services[plugin]![service]!.password
}

function form (fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString()
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/** Holds a job lock until released, as a long dokku command would. */
function hold (app: FastifyInstance, key: string): () => Promise<void> {
  const job = app.hosts.default.startJob({ app: key, label: 'Busy', run: (ctx) => new Promise((resolve) => ctx.signal.addEventListener('abort', resolve)) })
  return async () => { await app.jobs.cancel(job.id); await app.jobs.drain() }
}

t.test('the databases page lists every datastore plugin and its services', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ url: '/databases', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.match(res.body, /<html/)
  t.match(res.body, /<h1>Databases<\/h1>/)
  const group = (plugin: string) => {
    const m = res.body.match(new RegExp(`<section class="card db-group" id="db-group-${plugin}">([\\s\\S]*?)</section>`))
    return m?.[1] ?? ''
  }
  let pg = group('postgres')
  t.match(pg, /PostgreSQL/)
  t.match(pg, /3 services/)
  t.match(pg, /href="\/databases\/postgres\/lollipop"><strong>lollipop<\/strong>/)
  // Cold, each row loads its own facts (one <db>:info each) once shown.
  t.match(pg, /<tr class="db-row db-lazy" id="db-row-postgres-lollipop" hx-get="\/databases\/postgres\/lollipop\/summary" hx-trigger="intersect once" hx-swap="outerHTML">/)
  const lazyRow = await app.inject({ url: '/databases/postgres/lollipop/summary', headers: { cookie, 'hx-request': 'true' } })
  t.equal(lazyRow.statusCode, 200)
  t.match(lazyRow.body, /^\s*<tr class="db-row" id="db-row-postgres-lollipop">[\s\S]*?badge running">running<[\s\S]*?postgres:17\.6[\s\S]*?href="\/apps\/node-js-app">node-js-app</)
  for (const [plugin, service] of [['postgres', 'reporting'], ['postgres', 'ruby-db'], ['redis', 'cache'], ['mysql', 'python-db']]) {
    await app.inject({ url: `/databases/${plugin}/${service}/summary`, headers: { cookie, 'hx-request': 'true' } })
  }
  // Once read, the facts are on the list itself (within the cache's lifetime).
  const warm = await app.inject({ url: '/databases', headers: { cookie } })
  const warmGroup = (plugin: string) => warm.body.match(new RegExp(`<section class="card db-group" id="db-group-${plugin}">([\\s\\S]*?)</section>`))?.[1] ?? ''
  pg = warmGroup('postgres')
  t.match(pg, /lollipop[\s\S]*?badge running">running<[\s\S]*?postgres:17\.6[\s\S]*?href="\/apps\/node-js-app">node-js-app</)
  t.match(pg, /reporting[\s\S]*?badge stopped">exited<[\s\S]*?<span class="muted">none<\/span>/, 'an unlinked, stopped service')
  t.notMatch(pg, /db-lazy/)
  t.match(warmGroup('redis'), /cache[\s\S]*?href="\/apps\/go-worker">go-worker<\/a>, <a href="\/apps\/node-js-app">/)
  t.match(warmGroup('mysql'), /python-db/)
  for (const missing of ['mariadb', 'mongo']) {
    const g = group(missing)
    t.match(g, /badge not-installed">not installed</, `${missing} is shown as not installed`)
    t.match(g, new RegExp(`sudo dokku plugin:install https://github.com/dokku/dokku-${missing}.git`))
  }
  t.match(res.body, /<form id="db-create"[^>]*method="post" action="\/databases"/)
  t.match(res.body, /<option value="postgres">PostgreSQL<\/option>/)
  t.notMatch(res.body, /<option value="mongo">/, 'only installed plugins can be chosen')
  t.notMatch(res.body, /postgres:\/\/|redis:\/\//, 'no connection URL on the list')

  const frag = await app.inject({ url: '/databases', headers: { cookie, 'hx-request': 'true' } })
  t.equal(frag.statusCode, 200)
  t.notMatch(frag.body, /<html/)
  t.match(frag.body, /id="db-services"[^>]*hx-trigger="job-done from:body"/, 'the list refreshes itself when a job ends')
})

t.test('creating a service runs a job locked on the service', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)

  const res = await app.inject({ method: 'POST', url: '/databases', headers: { cookie, ...FORM }, payload: form({ plugin: 'postgres', service: 'new_db-1' }) })
  t.equal(res.statusCode, 303, 'without JavaScript: off to the job page')
  const id = Number(res.headers.location?.replace('/jobs/', ''))
  t.ok(id > 0)
  t.equal(app.jobs.get(id)?.app, 'db:postgres:new_db-1', 'the job lock is db:<plugin>:<service>')
  t.equal(app.jobs.get(id)?.label, 'Create postgres service new_db-1')
  await app.jobs.drain()
  const job = app.jobs.get(id)!
  t.equal(job.status, 'success')
  t.match(job.output, /Postgres container created: new_db-1/)
  t.notMatch(job.output, /postgres:\/\/postgres:[0-9a-f]{32}@/, 'the live output never shows the password')
  t.notMatch(app.history.get(id)!.stdout, /postgres:\/\/postgres:[0-9a-f]{32}@/, 'nor does history')

  const list = await app.inject({ url: '/databases', headers: { cookie } })
  t.match(list.body, /href="\/databases\/postgres\/new_db-1"/, 'the new service is listed (the job dropped the cached list)')

  const htmx = await app.inject({
    method: 'POST', url: '/databases', headers: { cookie, ...FORM, 'hx-request': 'true' }, payload: form({ plugin: 'redis', service: 'sessions' })
  })
  t.equal(htmx.statusCode, 202)
  t.match(htmx.body, /class="job card"/)
  t.notMatch(htmx.body, /<html/)
  t.match(String(htmx.headers['hx-trigger']), /Create redis service sessions started/)
  await app.jobs.drain()
})

t.test('create refuses bad input with the form and its message; no create runs', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  await app.inject({ url: '/databases', headers: { cookie } })
  const before = app.history.list({ limit: 500 }).length

  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ plugin: 'postgres', service: 'x;reboot' }, /Service name may only contain letters, digits, &quot;_&quot; and &quot;-&quot;/],
    [{ plugin: 'postgres', service: '$(reboot)' }, /Service name may only contain/],
    [{ plugin: 'postgres', service: '-rf' }, /Service name must not start with &quot;-&quot;/],
    [{ plugin: 'postgres', service: '../etc' }, /Service name may only contain/],
    [{ plugin: 'postgres', service: 'a\nb' }, /must not contain control characters/],
    [{ plugin: 'postgres', service: 'x'.repeat(101) }, /Service name is too long/],
    [{ plugin: 'postgres', service: '' }, /Service name is required/],
    [{ plugin: 'oracle', service: 'ok' }, /Database type must be one of postgres, redis, mysql, mariadb, mongo/],
    [{ plugin: 'mongo', service: 'ok' }, /The mongo plugin is not installed\. Install it on the server with: sudo dokku plugin:install https:\/\/github.com\/dokku\/dokku-mongo.git/],
    [{ plugin: 'postgres', service: 'lollipop' }, /A PostgreSQL service named lollipop already exists/]
  ]
  for (const [fields, message] of cases) {
    const res = await app.inject({ method: 'POST', url: '/databases', headers: { cookie, ...FORM }, payload: form(fields) })
    t.equal(res.statusCode, 422, `refused: ${JSON.stringify(fields)}`)
    t.match(res.body, /<html/, 'without JavaScript: the whole page with the form')
    t.match(res.body, message)
    t.match(res.body, /class="field-error"/)
  }
  t.equal(app.history.list({ limit: 500 }).filter((r) => /:create/.test(r.command)).length, 0, 'no create ran')

  const htmx = await app.inject({
    method: 'POST', url: '/databases', headers: { cookie, ...FORM, 'hx-request': 'true' }, payload: form({ plugin: 'postgres', service: '<script>' })
  })
  t.equal(htmx.statusCode, 422)
  t.equal(htmx.headers['hx-retarget'], '#db-create', 'htmx puts the form back where it was')
  t.equal(htmx.headers['hx-reswap'], 'outerHTML')
  t.notMatch(htmx.body, /<html/)
  t.match(htmx.body, /^\s*<form id="db-create"/)
  t.match(htmx.body, /value="&lt;script&gt;"/, 'the typed value comes back escaped')
  t.notMatch(htmx.body, /<script>/)
  t.ok(app.history.list({ limit: 500 }).length >= before)
  t.equal(app.jobs.runningFor(app.hosts.default.name, 'db:postgres:<script>'), undefined)
})

t.test('a second job on the same service is refused with 409', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const release = hold(app, 'db:postgres:reporting')
  const res = await app.inject({
    method: 'POST', url: '/databases/postgres/reporting/destroy', headers: { cookie, ...FORM, 'hx-request': 'true' }, payload: form({ confirm: 'reporting' })
  })
  t.equal(res.statusCode, 409)
  t.match(res.body, /Busy is still running on db:postgres:reporting/)
  await release()
  t.notOk(app.history.list({ limit: 500 }).some((r) => /:destroy/.test(r.command)), 'nothing was destroyed')
})

t.test('the service page: facts, masked DSN, linked apps, forms', async (t) => {
  const { app, dataDir } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ url: '/databases/postgres/lollipop', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.match(res.body, /<html/)
  t.match(res.body, /<h1>lollipop<\/h1>/)
  t.match(res.body, /<dt>Status<\/dt><dd><span class="badge running">running<\/span>/)
  t.match(res.body, /<dt>Version<\/dt><dd>postgres:17\.6<\/dd>/)
  t.match(res.body, /<dt>Internal IP<\/dt><dd>172\.\d+\.\d+\.\d+<\/dd>/)
  t.match(res.body, /<dt>Exposed ports<\/dt><dd><span class="muted">not exposed<\/span>/)
  t.match(res.body, /<dt>Data dir<\/dt><dd><code>\/var\/lib\/dokku\/services\/postgres\/lollipop\/data<\/code>/)
  t.match(res.body, /postgres:\/\/postgres:••••@dokku-postgres-lollipop:5432\/lollipop/, 'the DSN is masked')
  const pw = await password(dataDir, 'postgres', 'lollipop')
  t.notMatch(res.body, new RegExp(pw), 'the password is not on the page')
  t.match(res.body, /href="\/databases\/postgres\/lollipop\/dsn"[^>]*>Reveal</)
  t.match(res.body, /href="\/apps\/node-js-app">node-js-app<\/a>[\s\S]*?action="\/databases\/postgres\/lollipop\/unlink"[\s\S]*?name="app" value="node-js-app"/)
  t.match(res.body, /<form id="db-link"[^>]*action="\/databases\/postgres\/lollipop\/link"/)
  const select = res.body.match(/<select id="db-link-app"[\s\S]*?<\/select>/)?.[0] ?? ''
  t.match(select, /<option value="python-app">/)
  t.notMatch(select, /node-js-app/, 'an app already linked is not offered')
  t.match(res.body, /<form id="db-destroy"[\s\S]*?unlink them first[\s\S]*?Type <code>lollipop<\/code> to confirm/)
  t.notOk(app.history.list({ limit: 500 }).map((r) => app.history.get(r.id)!).some((r) => r.stdout.includes(pw) || r.stderr.includes(pw)), 'history never holds the password')

  const frag = await app.inject({ url: '/databases/postgres/lollipop', headers: { cookie, 'hx-request': 'true' } })
  t.notMatch(frag.body, /<html/)
  t.match(frag.body, /id="db-service"/)

  const redis = await app.inject({ url: '/databases/redis/cache', headers: { cookie } })
  t.match(redis.body, /redis:\/\/:••••@dokku-redis-cache:6379/)
  t.match(redis.body, /go-worker[\s\S]*node-js-app/)
})

t.test('the DSN is revealed on request, never cached', async (t) => {
  const { app, dataDir } = await build(t)
  const cookie = await login(app)
  const pw = await (async () => { await app.inject({ url: '/databases', headers: { cookie } }); return password(dataDir, 'postgres', 'lollipop') })()

  const frag = await app.inject({ url: '/databases/postgres/lollipop/dsn', headers: { cookie, 'hx-request': 'true' } })
  t.equal(frag.statusCode, 200)
  t.equal(frag.headers['cache-control'], 'no-store')
  t.notMatch(frag.body, /<html/)
  t.match(frag.body, /^\s*<span class="dsn" id="db-dsn">/)
  t.match(frag.body, `postgres://postgres:${pw}@dokku-postgres-lollipop:5432/lollipop`)
  t.match(frag.body, />Hide</)

  const hidden = await app.inject({ url: '/databases/postgres/lollipop/dsn?hide=1', headers: { cookie, 'hx-request': 'true' } })
  t.equal(hidden.headers['cache-control'], 'no-store')
  t.notMatch(hidden.body, new RegExp(pw))
  t.match(hidden.body, /••••/)

  const page = await app.inject({ url: '/databases/postgres/lollipop/dsn', headers: { cookie } })
  t.equal(page.statusCode, 200, 'without JavaScript: the page with the DSN shown')
  t.match(page.body, /<html/)
  t.equal(page.headers['cache-control'], 'no-store')
  t.match(page.body, pw)

  t.notOk(app.history.list({ limit: 500 }).map((r) => app.history.get(r.id)!).some((r) => r.stdout.includes(pw)), 'revealing stores nothing')
})

t.test('not installed, missing service and hostile names', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)

  const mongo = await app.inject({ url: '/databases/mongo/anything', headers: { cookie } })
  t.equal(mongo.statusCode, 404)
  t.match(mongo.body, /The <code>mongo<\/code> plugin is not installed/)
  t.match(mongo.body, /sudo dokku plugin:install https:\/\/github.com\/dokku\/dokku-mongo.git/)

  for (const action of ['link', 'destroy']) {
    const res = await app.inject({
      method: 'POST', url: `/databases/mongo/anything/${action}`, headers: { cookie, ...FORM, 'hx-request': 'true' }, payload: form({ app: '$(x)', confirm: 'no' })
    })
    t.equal(res.statusCode, 404, `${action} on a plugin that is not installed`)
    t.match(res.body, /plugin is not installed/)
  }

  const missing = await app.inject({ url: '/databases/postgres/nope', headers: { cookie } })
  t.equal(missing.statusCode, 404)
  t.match(missing.body, /Postgres service nope does not exist/)
  const missingFrag = await app.inject({ url: '/databases/postgres/nope', headers: { cookie, 'hx-request': 'true' } })
  t.equal(missingFrag.statusCode, 404)
  t.notMatch(missingFrag.body, /<html/)

  const before = app.history.list({ limit: 500 }).length
  const hostile: Array<[string, RegExp]> = [
    ['/databases/postgres/%24(reboot)', /Service name may only contain/],
    ['/databases/postgres/x%3Brm%20-rf', /Service name may only contain/],
    ['/databases/postgres/-rf', /Service name must not start with &quot;-&quot;/],
    ['/databases/postgres/..%2F..%2Fetc', /Service name may only contain/],
    ['/databases/postgres/a%0Ab', /control characters/],
    ['/databases/oracle/x', /Database type must be one of/],
    ['/databases/%3Cscript%3E/x', /Database type must be one of/],
    ['/databases/postgres/%24(reboot)/dsn', /Service name may only contain/]
  ]
  for (const [url, message] of hostile) {
    const res = await app.inject({ url, headers: { cookie } })
    t.equal(res.statusCode, 400, url)
    t.match(res.body, message)
    t.notMatch(res.body, /<script>/)
  }
  const posts = ['/databases/postgres/%24(x)/link', '/databases/postgres/%24(x)/unlink', '/databases/postgres/%24(x)/destroy']
  for (const url of posts) {
    const res = await app.inject({ method: 'POST', url, headers: { cookie, ...FORM }, payload: form({ app: 'python-app', confirm: '$(x)' }) })
    t.equal(res.statusCode, 400, url)
  }
  t.equal(app.history.list({ limit: 500 }).length, before, 'nothing ran for any of them')
})

t.test('link: a job locked on the app; bad input and conflicts refused', async (t) => {
  const { app, dataDir } = await build(t)
  const cookie = await login(app)

  const res = await app.inject({
    method: 'POST', url: '/databases/postgres/reporting/link', headers: { cookie, ...FORM }, payload: form({ app: 'python-app' })
  })
  t.equal(res.statusCode, 303)
  const id = Number(res.headers.location?.replace('/jobs/', ''))
  t.equal(app.jobs.get(id)?.app, 'python-app', 'locked on the app it restarts')
  await app.jobs.drain()
  const job = app.jobs.get(id)!
  t.equal(job.status, 'success')
  t.equal(app.history.get(id)!.command, 'dokku postgres:link reporting python-app')
  const pw = await password(dataDir, 'postgres', 'reporting')
  t.notMatch(job.output, new RegExp(pw), 'the DSN in the output is redacted')
  t.notMatch(app.history.get(id)!.stdout, new RegExp(pw))

  const page = await app.inject({ url: '/databases/postgres/reporting', headers: { cookie } })
  t.match(page.body, /href="\/apps\/python-app">python-app<\/a>[\s\S]*?unlink/, 'now linked')

  const again = await app.inject({
    method: 'POST', url: '/databases/postgres/reporting/link', headers: { cookie, ...FORM, 'hx-request': 'true' }, payload: form({ app: 'python-app' })
  })
  t.equal(again.statusCode, 422)
  t.equal(again.headers['hx-retarget'], '#db-link')
  t.match(again.body, /reporting is already linked to python-app/)

  const noRestart = await app.inject({
    method: 'POST', url: '/databases/postgres/reporting/link', headers: { cookie, ...FORM, 'hx-request': 'true' }, payload: form({ app: 'go-worker', alias: 'REPORTS', no_restart: '1' })
  })
  t.equal(noRestart.statusCode, 202)
  await app.jobs.drain()
  const latest = app.history.list({ limit: 1 })[0]!
  t.equal(latest.command, 'dokku postgres:link reporting go-worker --alias REPORTS --no-restart')
  t.equal(latest.status, 'success')

  for (const [fields, message] of [
    [{ app: '$(reboot)' }, /App name must start with a lowercase letter or digit/],
    [{ app: '-rf' }, /App name must not start with &quot;-&quot;/],
    [{ app: '' }, /App name is required/],
    [{ app: 'ruby-app', alias: 'BAD ALIAS' }, /Alias must start with a letter/]
  ] as Array<[Record<string, string>, RegExp]>) {
    const bad = await app.inject({ method: 'POST', url: '/databases/postgres/reporting/link', headers: { cookie, ...FORM }, payload: form(fields) })
    t.equal(bad.statusCode, 422, JSON.stringify(fields))
    t.match(bad.body, /<html/)
    t.match(bad.body, message)
  }

  const ghost = await app.inject({ method: 'POST', url: '/databases/postgres/reporting/link', headers: { cookie, ...FORM }, payload: form({ app: 'ghost' }) })
  t.equal(ghost.statusCode, 303)
  const ghostId = Number(ghost.headers.location?.replace('/jobs/', ''))
  await app.jobs.drain()
  t.equal(app.jobs.get(ghostId)?.status, 'failed')
  const jobPage = await app.inject({ url: `/jobs/${ghostId}`, headers: { cookie } })
  t.match(jobPage.body, /App ghost does not exist/, "dokku's own words")

  const release = hold(app, 'ruby-app')
  const busy = await app.inject({
    method: 'POST', url: '/databases/postgres/reporting/link', headers: { cookie, ...FORM, 'hx-request': 'true' }, payload: form({ app: 'ruby-app' })
  })
  t.equal(busy.statusCode, 409)
  t.match(busy.body, /still running on ruby-app/)
  await release()
})

t.test('unlink: a job on the app', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({
    method: 'POST', url: '/databases/redis/cache/unlink', headers: { cookie, ...FORM, 'hx-request': 'true' }, payload: form({ app: 'go-worker' })
  })
  t.equal(res.statusCode, 202)
  t.match(res.body, /Unlink redis service cache from go-worker/)
  await app.jobs.drain()
  const row = app.history.list({ limit: 1 })[0]!
  t.equal(row.command, 'dokku redis:unlink cache go-worker')
  t.equal(row.status, 'success')
  const page = await app.inject({ url: '/databases/redis/cache', headers: { cookie } })
  t.notMatch(page.body, /href="\/apps\/go-worker"/)
  t.match(page.body, /href="\/apps\/node-js-app"/)

  const notLinked = await app.inject({ method: 'POST', url: '/databases/redis/cache/unlink', headers: { cookie, ...FORM }, payload: form({ app: 'go-worker' }) })
  t.equal(notLinked.statusCode, 303)
  await app.jobs.drain()
  const failed = app.history.get(app.history.list({ limit: 1 })[0]!.id)!
  t.equal(failed.status, 'failed')
  t.match(failed.error ?? failed.stderr, /Not linked to app go-worker/)

  const hostile = await app.inject({ method: 'POST', url: '/databases/redis/cache/unlink', headers: { cookie, ...FORM }, payload: form({ app: 'x;reboot' }) })
  t.equal(hostile.statusCode, 400)
  t.match(hostile.body, /App name must start with a lowercase letter or digit/)
})

t.test('destroy: only with the typed name; --force only then', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  for (const confirm of ['', 'report', 'REPORTING', 'lollipop']) {
    const res = await app.inject({ method: 'POST', url: '/databases/postgres/reporting/destroy', headers: { cookie, ...FORM }, payload: form({ confirm }) })
    t.equal(res.statusCode, 422, `confirm "${confirm}"`)
    t.match(res.body, /Type &quot;reporting&quot; to confirm/)
    t.match(res.body, /<html/)
  }
  const htmx = await app.inject({
    method: 'POST', url: '/databases/postgres/reporting/destroy', headers: { cookie, ...FORM, 'hx-request': 'true' }, payload: form({ confirm: 'nope' })
  })
  t.equal(htmx.statusCode, 422)
  t.equal(htmx.headers['hx-retarget'], '#db-destroy')
  t.match(htmx.body, /^\s*<form id="db-destroy"/)
  t.notOk(app.history.list({ limit: 500 }).some((r) => /destroy/.test(r.command)), 'nothing ran')

  const ok = await app.inject({ method: 'POST', url: '/databases/postgres/reporting/destroy', headers: { cookie, ...FORM }, payload: form({ confirm: 'reporting' }) })
  t.equal(ok.statusCode, 303)
  const id = Number(ok.headers.location?.replace('/jobs/', ''))
  t.equal(app.jobs.get(id)?.app, 'db:postgres:reporting')
  await app.jobs.drain()
  t.equal(app.jobs.get(id)?.status, 'success')
  t.equal(app.history.get(id)!.command, 'dokku --force postgres:destroy reporting')
  t.match(app.jobs.get(id)!.output, /Postgres container deleted: reporting/)

  const panel = await app.inject({ url: '/databases/postgres/reporting/info', headers: { cookie, 'hx-request': 'true' } })
  t.equal(panel.statusCode, 200, 'the refreshing panel says the service is gone (and is swapped)')
  t.match(panel.body, /The postgres service reporting no longer exists/)
  const list = await app.inject({ url: '/databases', headers: { cookie } })
  t.notMatch(list.body, /\/databases\/postgres\/reporting"/)

  const linked = await app.inject({ method: 'POST', url: '/databases/postgres/lollipop/destroy', headers: { cookie, ...FORM }, payload: form({ confirm: 'lollipop' }) })
  const linkedId = Number(linked.headers.location?.replace('/jobs/', ''))
  await app.jobs.drain()
  t.equal(app.jobs.get(linkedId)?.status, 'failed')
  t.match(app.jobs.get(linkedId)?.error, /Cannot delete linked service/, "dokku's refusal is the job's message")
})

t.test('the service panel refreshes itself', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ url: '/databases/postgres/lollipop/info', headers: { cookie, 'hx-request': 'true' } })
  t.equal(res.statusCode, 200)
  t.notMatch(res.body, /<html/)
  t.match(res.body, /^\s*<div id="db-service"[^>]*hx-trigger="job-done from:body"/)
  t.match(res.body, /postgres:17\.6/)
  const plain = await app.inject({ url: '/databases/postgres/lollipop/info', headers: { cookie } })
  t.equal(plain.statusCode, 303)
  t.equal(plain.headers.location, '/databases/postgres/lollipop')
})

t.test('dokku-sourced values are escaped', async (t) => {
  const { app, dataDir } = await build(t)
  const cookie = await login(app)
  await app.inject({ url: '/databases', headers: { cookie } })
  await editSimState(dataDir, (s) => {
    const svc = s.services.postgres!.reporting!
    svc.image = '<script>alert(1)</script>:"&'
    svc.status = '<b>odd</b>'
    svc.exposedPorts = '5432-><i>1</i> '
    svc.ip = '"><img src=x>'
  })
  app.hosts.default.cache.clear()
  const page = await app.inject({ url: '/databases/postgres/reporting', headers: { cookie } })
  t.equal(page.statusCode, 200)
  t.notMatch(page.body, /<script>alert|<b>odd|<i>1|<img src/)
  t.match(page.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;:&quot;&amp;/)
  t.match(page.body, /&lt;b&gt;odd&lt;\/b&gt;/)
  t.match(page.body, /5432-&gt;&lt;i&gt;1&lt;\/i&gt;/)
  t.match(page.body, /&quot;&gt;&lt;img src=x&gt;/)
  const list = await app.inject({ url: '/databases', headers: { cookie } })
  t.notMatch(list.body, /<script>alert|<b>odd/)
  t.match(list.body, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/)
})

t.test('dokku failures', async (t) => {
  t.test('missing binary', async (t) => {
    const { app } = await build(t, { transport: new LocalTransport('/nonexistent/dokku') })
    const cookie = await login(app)
    for (const url of ['/databases', '/databases/postgres/lollipop']) {
      const res = await app.inject({ url, headers: { cookie } })
      t.equal(res.statusCode, 503, url)
      t.match(res.body, /dokku is unavailable/)
      t.notMatch(res.body, /\bat .*\.[jt]s:\d+/, 'no stack trace')
    }
    const create = await app.inject({ method: 'POST', url: '/databases', headers: { cookie, ...FORM }, payload: form({ plugin: 'postgres', service: 'x' }) })
    t.equal(create.statusCode, 503)
  })

  t.test('one service that cannot be read does not break the list', async (t) => {
    const { app } = await build(t)
    const cookie = await login(app)
    const real = app.hosts.default.dokku.serviceInfo.bind(app.hosts.default.dokku)
    app.hosts.default.dokku.serviceInfo = async (plugin, service) => {
      if (service === 'reporting') throw new DokkuError('timeout', 'timed out after 60 s', { historyId: 3 })
      return real(plugin, service)
    }
    const res = await app.inject({ url: '/databases', headers: { cookie } })
    t.equal(res.statusCode, 200)
    const summary = (service: string) => app.inject({ url: `/databases/postgres/${service}/summary`, headers: { cookie, 'hx-request': 'true' } })
    const broken = await summary('reporting')
    t.equal(broken.statusCode, 200, 'the row still shows')
    t.match(broken.body, /reporting<\/strong>[\s\S]*?badge warn" title="timed out after 60 s">unknown</)
    t.match((await summary('lollipop')).body, /lollipop<\/strong>[\s\S]*?badge running">running</)

    const detail = await app.inject({ url: '/databases/postgres/reporting', headers: { cookie } })
    t.equal(detail.statusCode, 504)
    t.match(detail.body, /timed out after 60 s/)
  })
})

t.test('on a named host: the pages, the jobs and the redirects stay on that host', async (t) => {
  const dir = t.testdir({})
  const sim = (name: string) => new InProcessSimulatorTransport({ DOKKU_SIM_STATE: join(dir, `${name}.json`), DOKKU_SIM_STEP_MS: '0' })
  const { app } = await build(t, { env: { DOCKLIGHT_HOSTS: 'alpha=local beta=dokku@beta.example.com' }, transports: { alpha: sim('alpha'), beta: sim('beta') } })
  const cookie = await login(app)

  const list = await app.inject({ url: '/hosts/beta/databases', headers: { cookie } })
  t.equal(list.statusCode, 200)
  t.match(list.body, /href="\/hosts\/beta\/databases\/postgres\/lollipop"/)
  t.match(list.body, /<form id="db-create"[^>]*action="\/hosts\/beta\/databases"/)
  t.notMatch(list.body, /href="\/databases\/postgres\//, 'no link leaves the host')

  const created = await app.inject({ method: 'POST', url: '/hosts/beta/databases', headers: { cookie, ...FORM }, payload: form({ plugin: 'redis', service: 'only-beta' }) })
  t.equal(created.statusCode, 303)
  const id = Number(created.headers.location?.replace('/jobs/', ''))
  await app.jobs.drain()
  t.match(app.history.getRow(id), { host: 'beta', command: 'dokku redis:create only-beta', status: 'success' })
  t.match((await app.inject({ url: '/hosts/beta/databases', headers: { cookie } })).body, /href="\/hosts\/beta\/databases\/redis\/only-beta"/)
  t.notMatch((await app.inject({ url: '/databases', headers: { cookie } })).body, /only-beta/, 'the first host has no such service')

  const page = await app.inject({ url: '/hosts/beta/databases/postgres/lollipop', headers: { cookie } })
  t.match(page.body, /href="\/hosts\/beta\/apps\/node-js-app">node-js-app<\/a>[\s\S]*?action="\/hosts\/beta\/databases\/postgres\/lollipop\/unlink"/)
  t.match(page.body, /href="\/hosts\/beta\/databases\/postgres\/lollipop\/dsn"/)
  const panel = await app.inject({ url: '/hosts/beta/databases/postgres/lollipop/info', headers: { cookie } })
  t.equal(panel.statusCode, 303)
  t.equal(panel.headers.location, '/hosts/beta/databases/postgres/lollipop', 'without JavaScript: back to the page on its host')

  const refused = await app.inject({ method: 'POST', url: '/hosts/beta/databases/postgres/lollipop/destroy', headers: { cookie, ...FORM }, payload: form({ confirm: 'no' }) })
  t.equal(refused.statusCode, 422)
  t.match(refused.body, /<form id="db-destroy"[^>]*action="\/hosts\/beta\/databases\/postgres\/lollipop\/destroy"/)
})
