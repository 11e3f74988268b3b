import t from 'tap'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { build, login } from './helpers/build.js'

/**
 * How answers travel: compressed where it helps, static files under names that change with
 * their content (so browsers keep them for a year), and ETags that turn an unchanged answer
 * into a bodiless 304.
 */

const PUBLIC = join(import.meta.dirname, '..', 'public')

t.test('answers are compressed with brotli or gzip when the browser accepts it, small ones are not', async (t) => {
  const { app } = await build(t)
  const plain = await app.inject({ url: '/login' })
  t.equal(plain.statusCode, 200)
  t.notOk(plain.headers['content-encoding'], 'a client that asks for nothing gets the page as it is')

  const br = await app.inject({ url: '/login', headers: { 'accept-encoding': 'br, gzip' } })
  t.equal(br.headers['content-encoding'], 'br', 'brotli first')
  t.match(String(br.headers.vary), /accept-encoding/i, 'caches keep the encodings apart')
  t.equal(brotliDecompressSync(br.rawPayload).toString('utf8'), plain.body, 'the same page, smaller')
  t.ok(br.rawPayload.length < plain.rawPayload.length)

  const gz = await app.inject({ url: '/login', headers: { 'accept-encoding': 'gzip' } })
  t.equal(gz.headers['content-encoding'], 'gzip')
  t.equal(gunzipSync(gz.rawPayload).toString('utf8'), plain.body)

  const health = await app.inject({ url: '/api/health', headers: { 'accept-encoding': 'br, gzip' } })
  t.equal(health.statusCode, 200)
  t.notOk(health.headers['content-encoding'], 'under a kilobyte: sent as it is')
})

t.test('the layout names static files by their content; those are kept a year, the plain names are revalidated', async (t) => {
  const { app } = await build(t)
  const page = await app.inject({ url: '/login' })
  const css = /<link rel="stylesheet" href="(\/static\/css\/app\.[0-9a-f]{10}\.css)">/.exec(page.body)?.[1]
  const htmx = /<script src="(\/static\/vendor\/htmx\.min\.[0-9a-f]{10}\.js)" defer>/.exec(page.body)?.[1]
  t.ok(css, 'the stylesheet by its fingerprinted name')
  t.ok(htmx, 'htmx too')
  t.notMatch(page.body, /href="\/static\/css\/app\.css"/)

  const file = await app.inject({ url: css! })
  t.equal(file.statusCode, 200, 'served without a session: the login page needs it')
  t.equal(file.headers['cache-control'], 'public, max-age=31536000, immutable')
  t.match(String(file.headers['content-type']), /^text\/css/)
  t.equal(file.body, readFileSync(join(PUBLIC, 'css', 'app.css'), 'utf8'), 'the file itself')

  const zipped = await app.inject({ url: css!, headers: { 'accept-encoding': 'gzip' } })
  t.equal(zipped.headers['content-encoding'], 'gzip', 'static files are compressed too')
  t.equal(gunzipSync(zipped.rawPayload).toString('utf8'), file.body)

  const script = await app.inject({ url: htmx! })
  t.equal(script.statusCode, 200)
  t.equal(script.headers['cache-control'], 'public, max-age=31536000, immutable')

  const old = await app.inject({ url: '/static/css/app.css' })
  t.equal(old.statusCode, 200, 'the plain name still answers (a page cached elsewhere may name it)')
  t.equal(old.headers['cache-control'], 'public, max-age=0', 'but is asked for again each time')
  t.equal(old.body, file.body)

  t.equal((await app.inject({ url: '/static/css/app.0123456789.css' })).statusCode, 404, 'a name no file has')
})

t.test('while editing (NODE_ENV=development) no browser keeps a static file', async (t) => {
  const { app } = await build(t, { env: { NODE_ENV: 'development' } })
  const page = await app.inject({ url: '/login' })
  const css = /href="(\/static\/css\/app\.[0-9a-f]{10}\.css)"/.exec(page.body)?.[1]
  t.ok(css)
  const file = await app.inject({ url: css! })
  t.equal(file.statusCode, 200)
  t.equal(file.headers['cache-control'], 'public, max-age=0')
})

t.test('an unchanged fragment costs a 304; a compressed one shares the ETag of the plain one', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const hx = { cookie, 'hx-request': 'true' }
  const plain = await app.inject({ url: '/apps/node-js-app/domains', headers: hx })
  t.equal(plain.statusCode, 200)
  const etag = String(plain.headers.etag)
  t.match(etag, /^W\/"/, 'a weak ETag, computed over the answer')
  t.equal(plain.headers['cache-control'], 'private, no-cache', 'a fragment may be kept, but is asked for again')
  const br = await app.inject({ url: '/apps/node-js-app/domains', headers: { ...hx, 'accept-encoding': 'br' } })
  t.equal(br.headers['content-encoding'], 'br')
  t.equal(br.headers.etag, etag, 'the same ETag for the compressed body')
  const again = await app.inject({ url: '/apps/node-js-app/domains', headers: { ...hx, 'accept-encoding': 'br', 'if-none-match': etag } })
  t.equal(again.statusCode, 304)
  t.equal(again.rawPayload.length, 0)
  const stale = await app.inject({ url: '/apps/node-js-app/domains', headers: { ...hx, 'if-none-match': 'W/"something-else"' } })
  t.equal(stale.statusCode, 200, 'another ETag: the answer again')

  const page = await app.inject({ url: '/apps/node-js-app/domains', headers: { cookie } })
  t.equal(page.headers['cache-control'], 'no-store', 'the whole page is never stored')
  t.match(String(page.headers.etag), /^W\/"/)
})
