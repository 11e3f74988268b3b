import t from 'tap'
import { assemble, renderTurns, RenderMemo } from '../src/views/memo.js'

/** The dashboard's table is rendered once per version of its rows: what that memo must not get wrong. */

t.test('a part is rendered once per key, and concurrent renders of one key keep one', async (t) => {
  const memo = new RenderMemo()
  let renders = 0
  const render = () => { renders++; return `<table>${renders}</table>` }
  const a = await memo.get('k', render)
  const b = await memo.get('k', render)
  t.equal(renders, 1)
  t.equal(a, b)
  t.equal(a.bytes.toString(), '<table>1</table>')
  t.match(a.hash, /^[A-Za-z0-9_-]{27}$/)

  const [x, y] = await Promise.all([memo.get('race', async () => 'one'), memo.get('race', async () => 'two')])
  t.not(x.bytes.toString(), y.bytes.toString())
  t.equal(memo.size, 2, 'one entry for the key, whichever rendering came last')
  t.equal((await memo.get('race', () => 'three')).bytes.toString(), 'two')

  const unkept = await memo.get('dev', () => 'fresh', false)
  t.equal(unkept.bytes.toString(), 'fresh')
  t.equal((await memo.get('dev', () => 'again', false)).bytes.toString(), 'again', 'keep=false: rendered every time')
  t.equal(memo.size, 2)
  memo.clear()
  t.equal(memo.size, 0)
})

t.test('bounded by entries and by bytes, the least recently used going first', async (t) => {
  const memo = new RenderMemo(3, 1000)
  for (const k of ['a', 'b', 'c']) await memo.get(k, () => k)
  await memo.get('a', () => 'not rendered again')
  await memo.get('d', () => 'd')
  t.equal(memo.size, 3)
  t.equal((await memo.get('b', () => 'b again')).bytes.toString(), 'b again', 'b was the oldest: gone')
  t.equal((await memo.get('a', () => 'x')).bytes.toString(), 'a', 'a was used since: kept')

  const small = new RenderMemo(10, 100)
  await small.get('one', () => 'x'.repeat(60))
  await small.get('two', () => 'y'.repeat(60))
  t.equal(small.size, 1, 'over the byte bound, the older part goes')
  const huge = await small.get('huge', () => 'z'.repeat(500))
  t.equal(huge.bytes.length, 500, 'a part over the bound is still served')
  t.equal(small.size, 1)
})

t.test('a page gets each part in place of its marker, and text cannot forge a marker', async (t) => {
  const memo = new RenderMemo()
  const other = new RenderMemo()
  const table = await memo.get('t', () => '<table>é</table>')
  const nav = await memo.get('n', () => '<nav/>')
  const forged = (await other.get('t', () => '<table>é</table>')).marker
  t.equal(forged.includes(table.hash), true, 'same content, same hash')
  t.not(forged, table.marker, 'but another nonce: a marker is unguessable')
  const html = `<main>${nav.marker}<p>${forged}</p>${table.marker}|${nav.marker}</main>`
  t.equal(assemble(html, [table, nav]).toString('utf8'), `<main><nav/><p>${forged}</p><table>é</table>|<nav/></main>`)
  t.equal(assemble('<p>plain</p>', [table]).toString(), '<p>plain</p>')
  t.equal(assemble(Buffer.from(`é${html}`, 'utf8'), [table, nav]).toString('utf8'), `é<main><nav/><p>${forged}</p><table>é</table>|<nav/></main>`,
    'a page already encoded (multi-byte text before the markers) is assembled the same')
})

t.test("a big part's template yields to the event loop once its turn is due", async (t) => {
  t.equal(renderTurns(60_000)(), undefined, 'not due: no promise, nothing to wait for')
  const turn = renderTurns(0)
  let other = false
  setImmediate(() => { other = true })
  const due = turn()
  t.ok(due instanceof Promise)
  await due
  t.equal(other, true, 'work queued before the turn ran during it')
})
