import t from 'tap'
import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import WebSocket from 'ws'
import { build, login, PASSWORD, sessionCookie } from './helpers/build.js'
import { LOGIN_FAILURES_ALLOWED } from '../src/routes/auth/index.js'

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
function forge (secret: string, payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const head = `${b64(header)}.${b64(payload)}`
  const sig = header.alg === 'none' ? '' : createHmac('sha256', secret).update(head).digest('base64url')
  return `${head}.${sig}`
}

/** The claims inside a `session=…` cookie header value. */
function claimsOf (cookie: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(cookie.split('=')[1]!.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>
}

const attempt = (app: Awaited<ReturnType<typeof build>>['app'], password: string, remoteAddress = '127.0.0.1', headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/login', remoteAddress, headers, payload: { password } })

t.test('login page is public, the dashboard is not', async (t) => {
  const { app } = await build(t)
  const page = await app.inject('/login')
  t.equal(page.statusCode, 200)
  t.match(page.body, /name="password"/)
  const home = await app.inject('/')
  t.equal(home.statusCode, 303)
  t.equal(home.headers.location, '/login?next=%2F')
})

t.test('a right password starts a session with a safe cookie', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'POST', url: '/login', payload: { password: PASSWORD } })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/')
  const cookie = res.cookies.find((c) => c.name === 'session')!
  t.ok(cookie, 'session cookie set')
  t.equal(cookie.httpOnly, true)
  t.equal(cookie.sameSite, 'Strict')
  t.equal(cookie.path, '/')
  t.equal(cookie.maxAge, 86400)
  t.notOk(cookie.secure, 'not Secure outside production')
  const home = await app.inject({ url: '/', headers: { cookie: sessionCookie(res) } })
  t.equal(home.statusCode, 200)
  t.match(home.body, /<h1>Apps<\/h1>/)
})

t.test('the cookie is Secure in production', async (t) => {
  const { app } = await build(t, { env: { NODE_ENV: 'production' } })
  const res = await app.inject({ method: 'POST', url: '/login', payload: { password: PASSWORD } })
  t.equal(res.cookies.find((c) => c.name === 'session')!.secure, true)
})

t.test('a wrong password is refused without a cookie', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({ method: 'POST', url: '/login', payload: { password: 'nope' } })
  t.equal(res.statusCode, 401)
  t.match(res.body, /Wrong password/)
  t.notOk(res.cookies.find((c) => c.name === 'session'))
  const missing = await app.inject({ method: 'POST', url: '/login', payload: {} })
  t.equal(missing.statusCode, 400)
})

t.test('only failed logins count, per client; the 429 says when to retry', async (t) => {
  const lines: string[] = []
  const logStream = new Writable({ write (chunk, _enc, done) { lines.push(String(chunk)); done() } })
  const { app } = await build(t, { logger: { level: 'info', stream: logStream } })

  for (let i = 0; i < LOGIN_FAILURES_ALLOWED + 3; i++) {
    t.equal((await attempt(app, PASSWORD, '10.0.0.1')).statusCode, 303, `success ${i + 1} is not counted`)
  }
  for (let i = 0; i < LOGIN_FAILURES_ALLOWED; i++) {
    const r = await attempt(app, 'wrong guess 77', '10.0.0.1')
    t.equal(r.statusCode, 401, `failure ${i + 1} is answered`)
    t.match(r.body, /Wrong password/)
  }

  const limited = await attempt(app, PASSWORD, '10.0.0.1')
  t.equal(limited.statusCode, 429)
  const retryAfter = Number(limited.headers['retry-after'])
  t.ok(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60, `Retry-After is whole seconds within the window (${limited.headers['retry-after']})`)
  t.match(limited.body, new RegExp(`Too many failed logins from your address\\. Try again in ${retryAfter} seconds?\\.`))
  t.match(limited.body, /<form method="post" action="\/login"/, 'the login page, with the message')
  t.match(limited.body, /<html/, 'a whole page for a browser')
  t.notOk(limited.cookies.find((c) => c.name === 'session'), 'even the right password waits')

  const htmx = await attempt(app, PASSWORD, '10.0.0.1', { 'hx-request': 'true' })
  t.equal(htmx.statusCode, 429)
  t.ok(htmx.headers['retry-after'])
  t.notMatch(htmx.body, /<html/, 'htmx gets a fragment, not a page')
  t.match(htmx.body, /class="alert error" role="alert">Too many failed logins/)
  t.match(JSON.parse(String(htmx.headers['hx-trigger'])), { toast: { level: 'error', message: /Try again in \d+ seconds?\./ } })

  t.equal((await attempt(app, PASSWORD, '10.0.0.2')).statusCode, 303, 'another client is not affected')

  // A success does not clear earlier failures: they expire with their window.
  for (let i = 0; i < LOGIN_FAILURES_ALLOWED - 1; i++) t.equal((await attempt(app, 'nope', '10.0.0.3')).statusCode, 401)
  t.equal((await attempt(app, PASSWORD, '10.0.0.3')).statusCode, 303)
  t.equal((await attempt(app, 'nope', '10.0.0.3')).statusCode, 401, 'the last allowed failure')
  t.equal((await attempt(app, PASSWORD, '10.0.0.3')).statusCode, 429, 'then the client waits, success or not')

  const log = lines.join('')
  t.match(log, /login refused: too many failed attempts/)
  t.notMatch(log, /wrong guess 77|correct horse/, 'no password, right or wrong, reaches the log')
  t.same(app.history.list({ limit: 10 }), [], 'logins run no dokku command and leave no history row')
})

t.test('returns the user where they were after login, only to local paths', async (t) => {
  const { app } = await build(t)
  const away = await app.inject('/history?app=web')
  t.equal(away.headers.location, '/login?next=%2Fhistory%3Fapp%3Dweb')
  const page = await app.inject('/login?next=%2Fhistory%3Fapp%3Dweb')
  t.match(page.body, /name="next" value="\/history\?app=web"/)
  const res = await app.inject({ method: 'POST', url: '/login', payload: { password: PASSWORD, next: '/history?app=web' } })
  t.equal(res.headers.location, '/history?app=web')
  for (const evil of ['//evil.example', 'https://evil.example/', '/\\evil.example', '/login?next=x']) {
    const r = await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.0.0.9', payload: { password: PASSWORD, next: evil } })
    t.equal(r.headers.location, '/', `refuses ${evil}`)
  }
})

t.test('an htmx request without a session gets HX-Redirect, not a login form', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({
    url: '/server-health',
    headers: { 'hx-request': 'true', 'hx-current-url': 'http://localhost/history?status=failed' }
  })
  t.equal(res.statusCode, 401)
  t.equal(res.headers['hx-redirect'], '/login?next=%2Fhistory%3Fstatus%3Dfailed')
  t.equal(res.body, '')
})

t.test('API routes answer 401 JSON without a session', async (t) => {
  const { app } = await build(t)
  const res = await app.inject('/api/server/health')
  t.equal(res.statusCode, 401)
  t.same(res.json(), { error: 'Unauthorized', message: 'Log in first.' })
})

t.test('forged, expired, none-alg, stale-password and session-less tokens are refused', async (t) => {
  const { app, config } = await build(t)
  const now = Math.floor(Date.now() / 1000)
  const good = await login(app)
  const goodPayload = claimsOf(good)
  t.match(goodPayload, { sub: 'admin', sid: /^[A-Za-z0-9_-]{22}$/, gen: 0 }, 'the token carries a 128-bit session id and its generation')
  t.not(claimsOf(await login(app)).sid, goodPayload.sid, 'each login gets its own session id')
  const withoutSid = { ...goodPayload }
  delete withoutSid.sid
  const cases: Record<string, string> = {
    'wrong secret': forge('another-secret-that-is-long-enough-to-use', { ...goodPayload }),
    expired: forge(config.secret, { ...goodPayload, iat: now - 90000, exp: now - 3600 }),
    'alg none': forge(config.secret, { ...goodPayload }, { alg: 'none', typ: 'JWT' }),
    'other password': forge(config.secret, { ...goodPayload, pwf: 'not-the-fingerprint' }),
    'no session id (a token from before sessions were revocable)': forge(config.secret, withoutSid),
    'malformed session id': forge(config.secret, { ...goodPayload, sid: 'x' }),
    'unknown generation': forge(config.secret, { ...goodPayload, gen: 7 }),
    garbage: 'not.a.jwt'
  }
  for (const [name, token] of Object.entries(cases)) {
    const res = await app.inject({ url: '/', headers: { cookie: `session=${token}` } })
    t.equal(res.statusCode, 303, name)
  }
  const ok = await app.inject({ url: '/', headers: { cookie: good } })
  t.equal(ok.statusCode, 200, 'the real one still works')
})

t.test('changing the password ends old sessions', async (t) => {
  const first = await build(t, { env: { DOCKLIGHT_SECRET: 's'.repeat(40) } })
  const cookie = await login(first.app)
  const second = await build(t, { env: { DOCKLIGHT_SECRET: 's'.repeat(40), DOCKLIGHT_PASSWORD: 'a brand new password' } })
  t.equal((await second.app.inject({ url: '/', headers: { cookie } })).statusCode, 303)
  const third = await build(t, { env: { DOCKLIGHT_SECRET: 's'.repeat(40) } })
  t.equal((await third.app.inject({ url: '/', headers: { cookie } })).statusCode, 200, 'same password, same secret: still valid')
})

t.test('logout ends that session on the server: its old cookie opens nothing', async (t) => {
  const { app } = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const cookie = await login(app)
  const other = await login(app)
  t.equal((await app.inject({ url: '/', headers: { cookie } })).statusCode, 200)

  const res = await app.inject({ method: 'POST', url: '/logout', headers: { cookie } })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/login')
  t.equal(res.cookies.find((c) => c.name === 'session')!.value, '', 'the cookie is cleared')

  const page = await app.inject({ url: '/', headers: { cookie } })
  t.equal(page.statusCode, 303, 'a page refuses the old cookie')
  t.equal(page.headers.location, '/login?next=%2F')
  const frag = await app.inject({ url: '/server-health', headers: { cookie, 'hx-request': 'true' } })
  t.equal(frag.statusCode, 401)
  t.ok(frag.headers['hx-redirect'])
  t.equal((await app.inject({ url: '/api/server/health', headers: { cookie } })).statusCode, 401)
  t.equal((await app.inject({ method: 'POST', url: '/logout/all', headers: { cookie } })).statusCode, 303, 'nor can it log anyone out')
  t.equal((await app.inject({ url: '/', headers: { cookie: other } })).statusCode, 200, 'so the other session still works')

  const upgrade = await new Promise<string>((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/jobs/424242/ws`, { headers: { cookie, origin: `http://127.0.0.1:${port}` } })
    ws.on('close', (code) => resolve(`close:${code}`))
    ws.on('unexpected-response', (_req, r) => resolve(`status:${r.statusCode}`))
    ws.on('error', (e) => resolve(`error:${e.message}`))
  })
  t.equal(upgrade, 'status:401', 'a websocket refuses it too')
})

t.test('log out everywhere ends every session issued until now', async (t) => {
  const { app } = await build(t)
  const a = await login(app)
  const b = await login(app)
  const settings = await app.inject({ url: '/settings', headers: { cookie: a } })
  t.match(settings.body, /Last "log out everywhere"<\/dt><dd>never<\/dd>/)

  const res = await app.inject({ method: 'POST', url: '/logout/all', headers: { cookie: a } })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/login')
  t.equal(res.cookies.find((c) => c.name === 'session')!.value, '')
  t.equal((await app.inject({ url: '/', headers: { cookie: a } })).statusCode, 303, 'the session that asked')
  t.equal((await app.inject({ url: '/', headers: { cookie: b } })).statusCode, 303, 'and every other one')

  // A login in the same second as "log out everywhere" is a new session, and it works.
  const fresh = await login(app)
  t.equal((await app.inject({ url: '/', headers: { cookie: fresh } })).statusCode, 200)
  const after = await app.inject({ url: '/settings', headers: { cookie: fresh } })
  t.match(after.body, /Last "log out everywhere"<\/dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/dd>/)
})

t.test('logouts survive a restart', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'docklight-sessions-'))
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }))
  const env = { DOCKLIGHT_DATA_DIR: dataDir, DOCKLIGHT_SECRET: 's'.repeat(40) }
  const first = await build(t, { env })
  const ended = await login(first.app)
  const kept = await login(first.app)
  await first.app.inject({ method: 'POST', url: '/logout', headers: { cookie: ended } })
  await first.app.close()

  const second = await build(t, { env })
  t.equal((await second.app.inject({ url: '/', headers: { cookie: ended } })).statusCode, 303, 'the logged-out session stays ended')
  t.equal((await second.app.inject({ url: '/', headers: { cookie: kept } })).statusCode, 200, 'the other one still works')
  await second.app.inject({ method: 'POST', url: '/logout/all', headers: { cookie: kept } })
  await second.app.close()

  const third = await build(t, { env })
  t.equal((await third.app.inject({ url: '/', headers: { cookie: kept } })).statusCode, 303, '"log out everywhere" stays in force')
  t.equal((await third.app.inject({ url: '/', headers: { cookie: await login(third.app) } })).statusCode, 200)
})

t.test('the settings page has a Sessions section with "log out everywhere"', async (t) => {
  const { app } = await build(t)
  t.equal((await app.inject('/settings')).statusCode, 303, 'behind the login')
  const cookie = await login(app)
  const page = await app.inject({ url: '/settings', headers: { cookie } })
  t.equal(page.statusCode, 200)
  t.match(page.body, /<a href="\/settings">Settings<\/a>/, 'linked from the header')
  t.match(page.body, /<section class="card settings-section" id="sessions"[^>]*>\s*<h2 id="sessions-title">Sessions<\/h2>/)
  t.match(page.body, /<a href="#sessions">Sessions<\/a>/)
  t.match(page.body, /<form method="post" action="\/logout\/all"[^>]*>[\s\S]*<button type="submit" class="danger">Log out everywhere<\/button>/, 'a real form: works without script')
  t.match(page.body, /This session started<\/dt><dd>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/)
  const frag = await app.inject({ url: '/settings', headers: { cookie, 'hx-request': 'true' } })
  t.notMatch(frag.body, /<html/)
  t.match(frag.body, /id="sessions"/)
})
