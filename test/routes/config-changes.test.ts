import t from 'tap'
import { MAX_VALUE_BYTES } from '../../src/dokku/commands/config.js'
import { APP, SECRET, client, rowKeys, toast } from '../helpers/config-client.js'
import { jobId } from '../helpers/history.js'

t.test('add a variable: a job that restarts, then the list shows it', async (t) => {
  const c = await client(t)
  const res = await c.post(`/apps/${APP}/config`, { form: 'add', key: 'API_TOKEN', value: SECRET })
  t.equal(res.statusCode, 202)
  t.equal(res.headers['hx-retarget'], '#job-area')
  t.equal(res.headers['hx-reswap'], 'innerHTML')
  t.equal(res.headers['hx-trigger-after-settle'], 'config-saved, config-add-saved', 'the add form empties itself')
  t.equal(toast(res)?.message, 'Set API_TOKEN on node-js-app started.')
  const id = jobId(res)
  await c.app.jobs.drain()

  const job = c.app.jobs.get(id)!
  t.equal(job.status, 'success')
  t.match(job.output, /Restarting app node-js-app/)
  t.equal(job.command, 'dokku --quiet config:set --encoded node-js-app API_TOKEN=<redacted>')
  t.equal((await c.env()).API_TOKEN, SECRET)
  t.ok(rowKeys((await c.get(`/apps/${APP}/config/vars`, true)).body).includes('API_TOKEN'))

  const blank = await c.get(`/apps/${APP}/config/add`, true)
  t.match(blank.body, /^\s*<form id="config-add"/)
  t.match(blank.body, /name="key" value=""/)
  t.equal((await c.get(`/apps/${APP}/config/add`)).statusCode, 303)

  // Without script: the job's own page.
  const plain = await c.post(`/apps/${APP}/config`, { form: 'add', key: 'OTHER', value: 'x' }, false)
  t.equal(plain.statusCode, 303)
  t.match(plain.headers.location, /^\/jobs\/\d+$/)
  await c.app.jobs.drain()
})

t.test('any value reaches dokku byte for byte', async (t) => {
  const c = await client(t)
  const values: Record<string, string> = {
    SPACES: '  leading and trailing  ',
    QUOTES: `it's "quoted" \\ back\\slash`,
    SHELL: '$(rm -rf /) `id` ${HOME} $HOME; echo pwned && true | cat > /tmp/x',
    LINES: 'first\nsecond\n\nfourth\n',
    UNICODE: 'héllo ✓ 日本 🚀',
    DASH: '--no-restart',
    EQUALS: 'a=b=c',
    EMPTY: '',
    HTML: '<script>alert("x")</script>&amp;'
  }
  for (const [key, value] of Object.entries(values)) {
    const res = await c.post(`/apps/${APP}/config`, { form: 'add', key, value, no_restart: '1' }, false)
    t.equal(res.statusCode, 303, key)
  }
  const env = await c.env()
  for (const [key, value] of Object.entries(values)) t.equal(env[key], value, key)

  const revealed = await c.get(`/apps/${APP}/config/reveal?key=HTML`, true)
  t.ok(revealed.body.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;amp;'), 'escaped on screen')
  t.notOk(revealed.body.includes('<script>'))
  const empty = await c.get(`/apps/${APP}/config/reveal?key=EMPTY`, true)
  t.match(empty.body, /\(empty\)/)
})

t.test('a textarea\'s CRLF line breaks arrive as plain newlines', async (t) => {
  const c = await client(t)
  await c.post(`/apps/${APP}/config`, { form: 'add', key: 'PEM', value: 'a\r\nb\r\n', no_restart: '1' })
  t.equal((await c.env()).PEM, 'a\nb\n')
})

t.test('without restart: runs at once, answers with the list and a toast', async (t) => {
  const c = await client(t)
  const res = await c.post(`/apps/${APP}/config`, { form: 'add', key: 'FEATURE_X', value: 'on', no_restart: '1' })
  t.equal(res.statusCode, 200)
  t.equal(res.headers['hx-retarget'], '#config-vars')
  t.equal(res.headers['hx-reswap'], 'outerHTML')
  t.equal(res.headers['hx-trigger-after-settle'], 'config-saved, config-add-saved')
  t.match(res.body, /^<div id="config-vars"/)
  t.ok(rowKeys(res.body).includes('FEATURE_X'))
  t.same(toast(res), { level: 'success', message: 'Set FEATURE_X on node-js-app without restarting: it applies at the next restart or deploy.' })
  const row = c.app.history.get(c.app.history.list({ limit: 10 }).find((r) => r.command.includes('config:set'))!.id)!
  t.equal(row.command, 'dokku --quiet config:set --encoded --no-restart node-js-app FEATURE_X=<redacted>')
  t.equal(row.kind, 'action')
  t.notMatch(row.stdout + row.stderr, /Restarting/)
  t.equal(c.app.hosts.default.runningJob(APP), undefined, 'no job')

  const plain = await c.post(`/apps/${APP}/config`, { form: 'add', key: 'FEATURE_Y', value: 'on', no_restart: 'on' }, false)
  t.equal(plain.statusCode, 303)
  t.equal(plain.headers.location, `/apps/${APP}/config`)
  t.equal((await c.env()).FEATURE_Y, 'on')
})

t.test('invalid names are refused with a message; the form keeps what was typed', async (t) => {
  const c = await client(t)
  const before = c.commands().length
  const cases: Array<[string, RegExp]> = [
    ["foo-bar", /may only contain letters, digits and &quot;_&quot;/],
    ['1ABC', /must start with a letter/],
    ['A;rm -rf /', /may only contain/],
    ['$(id)', /must start with a letter/],
    ["-x", /must not start with &quot;-&quot;/],
    ['', /Variable name is required/],
    ['A\nB', /control characters|line breaks/],
    ['../etc', /must start with a letter/]
  ]
  for (const [key, message] of cases) {
    const res = await c.post(`/apps/${APP}/config`, { form: 'add', key, value: SECRET })
    t.equal(res.statusCode, 422, JSON.stringify(key))
    t.match(res.body, message)
    t.match(res.body, /^\s*<form id="config-add"/)
    t.ok(res.body.includes('s3cr3t-VALUE-&lt;script&gt;</textarea>'), 'the value is kept, escaped')
    t.notOk(res.body.includes(SECRET), 'never raw')
    t.equal(res.headers['hx-retarget'], undefined, 'swapped over the form')
  }
  const plain = await c.post(`/apps/${APP}/config`, { form: 'add', key: 'bad key', value: 'kept value' }, false)
  t.equal(plain.statusCode, 422)
  t.match(plain.body, /<html/)
  t.match(plain.body, /<input type="text" name="key" value="bad key"/)
  t.match(plain.body, />\nkept value<\/textarea>/)
  t.same(c.commands().slice(before).filter((cmd) => !/^dokku (version|config:export|ps:report)\b/.test(cmd)), [], 'only the page was read')
})

t.test('an oversized value is a clear 422', async (t) => {
  const c = await client(t)
  const big = 'x'.repeat(MAX_VALUE_BYTES + 1)
  const res = await c.post(`/apps/${APP}/config`, { form: 'add', key: 'BIG', value: big })
  t.equal(res.statusCode, 422)
  t.match(res.body, /The value is too large: 65 KiB, at most 64 KiB\./)
  const multibyte = await c.post(`/apps/${APP}/config`, { form: 'add', key: 'BIG', value: '✓'.repeat(MAX_VALUE_BYTES / 3 + 1) })
  t.equal(multibyte.statusCode, 422, 'counted in bytes, not characters')
  const edit = await c.post(`/apps/${APP}/config`, { form: 'edit', key: 'NODE_ENV', value: big })
  t.equal(edit.statusCode, 422)
  t.match(edit.body, /^\s*<tr id="config-var-NODE_ENV" class="config-var is-edit"/)
  t.match(edit.body, /too large/)
  t.notOk(c.commands().some((cmd) => cmd.includes('config:set')), 'nothing ran')

  const fits = await c.post(`/apps/${APP}/config`, { form: 'add', key: 'BIG', value: 'y'.repeat(MAX_VALUE_BYTES), no_restart: '1' })
  t.equal(fits.statusCode, 200)
  t.equal((await c.env()).BIG?.length, MAX_VALUE_BYTES)
})

t.test('edit: the current value in a textarea, saved exactly', async (t) => {
  const c = await client(t)
  await c.post(`/apps/${APP}/config`, { form: 'add', key: 'MULTI', value: '\nstarts with a newline\n<b>', no_restart: '1' })
  const form = await c.get(`/apps/${APP}/config/edit?key=MULTI`, true)
  t.equal(form.statusCode, 200)
  t.equal(form.headers['cache-control'], 'no-store')
  t.match(form.body, /class="config-var is-edit"/)
  // The HTML parser drops one newline after <textarea>: the template always writes one.
  t.ok(form.body.includes('>\n\nstarts with a newline\n&lt;b&gt;</textarea>'))
  t.match(form.body, /<input type="hidden" name="form" value="edit">/)
  t.match(form.body, /name="no_restart"/)
  t.match(form.body, /hx-target="closest tr"/)

  const res = await c.post(`/apps/${APP}/config`, { form: 'edit', key: 'MULTI', value: 'changed $(x)' })
  t.equal(res.statusCode, 202)
  t.equal(res.headers['hx-trigger-after-settle'], 'config-saved', 'the add form is left alone')
  await c.app.jobs.drain()
  t.equal((await c.env()).MULTI, 'changed $(x)')

  const page = await c.get(`/apps/${APP}/config/edit?key=NODE_ENV`)
  t.match(page.body, /<html/)
  t.ok(page.body.includes('>\nproduction</textarea>'))

  const missing = await c.get(`/apps/${APP}/config/edit?key=NOPE`, true)
  t.equal(missing.statusCode, 404)
  const tampered = await c.post(`/apps/${APP}/config`, { form: 'edit', key: 'a-b', value: 'x' })
  t.equal(tampered.statusCode, 400, 'the edit form\'s key is not typed: a bad one is refused outright')
})

t.test('remove: asks first, then unsets (with or without restart)', async (t) => {
  const c = await client(t)
  const before = c.commands().length
  const ask = await c.get(`/apps/${APP}/config/unset?key=LOG_LEVEL`, true)
  t.equal(ask.statusCode, 200)
  t.match(ask.body, /Remove <strong>LOG_LEVEL<\/strong> from node-js-app\?/)
  t.match(ask.body, /action="\/apps\/node-js-app\/config\/unset"/)
  t.match(ask.body, /name="no_restart"/)
  t.equal(c.commands().length, before, 'asking runs nothing')
  const askPage = await c.get(`/apps/${APP}/config/unset?key=LOG_LEVEL`)
  t.match(askPage.body, /<html/)
  t.match(askPage.body, /Remove <strong>LOG_LEVEL/)

  const direct = await c.post(`/apps/${APP}/config/unset`, { key: 'LOG_LEVEL', no_restart: '1' })
  t.equal(direct.statusCode, 200)
  t.notOk(rowKeys(direct.body).includes('LOG_LEVEL'))
  t.equal(toast(direct)?.message, 'Remove LOG_LEVEL from node-js-app without restarting: it applies at the next restart or deploy.')
  t.equal(c.commands().at(-2), 'dokku config:unset --no-restart node-js-app LOG_LEVEL')

  const job = await c.post(`/apps/${APP}/config/unset`, { key: 'NODE_ENV' })
  t.equal(job.statusCode, 202)
  const id = jobId(job)
  await c.app.jobs.drain()
  t.equal(c.app.jobs.get(id)?.status, 'success')
  t.equal(c.app.jobs.get(id)?.command, 'dokku config:unset node-js-app NODE_ENV')
  t.notOk('NODE_ENV' in (await c.env()))

  const bad = await c.post(`/apps/${APP}/config/unset`, { key: '-rf' })
  t.equal(bad.statusCode, 400)
  t.match(toast(bad)?.message, /must not start with "-"/)
  const none = await c.post(`/apps/${APP}/config/unset`, {})
  t.equal(none.statusCode, 400)
})

t.test('a second change while a job runs on the app is refused (409), the running panel kept', async (t) => {
  const c = await client(t)
  let release!: () => void
  const running = c.app.hosts.default.startJob({ app: APP, label: 'Restart node-js-app', run: () => new Promise<void>((resolve) => { release = resolve }) })
  const res = await c.post(`/apps/${APP}/config`, { form: 'add', key: 'A', value: SECRET })
  t.equal(res.statusCode, 409)
  t.match(res.body, new RegExp(`Restart node-js-app is still running on node-js-app \\(job #${running.id}\\)`))
  t.equal(res.headers['hx-retarget'], '#job-area')
  t.equal(res.headers['hx-reswap'], 'afterbegin', 'above the running job, not over it')
  t.equal(res.headers['hx-trigger-after-settle'], undefined, 'the form is not emptied')
  t.notOk(res.body.includes('s3cr3t'), 'the answer holds no value')
  release()
  await c.app.jobs.drain()
  t.notOk(c.commands().some((cmd) => cmd.includes('config:set')))
})

