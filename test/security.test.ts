import t, { type Test } from 'tap'
import WebSocket from 'ws'
import { build, login, PASSWORD } from './helpers/build.js'
import { BODY_LIMIT } from '../src/app.js'
import { LOGIN_FAILURES_ALLOWED } from '../src/routes/auth/index.js'

type App = Awaited<ReturnType<typeof build>>['app']

/** A login from `remoteAddress` (the TCP peer: a proxy, or the client itself) saying X-Forwarded-For: `forwardedFor`. */
function loginVia (app: App, remoteAddress: string, forwardedFor: string, password = 'wrong') {
  return app.inject({ method: 'POST', url: '/login', remoteAddress, headers: { 'x-forwarded-for': forwardedFor }, payload: { password } })
}

/** Uses up a client's failed logins. */
async function exhaust (t: Test, app: App, remoteAddress: string, forwardedFor: string) {
  for (let i = 0; i < LOGIN_FAILURES_ALLOWED; i++) t.equal((await loginVia(app, remoteAddress, forwardedFor)).statusCode, 401)
}

t.test('security headers: strict CSP with no inline script, no X-Powered-By', async (t) => {
  const { app } = await build(t)
  const res = await app.inject('/login')
  const csp = String(res.headers['content-security-policy'])
  t.match(csp, /script-src 'self'(;|$)/)
  t.notMatch(csp, /unsafe-inline|unsafe-eval/)
  t.match(csp, /frame-ancestors 'none'/)
  t.equal(res.headers['x-content-type-options'], 'nosniff')
  t.equal(res.headers['x-frame-options'], 'SAMEORIGIN')
  t.notOk(res.headers['x-powered-by'])
  t.notOk(res.headers['strict-transport-security'], 'no HSTS on plain HTTP installs')
  t.notMatch(res.body, /<script>(?!<\/script>)|<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in pages')
  t.match(res.body, /"includeIndicatorStyles":false/, 'htmx does not inject its own style tag')
})

t.test('production adds HSTS and upgrade-insecure-requests', async (t) => {
  const { app } = await build(t, { env: { NODE_ENV: 'production' } })
  const res = await app.inject('/login')
  t.ok(res.headers['strict-transport-security'])
  t.match(String(res.headers['content-security-policy']), /upgrade-insecure-requests/)
})

t.test('cross-site state changes are refused with 403', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const crossOrigin = await app.inject({ method: 'POST', url: '/logout', headers: { cookie, origin: 'https://evil.example', host: 'localhost:80' } })
  t.equal(crossOrigin.statusCode, 403)
  t.match(crossOrigin.body, /Cross-site request refused/)
  const crossSite = await app.inject({ method: 'POST', url: '/login', headers: { 'sec-fetch-site': 'cross-site' }, payload: { password: 'x' } })
  t.equal(crossSite.statusCode, 403)
  const badOrigin = await app.inject({ method: 'POST', url: '/logout', headers: { cookie, origin: 'null' } })
  t.equal(badOrigin.statusCode, 403, 'an opaque origin is cross-site')
  const sameOrigin = await app.inject({ method: 'POST', url: '/logout', headers: { cookie, origin: 'http://localhost:80', host: 'localhost:80' } })
  t.equal(sameOrigin.statusCode, 303)
  const sameSite = await app.inject({ method: 'POST', url: '/logout', headers: { cookie, 'sec-fetch-site': 'same-origin' } })
  t.equal(sameSite.statusCode, 303)
  const getCross = await app.inject({ url: '/login', headers: { 'sec-fetch-site': 'cross-site' } })
  t.equal(getCross.statusCode, 200, 'a link from elsewhere can still open a page')
})

t.test('request bodies are size limited', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({
    method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'password=' + 'a'.repeat(BODY_LIMIT + 10)
  })
  t.equal(res.statusCode, 413)
})

t.test('static assets are public; htmx is served from our origin', async (t) => {
  const { app } = await build(t)
  const htmx = await app.inject('/static/vendor/htmx.min.js')
  t.equal(htmx.statusCode, 200)
  t.match(htmx.body, /htmx/)
  t.equal((await app.inject('/static/css/app.css')).statusCode, 200)
  t.equal((await app.inject('/static/js/app.js')).statusCode, 200)
  const other = await app.inject('/static/vendor/package.json')
  t.not(other.statusCode, 200, 'only htmx itself is exposed from node_modules')
})

t.test('unknown pages are 404 behind the login, and errors hide internals', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const missing = await app.inject({ url: '/no/such/page', headers: { cookie } })
  t.equal(missing.statusCode, 404)
  t.match(missing.body, /Not found/)
  const apiMissing = await app.inject({ url: '/api/nothing', headers: { cookie } })
  t.equal(apiMissing.statusCode, 404)
  t.equal(apiMissing.json().error, 'Not Found')
  t.equal((await app.inject('/no/such/page')).statusCode, 303, 'no probing without a session')
})

t.test('a 500 shows a reference, never the error message or stack', async (t) => {
  const { app } = await build(t, { env: {} })
  const cookie = await login(app)
  await t.test('page', async (t) => {
    const res = await app.inject({ url: '/history/1', headers: { cookie } })
    t.equal(res.statusCode, 404)
  })
  // Break the history repository to force an internal error on a real route.
  const original = app.history.list.bind(app.history)
  app.history.list = () => { throw new Error('secret internals: /var/lib/dokku') }
  t.teardown(() => { app.history.list = original })
  const res = await app.inject({ url: '/history', headers: { cookie } })
  t.equal(res.statusCode, 500)
  t.notMatch(res.body, /secret internals|\/var\/lib\/dokku|at /)
  t.match(res.body, /Something went wrong/)
  t.match(res.body, /Reference: <code>req-/)
  const frag = await app.inject({ url: '/history', headers: { cookie, 'hx-request': 'true' } })
  t.equal(frag.statusCode, 500)
  t.notMatch(frag.body, /secret internals/)
  t.match(String(frag.headers['hx-trigger']), /"level":"error"/)
})

t.test('websocket upgrades need the session cookie and a same-origin page', async (t) => {
  const { app } = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const cookie = await login(app)
  // The job stream of a job that does not exist: an upgrade that gets through closes with 4404.
  const url = `ws://127.0.0.1:${port}/jobs/424242/ws`

  const attempt = (headers: Record<string, string>) => new Promise<string>((resolve) => {
    const ws = new WebSocket(url, { headers })
    ws.on('close', (code) => resolve(`close:${code}`))
    ws.on('unexpected-response', (_req, res) => { resolve(`status:${res.statusCode}`) })
    ws.on('error', (e) => resolve(`error:${e.message}`))
  })

  t.equal(await attempt({ origin: `http://127.0.0.1:${port}`, cookie }), 'close:4404')
  t.equal(await attempt({ origin: `http://127.0.0.1:${port}` }), 'status:401')
  t.equal(await attempt({ origin: `http://127.0.0.1:${port}`, cookie: 'session=forged.token.here' }), 'status:401')
  t.equal(await attempt({ origin: 'https://evil.example', cookie }), 'status:403')
})

t.test('behind a trusted proxy, each client has its own login limit', async (t) => {
  const { app } = await build(t, { env: { DOCKLIGHT_TRUST_PROXY: '127.0.0.1' } })
  await exhaust(t, app, '127.0.0.1', '203.0.113.1')
  const blocked = await loginVia(app, '127.0.0.1', '203.0.113.1', PASSWORD)
  t.equal(blocked.statusCode, 429, 'the client that failed waits')
  t.ok(blocked.headers['retry-after'])
  t.equal((await loginVia(app, '127.0.0.1', '203.0.113.2', PASSWORD)).statusCode, 303, 'another client behind the same proxy does not')
  t.equal((await loginVia(app, '127.0.0.1', '203.0.113.1, 127.0.0.1', PASSWORD)).statusCode, 429, 'the proxy\'s own hop is skipped')
  // A peer that is not the trusted proxy cannot pick its key with the header.
  t.equal((await loginVia(app, '198.51.100.7', '203.0.113.9', PASSWORD)).statusCode, 303)
  await exhaust(t, app, '198.51.100.7', '203.0.113.10')
  t.equal((await loginVia(app, '198.51.100.7', '203.0.113.11', PASSWORD)).statusCode, 429, 'an untrusted peer is keyed by its own address, whatever it forwards')
})

t.test('without a trusted proxy, X-Forwarded-For is ignored', async (t) => {
  const { app } = await build(t)
  await exhaust(t, app, '127.0.0.1', '203.0.113.1')
  t.equal((await loginVia(app, '127.0.0.1', '203.0.113.2', PASSWORD)).statusCode, 429, 'a forged header does not buy a fresh bucket')
  t.equal((await loginVia(app, '127.0.0.2', '203.0.113.1', PASSWORD)).statusCode, 303, 'the real peer address is the key')
})
