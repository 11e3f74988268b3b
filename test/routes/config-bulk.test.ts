import type { LightMyRequestResponse } from 'fastify'
import t from 'tap'
import { APP, SECRET, client, rowKeys, toast } from '../helpers/config-client.js'
import { jobId } from '../helpers/history.js'

t.test('paste a .env block: every variable in one config:set, one restart', async (t) => {
  const c = await client(t)
  const block = [
    '# pasted from .env',
    'export DB_HOST=db.internal',
    'GREETING="hello\\nworld"',
    `RAW='it'\\''s $(raw)'`,
    '',
    'PORT=5000 # web port',
    `TOKEN=${SECRET}`
  ].join('\r\n')
  const res = await c.post(`/apps/${APP}/config/bulk`, { env: block })
  t.equal(res.statusCode, 202)
  t.equal(res.headers['hx-trigger-after-settle'], 'config-saved, config-bulk-saved')
  t.equal(toast(res)?.message, 'Set 5 variables on node-js-app started.')
  const id = jobId(res)
  await c.app.jobs.drain()
  const job = c.app.jobs.get(id)!
  t.equal(job.status, 'success')
  t.equal((job.output.match(/Restarting app/g) ?? []).length, 1, 'one restart')
  t.equal(job.command, 'dokku --quiet config:set --encoded node-js-app DB_HOST=<redacted> GREETING=<redacted> RAW=<redacted> PORT=<redacted> TOKEN=<redacted>')
  t.equal(c.commands().filter((cmd) => cmd.includes('config:set')).length, 1)
  const env = await c.env()
  t.same({ DB_HOST: env.DB_HOST, GREETING: env.GREETING, RAW: env.RAW, PORT: env.PORT, TOKEN: env.TOKEN },
    { DB_HOST: 'db.internal', GREETING: 'hello\nworld', RAW: 'it\'s $(raw)', PORT: '5000', TOKEN: SECRET })

  const two = await c.post(`/apps/${APP}/config/bulk`, { env: 'A=1\nB=2', no_restart: '1' })
  t.equal(two.statusCode, 200)
  t.equal(toast(two)?.message, 'Set A and B on node-js-app without restarting: it applies at the next restart or deploy.')
  t.same(rowKeys(two.body).filter((k) => k === 'A' || k === 'B'), ['A', 'B'])

  const blank = await c.get(`/apps/${APP}/config/bulk`, true)
  t.match(blank.body, /^\s*<form id="config-bulk"/)
  t.match(blank.body, />\n<\/textarea>/)
})

t.test('a block with bad lines sets nothing and names the lines', async (t) => {
  const c = await client(t)
  const block = ['GOOD=1', 'not a pair', 'bad-key=2', `LEAK=${SECRET}`, 'OPEN="never closed'].join('\n')
  const res = await c.post(`/apps/${APP}/config/bulk`, { env: block })
  t.equal(res.statusCode, 422)
  t.match(res.body, /^\s*<form id="config-bulk"/)
  t.match(res.body, /Nothing was set/)
  t.match(res.body, /<li>Line 2: expected KEY=value<\/li>/)
  t.match(res.body, /<li>Line 3: Variable name must start with a letter or &quot;_&quot;, and may only contain letters, digits and &quot;_&quot;<\/li>/)
  t.match(res.body, /<li>Line 5: the closing &quot; of OPEN is missing<\/li>/)
  t.notMatch(res.body, /Line [14]:/)
  t.ok(res.body.includes('\nGOOD=1\nnot a pair\nbad-key=2\nLEAK=s3cr3t-VALUE-&lt;script&gt;\nOPEN=&quot;never closed</textarea>'), 'the block is kept')
  t.notOk(c.commands().some((cmd) => cmd.includes('config:set')), 'nothing was set')
  t.notOk('GOOD' in (await c.env()))

  const many = await c.post(`/apps/${APP}/config/bulk`, { env: Array.from({ length: 25 }, (_, i) => `bad line ${i}`).join('\n') })
  t.equal(many.statusCode, 422)
  t.equal((many.body.match(/<li>/g) ?? []).length, 20)
  t.match(many.body, /5 more lines have problems too\./)

  const empty = await c.post(`/apps/${APP}/config/bulk`, { env: '# nothing\n\n' })
  t.equal(empty.statusCode, 422)
  t.match(empty.body, /Paste at least one KEY=value line\./)

  const plain = await c.post(`/apps/${APP}/config/bulk`, { env: 'x y' }, false)
  t.equal(plain.statusCode, 422)
  t.match(plain.body, /<html/)
  t.match(plain.body, /Line 1: expected KEY=value/)
})

t.test('a value never shows outside its reveal: toasts, job output, history, other pages', async (t) => {
  const c = await client(t)
  const seen: LightMyRequestResponse[] = []
  const keep = (res: LightMyRequestResponse) => { seen.push(res); return res }

  jobId(keep(await c.post(`/apps/${APP}/config`, { form: 'add', key: 'API_SECRET', value: SECRET })))
  await c.app.jobs.drain()
  keep(await c.post(`/apps/${APP}/config`, { form: 'edit', key: 'NODE_ENV', value: `${SECRET}\nsecond line`, no_restart: '1' }))
  jobId(keep(await c.post(`/apps/${APP}/config/bulk`, { env: `BULK_A="${SECRET}\\nmore"\nBULK_B='${SECRET}-b'` })))
  await c.app.jobs.drain()
  keep(await c.post(`/apps/${APP}/config/unset`, { key: 'BULK_B' }))
  await c.app.jobs.drain()
  keep(await c.post(`/apps/${APP}/config/unset`, { key: 'BULK_A', no_restart: '1' }))
  keep(await c.post('/apps/gone-app/config', { form: 'add', key: 'X', value: SECRET, no_restart: '1' }))
  keep(await c.post('/apps/gone-app/config/bulk', { env: `X=${SECRET}`, no_restart: '1' }))

  for (const url of [`/apps/${APP}/config`, `/apps/${APP}/config/vars`, `/apps/${APP}/config/unset?key=API_SECRET`, '/history']) {
    keep(await c.get(url))
    keep(await c.get(url, true))
  }
  const rows = c.app.history.list({ limit: 1000 }).map((r) => c.app.history.get(r.id)!)
  for (const row of rows) {
    keep(await c.get(`/history/${row.id}`))
    if (row.kind === 'job') keep(await c.get(`/jobs/${row.id}`))
  }

  const encoded = Buffer.from(SECRET).toString('base64')
  for (const res of seen) {
    const text = res.body + JSON.stringify(res.headers)
    t.notOk(/s3cr3t/i.test(text) || text.includes(encoded), `${res.statusCode} ${res.headers['content-type'] ?? ''} ${res.body.slice(0, 60)}`)
  }
  for (const row of rows) {
    const text = JSON.stringify(row)
    t.notOk(/s3cr3t/i.test(text) || text.includes(encoded), `history #${row.id} ${row.command}`)
  }
  t.ok(rows.some((r) => r.kind === 'job' && r.stdout.includes('Restarting app')), 'job output was recorded')

  // The one place it may appear: the reveal, escaped.
  const reveal = await c.get(`/apps/${APP}/config/reveal?key=API_SECRET`, true)
  t.ok(reveal.body.includes('s3cr3t-VALUE-&lt;script&gt;'))
  t.equal(reveal.headers['cache-control'], 'no-store')
})

