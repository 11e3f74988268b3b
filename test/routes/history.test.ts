import { get } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { EXPORT_COLUMNS } from '../../src/db/history-export.js'
import { HistoryRepository, type HistoryQuery } from '../../src/db/history.js'
import { build, login } from '../helpers/build.js'
import { SECRET } from '../helpers/config-client.js'
import { parseCsv } from '../db/csv-reader.js'

// One server for the file, so each test narrows what it looks at with its own app names.
// Retention is one day, so the wiring test below can show the config reaching the pruner.
const { app } = await build(t, { env: { DOCKLIGHT_HISTORY_DAYS: '1' } })
const cookie = await login(app)
const page = (url: string, htmx = false) => app.inject({ url, headers: { cookie, ...(htmx ? { 'hx-request': 'true' } : {}) } })

/** The history ids listed on a page, in order. */
const listed = (html: string) => [...html.matchAll(/<td><a href="\/history\/(\d+)">/g)].map((m) => Number(m[1]))
const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
const href = (html: string, text: string) => {
  const m = new RegExp(`<a href="([^"]*)"[^>]*>${text}</a>`).exec(html)
  return m ? unescape(m[1]!) : null
}

/** Rows made straight in the repository (what many runs would leave), each finished. */
function seed (n: number, row: { app: string; command?: string; label?: string; kind?: 'action' | 'read' | 'job'; status?: (i: number) => 'success' | 'failed' }) {
  const repo = app.history
  return app.db.transaction(() => Array.from({ length: n }, (_, i) => {
    const id = repo.start({ command: row.command ?? `dokku ps:restart ${row.app}`, app: row.app, kind: row.kind ?? 'action', label: row.label ?? null })
    const status = row.status?.(i) ?? 'success'
    repo.finish(id, { status, exitCode: status === 'success' ? 0 : 1, stdout: 'OUTPUT-OF-' + id, stderr: '', durationMs: 4 })
    return id
  }))()
}

t.test('reads store no output; a failed read and an action keep theirs, redacted', async (t) => {
  for (const url of ['/', '/apps/ruby-app', '/apps/ruby-app/config']) {
    t.equal((await page(url)).statusCode, 200, url)
  }
  const reads = app.history.list({ kind: 'reads', limit: 500 })
  t.ok(reads.length >= 5, `${reads.length} reads recorded`)
  for (const r of reads) {
    t.equal(r.status, 'success', r.command)
    t.equal(r.origin, 'page')
    const entry = app.history.get(r.id)!
    t.equal(entry.stdout + entry.stderr, '', `${r.command}: no output kept`)
  }

  t.equal((await page('/apps/no-such-app')).statusCode, 404)
  const failed = app.history.list({ kind: 'reads', app: 'no-such-app', status: 'failed', limit: 10 })
  t.ok(failed.length >= 1, 'the failed read is recorded')
  t.match(app.history.get(failed[0]!.id)!.stderr, /App no-such-app does not exist/, 'with dokku\'s message')

  const set = await app.inject({
    method: 'POST',
    url: '/apps/node-js-app/config',
    headers: { cookie, 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ form: 'add', key: 'HISTORY_TEST_KEY', value: SECRET, no_restart: '1' }).toString()
  })
  t.equal(set.statusCode, 200)
  const setRow = app.history.get(app.history.list({ kind: 'actions', app: 'node-js-app', group: 'config', limit: 1 })[0]!.id)!
  t.match(setRow, { kind: 'action', status: 'success', command: /HISTORY_TEST_KEY=<redacted>$/ })
  t.notOk(JSON.stringify(setRow).includes(SECRET), 'the value is nowhere in the row')

  const added = await app.inject({
    method: 'POST',
    url: '/apps/ruby-app/domains',
    headers: { cookie, 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'domain=history-test.example.com'
  })
  t.equal(added.statusCode, 200)
  const addRow = app.history.list({ kind: 'actions', app: 'ruby-app', group: 'domains', limit: 1 })[0]!
  t.match(addRow, { kind: 'action', command: 'dokku domains:add ruby-app history-test.example.com' })
  t.match(app.history.get(addRow.id)!.stdout, /history-test\.example\.com/, 'an action keeps its output')

  const shown = await page(`/history/${reads[0]!.id}`)
  t.match(shown.body, /Not kept: a read that succeeds keeps only its command, status and duration/)
  t.match(shown.body, /<dt>Kind<\/dt><dd>read/)
  t.match(shown.body, /<dt>Origin<\/dt><dd>page/)
  t.match(shown.body, /<dt>Host<\/dt><dd>local/)
})

t.test('/history: actions and jobs by default, reads on request, each with host, kind and origin', async (t) => {
  const [job] = seed(1, { app: 'kinds-app', kind: 'job', label: 'Rebuild kinds-app' })
  const [read] = seed(1, { app: 'kinds-app', kind: 'read', command: 'dokku ps:report kinds-app' })
  const [action] = seed(1, { app: 'kinds-app', kind: 'action', command: 'dokku domains:add kinds-app a.example' })

  const res = await page('/history?app=kinds-app')
  t.equal(res.statusCode, 200)
  t.match(res.body, /<html/)
  t.same(listed(res.body), [action, job], 'actions and jobs, newest first')
  t.match(res.body, /<span class="badge kind-job">job<\/span><\/td>\s*<td>page<\/td>\s*<td>local<\/td>/)
  t.match(res.body, /<strong>Rebuild kinds-app<\/strong>/)
  t.same(listed((await page('/history?app=kinds-app&kind=reads')).body), [read])
  t.same(listed((await page('/history?app=kinds-app&kind=all')).body), [action, read, job])
  t.same(listed((await page('/history?app=kinds-app&kind=all&group=domains')).body), [action])
  t.same(listed((await page('/history?app=kinds-app&q=Rebuild')).body), [job], 'free text matches the label')
  t.same(listed((await page('/history?app=kinds-app&q=a.example')).body), [action], 'and the command')
  t.same(listed((await page('/history?app=kinds-app&q=%25')).body), [], '% is only a character')

  const fragment = await page('/history?app=kinds-app', true)
  t.equal(fragment.statusCode, 200)
  t.notMatch(fragment.body, /<html/)
  t.match(fragment.body, /<div id="history-panel"/)
  t.equal(fragment.headers.vary, 'HX-Request')
  t.match(res.body, /<form id="history-filters"[^>]*method="get" action="\/history"[^>]*hx-get="\/history"[^>]*hx-select="#history-panel"/, 'a real form, improved by htmx')
})

t.test('keyset pages keep the filters; the last has no Older link', async (t) => {
  const ids = seed(130, { app: 'paged-app', status: (i) => (i % 2 === 0 ? 'failed' : 'success') })
  const failed = ids.filter((_, i) => i % 2 === 0).reverse()
  seed(5, { app: 'other-app', status: () => 'failed' })

  const seen: number[] = []
  let url: string | null = '/history?app=paged-app&status=failed'
  let pages = 0
  while (url !== null) {
    const res = await page(url)
    t.equal(res.statusCode, 200, url)
    seen.push(...listed(res.body))
    pages++
    const older = href(res.body, 'Older')
    if (older !== null) {
      const params = new URL(older, 'http://x').searchParams
      t.equal(params.get('app'), 'paged-app', 'the Older link keeps the app')
      t.equal(params.get('status'), 'failed', 'and the status')
      t.equal(params.get('before'), String(seen.at(-1)), 'and pages by the last id shown')
      t.match(res.body, /rel="next" hx-get="[^"]*" hx-target="#history-panel"/)
    }
    if (pages > 1) t.equal(href(res.body, 'Newest'), '/history?app=paged-app&status=failed')
    url = older
  }
  t.equal(pages, 2, '65 rows: two pages of 50')
  t.same(seen, failed, 'every failed row of the app once, newest first')
})

t.test('a bad filter value is a clear message with the form, not an error page', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['kind=bogus', /Show must be one of: actions \(actions and jobs\), reads, all\./],
    ['app=Bad_App!', /App name must start with a lowercase letter or digit/],
    ['app=-rf', /App name must not start with &quot;-&quot;/],
    ['status=nope', /Status must be one of: success, skipped, failed, timeout/],
    ['group=Bad%20Group', /Command group is a dokku plugin name/],
    ['before=abc', /&quot;before&quot; must be a history id/],
    ['before=0', /&quot;before&quot; must be a history id/],
    [`q=${'x'.repeat(201)}`, /Search text is too long \(at most 200 characters\)/],
    ['host=BAD!', /Host must be a host name/]
  ]
  for (const [qs, message] of cases) {
    const res = await page(`/history?${qs}`)
    t.equal(res.statusCode, 422, qs)
    t.match(res.body, message, qs)
    t.match(res.body, /<p class="field-error" id="history-[a-z]+-error">/)
    t.match(res.body, /Fix the filter above to see rows/)
    t.notMatch(res.body, /export\.csv/, 'no download of a filter that was refused')
    t.match(res.body, /<html/, 'the page, for a plain browser')
    const fragment = await page(`/history?${qs}`, true)
    t.equal(fragment.statusCode, 422)
    t.match(fragment.body, /<div id="history-panel"/, 'the panel for htmx, which swaps 422')
  }
  const typed = await page('/history?app=Bad_App!&status=failed')
  t.match(typed.body, /aria-invalid="true" aria-describedby="history-app-error"/)
  t.match(typed.body, /value="Bad_App!"/, 'what was typed stays in the field')
  t.match(typed.body, /<option value="failed" selected>/)

  const exported = await page('/history/export.csv?status=nope&kind=bogus')
  t.equal(exported.statusCode, 400)
  t.match(exported.body, /Show must be one of.*Status must be one of/s)
  t.notOk(exported.headers['content-disposition'], 'no download')
})

t.test('the app filter field: a pattern the browser can compile, and our messages instead of its own', async (t) => {
  const res = await page('/history')
  const patterns = [...res.body.matchAll(/pattern="([^"]*)"/g)].map((m) => unescape(m[1]!))
  t.ok(patterns.length >= 1)
  // Browsers compile `pattern` with the v flag (and ^(?:…)$ around it); what failed before:
  t.throws(() => new RegExp('^(?:[a-z0-9][a-z0-9._-]*)$', 'v'))
  for (const p of patterns) {
    const re = new RegExp(`^(?:${p})$`, 'v')
    t.ok(re.test('my-app.v2'), p)
    t.notOk(re.test('-app'))
    t.notOk(re.test('My App'))
  }
  t.match(res.body, /<form id="history-filters"[^>]*novalidate/, 'the server checks the fields and says what is wrong')
})

t.test('the exports carry the current filters; they download with the filters applied', async (t) => {
  const [a] = seed(1, { app: 'export-app', label: '=HYPERLINK("http://evil","x")', command: 'dokku config:set export-app KEY=<redacted>, "q"\nline ✓' })
  const [b] = seed(1, { app: 'export-app', command: 'dokku ps:restart export-app' })
  seed(1, { app: 'export-app', kind: 'read', command: 'dokku ps:report export-app' })

  const res = await page('/history?kind=all&app=export-app&status=success&q=dokku')
  const csvUrl = href(res.body, 'CSV')
  t.equal(csvUrl, '/history/export.csv?kind=all&app=export-app&status=success&q=dokku')
  t.equal(href(res.body, 'JSON'), '/history/export.json?kind=all&app=export-app&status=success&q=dokku')
  t.match(res.body, /<a href="[^"]*" hx-boost="false" download>CSV<\/a>/, 'a real download, never swapped into the page')

  const csv = await page('/history/export.csv?app=export-app')
  t.equal(csv.statusCode, 200)
  t.equal(csv.headers['content-type'], 'text/csv; charset=utf-8')
  t.match(csv.headers['content-disposition'], /^attachment; filename="docklight-history-export-app-\d{4}-\d{2}-\d{2}\.csv"$/)
  t.notMatch(csv.body, /OUTPUT-OF-/, 'never any output')
  const records = parseCsv(csv.body)
  t.same(records[0], [...EXPORT_COLUMNS])
  t.same(records.slice(1).map((r) => Number(r[0])), [b, a], 'actions by default, as on the page')
  t.equal(records[2]![EXPORT_COLUMNS.indexOf('label')], '\'=HYPERLINK("http://evil","x")')
  t.equal(records[2]![EXPORT_COLUMNS.indexOf('command')], 'dokku config:set export-app KEY=<redacted>, "q"\nline ✓')

  for (const url of ['/history/export.csv', '/history/export.json', '/apps/ruby-app/history']) {
    const anonymous = await app.inject({ url })
    t.equal(anonymous.statusCode, 303, `${url} needs a session`)
    t.notOk(anonymous.headers['content-disposition'])
  }

  const json = await page('/history/export.json?app=export-app&kind=all')
  t.equal(json.headers['content-type'], 'application/json; charset=utf-8')
  t.match(json.headers['content-disposition'], /^attachment; filename="docklight-history-export-app-\d{4}-\d{2}-\d{2}\.json"$/)
  const rows = JSON.parse(json.body) as Array<Record<string, unknown>>
  t.equal(rows.length, 3)
  t.same(Object.keys(rows[0]!), [...EXPORT_COLUMNS])
  t.equal(rows[2]!.label, '=HYPERLINK("http://evil","x")', 'JSON keeps the text as it is')
})

t.test('the History tab of an app: the same panel, its app fixed, with the nav and state badge', async (t) => {
  const [mine] = seed(1, { app: 'ruby-app', command: 'dokku ps:restart ruby-app' })
  seed(1, { app: 'python-app' })
  const res = await page('/apps/ruby-app/history')
  t.equal(res.statusCode, 200)
  t.match(res.body, /<h1>ruby-app <span class="badge mixed">mixed/)
  t.match(res.body, /aria-current="page">History</)
  t.match(res.body, /action="\/apps\/ruby-app\/history"/)
  t.notMatch(res.body, /name="app"/, 'no app field: the tab is the filter')
  const ids = listed(res.body)
  t.equal(ids[0], mine)
  for (const id of ids) t.equal(app.history.getRow(id)!.app, 'ruby-app')
  t.equal(href(res.body, 'CSV'), '/history/export.csv?app=ruby-app&host=local', 'an app is one host\'s: the export says which')

  t.same(listed((await page('/apps/ruby-app/history?app=python-app')).body), ids, 'the URL\'s app wins')
  const reads = await page('/apps/ruby-app/history?kind=reads')
  t.ok(listed(reads.body).length > 0)
  t.equal(href(reads.body, 'JSON'), '/history/export.json?kind=reads&app=ruby-app&host=local')
  const bad = await page('/apps/ruby-app/history?status=nope')
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /Status must be one of/)

  const fragment = await page('/apps/ruby-app/history', true)
  t.notMatch(fragment.body, /<html/)
  t.match(fragment.body, /<div id="history-panel"/)
  t.match((await page('/apps/ruby-app')).body, /<a href="\/apps\/ruby-app\/history" class="">History<\/a>/, 'every tab links to it')
  t.equal((await page('/apps/Bad%20Name/history')).statusCode, 400)
})

t.test('retention comes from the config (DOCKLIGHT_HISTORY_DAYS)', async (t) => {
  t.ok(app.historyPruner.scheduled, 'pruning runs in the background once the server is ready')
  const twoDaysAgo = new HistoryRepository(app.db, () => new Date(Date.now() - 2 * 24 * 3600 * 1000))
  const old = twoDaysAgo.start({ command: 'dokku ps:restart retention-app', app: 'retention-app' })
  twoDaysAgo.finish(old, { status: 'success', exitCode: 0, stdout: 'x', stderr: '', durationMs: 1 })
  const oldRunning = twoDaysAgo.start({ command: 'dokku ps:rebuild retention-app', app: 'retention-app', kind: 'job' })
  const [recent] = seed(1, { app: 'retention-app' })
  const result = await app.historyPruner.prune()
  t.ok(result.byAge >= 1)
  t.equal(app.history.getRow(old), undefined, 'older than a day: gone')
  t.ok(app.history.getRow(oldRunning), 'still running: kept')
  t.ok(app.history.getRow(recent!), 'recent: kept')
  app.history.finish(oldRunning, { status: 'success', exitCode: 0, stdout: '', stderr: '', durationMs: 1 })
})

t.test('a large export streams: batches are read as the client reads, not all at once', async (t) => {
  // 20 000 rows of about 1 KB: far more than the socket buffers between server and client hold.
  const total = 20_000
  const ids = seed(total, { app: 'stream-app', command: `dokku ps:restart stream-app ${'word '.repeat(200)}` })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }

  let reads = 0
  const list = app.history.list.bind(app.history)
  app.history.list = (q?: HistoryQuery) => { reads++; return list(q) }
  t.teardown(() => { app.history.list = list })

  const chunks: Buffer[] = []
  let readsWhilePaused = 0
  await new Promise<void>((resolve, reject) => {
    get({ port, host: '127.0.0.1', path: '/history/export.csv?app=stream-app', headers: { cookie } }, (res) => {
      t.equal(res.statusCode, 200)
      t.equal(res.headers['transfer-encoding'], 'chunked', 'sent as it is made, with no length known ahead')
      res.once('data', (first: Buffer) => {
        chunks.push(first)
        res.pause()
        void (async () => {
          // Wait until the server has filled what the socket takes and stopped reading.
          let last = -1
          while (reads !== last) { last = reads; await sleep(100) }
          readsWhilePaused = reads
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', resolve)
          res.resume()
        })()
      })
    }).on('error', reject)
  })
  const batches = total / 500
  t.ok(readsWhilePaused < batches, `with the client paused, the server stopped at ${readsWhilePaused} of ${batches} batches`)
  t.ok(reads >= batches, `then read them all (${reads})`)
  t.ok(chunks.length > 1, `${chunks.length} chunks`)
  // No cell here needs quoting: a line per record.
  const lines = Buffer.concat(chunks).toString('utf8').split('\r\n')
  t.equal(lines.pop(), '', 'the file ends with its last record')
  t.equal(lines[0], EXPORT_COLUMNS.join(','))
  t.same(lines.slice(1).map((l) => Number(l.slice(0, l.indexOf(',')))), [...ids].reverse(), 'every row once, newest first')
})
