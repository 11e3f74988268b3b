import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { csvCell, csvChunks, EXPORT_COLUMNS, exportStream, historyBatches, jsonChunks } from '../../src/db/history-export.js'
import { HistoryRepository } from '../../src/db/history.js'
import { parseCsv } from './csv-reader.js'

async function collect (chunks: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = []
  for await (const c of chunks) out.push(c)
  return out
}

function seeded (n: number, app = 'some-app') {
  const db = openDatabase(':memory:')
  const repo = new HistoryRepository(db)
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const id = repo.start({ command: `dokku ps:report ${app}`, app, kind: 'action' })
      repo.finish(id, { status: 'success', exitCode: 0, stdout: 'OUTPUT-NEVER-EXPORTED', stderr: 'STDERR-NEVER-EXPORTED', durationMs: 3 })
    }
  })()
  return { db, repo }
}

t.test('a CSV cell: formulas neutralised, quotes, commas and line breaks quoted, unicode kept', async (t) => {
  const cases: Array<[string | number | null, string]> = [
    ['=1+1', "'=1+1"],
    ['+SUM(A1:A9)', "'+SUM(A1:A9)"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tx', "'\tx"],
    ['\r=x', "\"'\r=x\""],
    ['=HYPERLINK("http://evil","click")', '"\'=HYPERLINK(""http://evil"",""click"")"'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line one\nline two', '"line one\nline two"'],
    ['crlf\r\nend', '"crlf\r\nend"'],
    ['héllo ✓ 日本語 🚀', 'héllo ✓ 日本語 🚀'],
    ['a=b', 'a=b'],
    ['', ''],
    [null, ''],
    [0, '0'],
    [1234, '1234']
  ]
  for (const [input, expected] of cases) t.equal(csvCell(input), expected, JSON.stringify(input))
})

t.test('the CSV export: a header, one record per row, what a strict reader gets back', async (t) => {
  const db = openDatabase(':memory:')
  const repo = new HistoryRepository(db)
  const tricky = repo.start({ command: 'dokku config:set app A=<redacted>, "quoted"\nnext line ✓', app: 'app', label: '=HYPERLINK("x")' })
  repo.finish(tricky, { status: 'failed', exitCode: 1, stdout: 'OUT', stderr: 'ERR', error: '-bad\r\nthing', durationMs: 7 })
  const plain = repo.start({ command: 'dokku apps:list', kind: 'read' })
  repo.finish(plain, { status: 'success', exitCode: 0, stdout: '', stderr: '', durationMs: 1 })

  const text = (await collect(csvChunks(historyBatches(repo, { kind: 'all' })))).join('')
  t.notMatch(text, /OUT|ERR/, 'never any output')
  const records = parseCsv(text)
  t.same(records[0], [...EXPORT_COLUMNS])
  t.equal(records.length, 3)
  const [newest, older] = [records[1]!, records[2]!]
  const cell = (r: string[], c: string) => r[EXPORT_COLUMNS.indexOf(c as typeof EXPORT_COLUMNS[number])]
  t.equal(cell(newest, 'id'), String(plain), 'newest first')
  t.equal(cell(newest, 'kind'), 'read')
  t.equal(cell(newest, 'app'), '', 'null is empty')
  t.equal(cell(older, 'command'), 'dokku config:set app A=<redacted>, "quoted"\nnext line ✓')
  t.equal(cell(older, 'label'), '\'=HYPERLINK("x")', 'the formula is text')
  t.equal(cell(older, 'error'), "'-bad\r\nthing")
  t.equal(cell(older, 'exitCode'), '1')
  t.equal(cell(older, 'durationMs'), '7')
  t.equal(cell(older, 'origin'), 'page')
  t.equal(cell(older, 'host'), 'local')
})

t.test('the JSON export: one array of the columns, nothing else', async (t) => {
  const { repo } = seeded(3)
  const text = (await collect(jsonChunks(historyBatches(repo, { kind: 'all' })))).join('')
  t.notMatch(text, /NEVER-EXPORTED/)
  const rows = JSON.parse(text) as Array<Record<string, unknown>>
  t.equal(rows.length, 3)
  t.same(Object.keys(rows[0]!), [...EXPORT_COLUMNS])
  t.same(rows[0], { ...repo.list({ limit: 1 })[0] }, 'the row as history holds it')
  t.same(JSON.parse((await collect(jsonChunks(historyBatches(repo, { app: 'none' })))).join('')), [], 'an empty export is an empty array')
})

t.test('rows are read a keyset batch at a time, only when the next is wanted', async (t) => {
  const { repo } = seeded(1200)
  const other = repo.start({ command: 'dokku ps:report other', app: 'other' })
  const batches = historyBatches(repo, { app: 'some-app', kind: 'all' }, { batchSize: 500 })
  const first = await batches.next()
  t.equal(first.done, false)
  const firstRows = first.done ? [] : first.value.rows
  t.equal(firstRows.length, 500)
  // No statement is left open between batches: the connection takes writes in between.
  const written = repo.start({ command: 'dokku ps:report some-app', app: 'some-app' })
  t.ok(written > other)
  const sizes = [firstRows.length]
  const seen = firstRows.map((r) => r.id)
  for await (const b of batches) { sizes.push(b.rows.length); seen.push(...b.rows.map((r) => r.id)); t.equal(b.cut, null) }
  t.same(sizes, [500, 500, 200])
  t.same(seen, [...seen].sort((a, b) => b - a), 'newest first, no row twice')
  t.equal(new Set(seen).size, 1200)
  t.notOk(seen.includes(written), 'a row made after the export began is not in it (ids below the first batch)')
  t.notOk(seen.includes(other), 'the filter holds in every batch')
})

t.test('the bound: an export stops at its limit and says where the next one starts', async (t) => {
  const { repo } = seeded(1000)
  const all = repo.list({ limit: 500 }).concat(repo.list({ limit: 500, before: repo.list({ limit: 500 }).at(-1)!.id }))
  const cutAt = all[699]!.id

  const batches = await collect((async function * () {
    for await (const b of historyBatches(repo, { kind: 'all' }, { maxRows: 700 })) yield JSON.stringify({ n: b.rows.length, cut: b.cut })
  })())
  t.same(batches.map((b) => JSON.parse(b)), [{ n: 500, cut: null }, { n: 200, cut: { limit: 700, before: cutAt } }])

  const csv = parseCsv((await collect(csvChunks(historyBatches(repo, { kind: 'all' }, { maxRows: 700 })))).join(''))
  t.equal(csv.length, 1 + 700 + 1, 'header, the rows, the note')
  t.match(csv.at(-1)![0], new RegExp(`^# Export stopped at 700 rows.*before=${cutAt}`))
  t.equal(csv.at(-1)!.length, EXPORT_COLUMNS.length, 'the note keeps the file rectangular')

  const json = JSON.parse((await collect(jsonChunks(historyBatches(repo, { kind: 'all' }, { maxRows: 700 })))).join('')) as Array<Record<string, unknown>>
  t.equal(json.length, 701)
  t.match(json.at(-1), { truncated: true, limit: 700, before: cutAt, message: /before=/ })

  const exact = parseCsv((await collect(csvChunks(historyBatches(repo, { kind: 'all' }, { maxRows: 1000 })))).join(''))
  t.equal(exact.length, 1001, 'exactly the bound: nothing was cut, no note')
})

t.test('exportStream is a byte stream, one chunk per batch', async (t) => {
  const { repo } = seeded(1100)
  const chunks: Buffer[] = []
  for await (const c of exportStream('json', repo, { kind: 'all' })) chunks.push(c as Buffer)
  t.ok(chunks.every((c) => Buffer.isBuffer(c)))
  t.ok(chunks.length >= 3, `${chunks.length} chunks`)
  t.equal((JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown[]).length, 1100)
})

t.test('backpressure: the stream reads the next batch only when its reader takes more', async (t) => {
  const { repo } = seeded(2000)
  let reads = 0
  const list = repo.list.bind(repo)
  repo.list = (q) => { reads++; return list(q) }

  // A slow client: it holds each write until the test lets it go.
  const held: Array<() => void> = []
  let slow = true
  let bytes = 0
  const client = new Writable({
    highWaterMark: 1,
    write (chunk: Buffer, _encoding, done) {
      bytes += chunk.length
      if (slow) held.push(done)
      else done()
    }
  })
  const piped = pipeline(exportStream('csv', repo, { kind: 'all' }), client)
  await sleep(50)
  t.ok(reads >= 1 && reads <= 2, `while the client takes nothing, ${reads} of 4 batches were read`)
  slow = false
  for (const done of held.splice(0)) done()
  await piped
  t.equal(reads, 5, 'then every batch (and one empty read at the end)')
  t.ok(bytes > 2000 * 40)
})
