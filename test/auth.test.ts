import t from 'tap'
import { createHmac } from 'node:crypto'
import { build, login, PASSWORD, sessionCookie } from './helpers/build.js'
import { LOGIN_ATTEMPTS_PER_MINUTE } from '../src/routes/auth/index.js'

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
function forge (secret: string, payload: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }): string {
  const head = `${b64(header)}.${b64(payload)}`
  const sig = header.alg === 'none' ? '' : createHmac('sha256', secret).update(head).digest('base64url')
  return `${head}.${sig}`
}

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

t.test('login attempts are rate limited per address', async (t) => {
  const { app } = await build(t)
  for (let i = 0; i < LOGIN_ATTEMPTS_PER_MINUTE; i++) {
    const r = await app.inject({ method: 'POST', url: '/login', payload: { password: 'wrong' } })
    t.equal(r.statusCode, 401)
  }
  const limited = await app.inject({ method: 'POST', url: '/login', payload: { password: PASSWORD } })
  t.equal(limited.statusCode, 429)
  t.match(limited.body, /Too many login attempts/)
  t.notOk(limited.cookies.find((c) => c.name === 'session'), 'even the right password waits')
  const other = await app.inject({ method: 'POST', url: '/login', remoteAddress: '10.1.2.3', payload: { password: PASSWORD } })
  t.equal(other.statusCode, 303, 'another address is not affected')
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

t.test('forged, expired, none-alg and stale-password tokens are refused', async (t) => {
  const { app, config } = await build(t)
  const now = Math.floor(Date.now() / 1000)
  const good = await login(app)
  const goodPayload = JSON.parse(Buffer.from(good.split('=')[1]!.split('.')[1]!, 'base64url').toString())
  const cases: Record<string, string> = {
    'wrong secret': forge('another-secret-that-is-long-enough-to-use', { ...goodPayload }),
    expired: forge(config.secret, { ...goodPayload, iat: now - 90000, exp: now - 3600 }),
    'alg none': forge(config.secret, { ...goodPayload }, { alg: 'none', typ: 'JWT' }),
    'other password': forge(config.secret, { sub: 'admin', pwf: 'not-the-fingerprint', iat: now, exp: now + 3600 }),
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

t.test('logout clears the cookie', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ method: 'POST', url: '/logout', headers: { cookie } })
  t.equal(res.statusCode, 303)
  t.equal(res.headers.location, '/login')
  const cleared = res.cookies.find((c) => c.name === 'session')!
  t.equal(cleared.value, '')
})
