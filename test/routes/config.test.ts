import { join } from 'node:path'
import t from 'tap'
import { InProcessSimulatorTransport } from '../../src/dokku/simulator/in-process.js'
import { LocalTransport } from '../../src/dokku/transport.js'
import { build } from '../helpers/build.js'
import { APP, SECRET, client, rowKeys, toast } from '../helpers/config-client.js'
import { jobId } from '../helpers/history.js'

t.test('the page lists the keys sorted, with every value masked', async (t) => {
  const c = await client(t)
  const env = await c.env()
  const res = await c.get(`/apps/${APP}/config`)
  t.equal(res.statusCode, 200)
  t.match(res.body, /<html/)
  t.match(res.body, /aria-current="page">Config</)
  t.equal(res.headers['cache-control'], 'no-store')
  t.equal(res.headers.vary, 'HX-Request')
  t.same(rowKeys(res.body), Object.keys(env).sort())
  t.same(rowKeys(res.body), ['DATABASE_URL', 'GIT_REV', 'LOG_LEVEL', 'NODE_ENV', 'REDIS_URL', 'SECRET_KEY_BASE'])
  for (const [key, value] of Object.entries(env)) {
    t.notOk(res.body.includes(value), `the value of ${key} is not on the page`)
  }
  t.match(res.body, /GIT_REV<\/code> <span class="badge"[^>]*>dokku</, 'variables dokku sets are marked')
  t.match(res.body, /action="\/apps\/node-js-app\/config" hx-post=/, 'the add form works without script')
  t.match(res.body, /action="\/apps\/node-js-app\/config\/bulk"/)
  t.match(res.body, /hx-trigger="job-done from:body"/, 'the list refreshes when a job ends')

  const fragment = await c.get(`/apps/${APP}/config`, true)
  t.equal(fragment.statusCode, 200)
  t.notMatch(fragment.body, /<html/)
  t.same(rowKeys(fragment.body), rowKeys(res.body))

  const vars = await c.get(`/apps/${APP}/config/vars`, true)
  t.equal(vars.statusCode, 200)
  t.match(vars.body, /^<div id="config-vars"/)
  t.notMatch(vars.body, /<form id="config-add"/, 'the list alone')
  t.same(rowKeys(vars.body), rowKeys(res.body))
  const plain = await c.get(`/apps/${APP}/config/vars`)
  t.equal(plain.statusCode, 303)
  t.equal(plain.headers.location, `/apps/${APP}/config`)
})

t.test('keys sort as dokku sorts them, uppercase first; an app without vars says so', async (t) => {
  const c = await client(t)
  await c.post('/apps/static-site/config/bulk', { env: 'zKey=1\nbKey=1\nBKEY=1\naKey=1', no_restart: '1' })
  t.same(rowKeys((await c.get('/apps/static-site/config')).body), ['BKEY', 'aKey', 'bKey', 'zKey'])

  await c.app.hosts.default.dokku.configUnset(APP, Object.keys(await c.env()), { noRestart: true })
  const empty = await c.get(`/apps/${APP}/config`)
  t.equal(empty.statusCode, 200)
  t.match(empty.body, /No config vars are set on node-js-app yet/)
  t.same(rowKeys(empty.body), [])
})

t.test('an app that does not exist is a 404 with dokku\'s message; a bad name runs nothing', async (t) => {
  const c = await client(t)
  const res = await c.get('/apps/no-such-app/config')
  t.equal(res.statusCode, 404)
  t.match(res.body, /App no-such-app does not exist/)
  t.match(res.body, /<html/)
  const fragment = await c.get('/apps/no-such-app/config', true)
  t.equal(fragment.statusCode, 404)
  t.match(toast(fragment)?.message, /App no-such-app does not exist/)

  const before = c.commands().length
  for (const name of ['bad;name', '$(id)', '-rf', 'UPPER', '..%2F..%2Fetc']) {
    const r = await c.get(`/apps/${name}/config`)
    t.equal(r.statusCode, 400, name)
    t.match(r.body, /App name/)
  }
  const r = await c.post('/apps/bad;name/config', { form: 'add', key: 'A', value: 'x' })
  t.equal(r.statusCode, 400)
  t.equal(c.commands().length, before, 'nothing ran')
})

t.test('reveal: one value, not stored by the browser; hide puts the mask back', async (t) => {
  const c = await client(t)
  const env = await c.env()
  const res = await c.get(`/apps/${APP}/config/reveal?key=DATABASE_URL`, true)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['cache-control'], 'no-store')
  t.notMatch(res.body, /<html/)
  t.match(res.body, /^\s*<tr id="config-var-DATABASE_URL"/)
  t.ok(res.body.includes(`<pre class="config-plain">${env.DATABASE_URL}</pre>`), 'the value, exactly')
  for (const [key, value] of Object.entries(env)) {
    if (key !== 'DATABASE_URL') t.notOk(res.body.includes(value), `not the value of ${key}`)
  }
  t.match(res.body, /hx-get="\/apps\/node-js-app\/config\/hide\?key=DATABASE_URL"[^>]*>Hide</)
  t.match(res.body, /hx-trigger="config-saved from:body"/, 'a revealed row hides itself after a change')
  t.match(c.commands().at(-1), /^dokku config:get node-js-app DATABASE_URL$/)
  const row = c.app.history.get(c.app.history.list({ limit: 1 })[0]!.id)!
  t.notOk(row.stdout.includes(env.DATABASE_URL!), 'history does not keep the value')

  const hidden = await c.get(`/apps/${APP}/config/hide?key=DATABASE_URL`, true)
  t.equal(hidden.statusCode, 200)
  t.match(hidden.body, /class="masked"/)
  t.match(hidden.body, />Reveal</)
  t.notOk(hidden.body.includes(env.DATABASE_URL!))
  const hidePlain = await c.get(`/apps/${APP}/config/hide?key=DATABASE_URL`)
  t.equal(hidePlain.statusCode, 303)

  // Without script: the page, with that one row open.
  const page = await c.get(`/apps/${APP}/config/reveal?key=NODE_ENV`)
  t.equal(page.statusCode, 200)
  t.match(page.body, /<html/)
  t.match(page.body, /<pre class="config-plain">production<\/pre>/)
  t.notOk(page.body.includes(env.DATABASE_URL!))
  t.equal(page.headers['cache-control'], 'no-store')
})

t.test('reveal refuses a bad or unknown key', async (t) => {
  const c = await client(t)
  const before = c.commands().length
  for (const key of ['foo-bar', '1ABC', 'A;B', '-x', '$(id)', '', 'A\nB']) {
    const res = await c.get(`/apps/${APP}/config/reveal?key=${encodeURIComponent(key)}`, true)
    t.equal(res.statusCode, 400, JSON.stringify(key))
    t.match(toast(res)?.message, /Variable name/)
  }
  t.equal(c.commands().length, before, 'nothing ran')
  const missing = await c.get(`/apps/${APP}/config/reveal?key=NOT_THERE`, true)
  t.equal(missing.statusCode, 404)
  t.equal(toast(missing)?.message, 'NOT_THERE is not set on node-js-app.')
  const noKey = await c.get(`/apps/${APP}/config/reveal`, true)
  t.equal(noKey.statusCode, 400)
})

t.test('dokku failures: the message is dokku\'s, shown outside the form', async (t) => {
  t.test('the app vanished', async (t) => {
    const c = await client(t)
    const res = await c.post('/apps/gone-app/config', { form: 'add', key: 'A', value: SECRET, no_restart: '1' })
    t.equal(res.statusCode, 404)
    t.match(toast(res)?.message, /App gone-app does not exist/)
    t.equal(res.headers['hx-retarget'], '#job-area')
    t.notOk(res.body.includes('s3cr3t'))
    const job = await c.post('/apps/gone-app/config', { form: 'add', key: 'A', value: SECRET })
    t.equal(job.statusCode, 202)
    const id = jobId(job)
    await c.app.jobs.drain()
    t.equal(c.app.jobs.get(id)?.status, 'failed')
    t.match(c.app.jobs.get(id)?.error, /App gone-app does not exist/)
    const panel = await c.get(`/jobs/${id}`, true)
    t.match(panel.body, /App gone-app does not exist/)
    t.match(panel.body, /exit code 20/)
    const reveal = await c.get('/apps/gone-app/config/reveal?key=A', true)
    t.equal(reveal.statusCode, 404)
  })

  t.test('dokku is missing', async (t) => {
    const c = await client(t, { transport: new LocalTransport('/nonexistent/dokku') })
    const page = await c.get(`/apps/${APP}/config`)
    t.equal(page.statusCode, 503)
    t.match(page.body, /dokku is unavailable/)
    const res = await c.post(`/apps/${APP}/config`, { form: 'add', key: 'A', value: 'v', no_restart: '1' })
    t.equal(res.statusCode, 503)
    t.match(toast(res)?.message, /dokku is unavailable/)
    const plain = await c.post(`/apps/${APP}/config`, { form: 'add', key: 'A', value: SECRET, no_restart: '1' }, false)
    t.equal(plain.statusCode, 503)
    t.match(plain.body, /<html/)
    t.notOk(plain.body.includes('s3cr3t'), 'the error page holds no value')
  })

  t.test('dokku is too slow', async (t) => {
    const c = await client(t, { runner: { timeoutMs: 100, maxTimeoutMs: 100 }, simulator: { DOKKU_SIM_LATENCY_MS: '2000' } })
    const res = await c.get(`/apps/${APP}/config/reveal?key=NODE_ENV`, true)
    t.equal(res.statusCode, 504)
    t.match(toast(res)?.message, /timed out/)
  })
})

t.test('on a named host: the tab reads and changes that host only, and its links and redirects stay on it', async (t) => {
  const dir = t.testdir({})
  const sim = (name: string) => new InProcessSimulatorTransport({ DOKKU_SIM_STATE: join(dir, `${name}.json`), DOKKU_SIM_STEP_MS: '0' })
  const c = await client(t, { env: { DOCKLIGHT_HOSTS: 'alpha=local beta=dokku@beta.example.com' }, transports: { alpha: sim('alpha'), beta: sim('beta') } })
  const on = (host: string) => c.app.hosts.get(host)!.dokku
  const tab = `/hosts/beta/apps/${APP}/config`

  const page = await c.get(tab)
  t.equal(page.statusCode, 200)
  t.match(page.body, new RegExp(`action="${tab}" hx-post=`), 'the add form posts to the same host')
  t.match(page.body, new RegExp(`hx-get="${tab}/vars"`))
  t.match(page.body, new RegExp(`href="${tab}/reveal\\?key=NODE_ENV"`))

  const plain = await c.post(tab, { form: 'add', key: 'ONLY_BETA', value: SECRET, no_restart: '1' }, false)
  t.equal(plain.statusCode, 303)
  t.equal(plain.headers.location, tab, 'back to the tab on its host')
  t.equal((await on('beta').configExport(APP)).ONLY_BETA, SECRET)
  t.notOk('ONLY_BETA' in (await on('alpha').configExport(APP)), 'the other host is untouched')

  t.ok(rowKeys((await c.get(`${tab}/vars`, true)).body).includes('ONLY_BETA'), 'beta\'s list, read again after the change')
  t.notOk(rowKeys((await c.get(`/apps/${APP}/config/vars`, true)).body).includes('ONLY_BETA'), 'the default host\'s list is its own')
  t.equal((await c.get(`${tab}/vars`)).headers.location, tab)
  t.equal((await c.get(`${tab}/reveal?key=ONLY_BETA`, true)).statusCode, 200)
  t.equal((await c.get(`/apps/${APP}/config/reveal?key=ONLY_BETA`, true)).statusCode, 404)

  const job = await c.post(tab, { form: 'add', key: 'JOB_BETA', value: 'x' })
  t.equal(job.statusCode, 202)
  const id = jobId(job)
  await c.app.jobs.drain()
  t.equal(c.app.jobs.get(id)?.host, 'beta')
  t.equal(c.app.jobs.get(id)?.status, 'success')
  t.equal((await on('beta').configExport(APP)).JOB_BETA, 'x')
  t.notOk('JOB_BETA' in (await on('alpha').configExport(APP)))
})

t.test('without a session: htmx is sent to the login page, a browser redirected', async (t) => {
  const { app } = await build(t)
  const htmx = await app.inject({ url: `/apps/${APP}/config/reveal?key=NODE_ENV`, headers: { 'hx-request': 'true' } })
  t.equal(htmx.statusCode, 401)
  t.match(htmx.headers['hx-redirect'], /^\/login/)
  const post = await app.inject({ method: 'POST', url: `/apps/${APP}/config`, payload: { key: 'A', value: 'b' } })
  t.equal(post.statusCode, 303)
  t.match(post.headers.location, /^\/login/)
})
