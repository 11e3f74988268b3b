import cookie from '@fastify/cookie'
import jwt from '@fastify/jwt'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

export const SESSION_COOKIE = 'session'
export const SESSION_TTL_SECONDS = 24 * 60 * 60

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a session (login, /api/health). */
    public?: boolean
  }
  interface FastifyInstance {
    checkPassword (candidate: string): boolean
    startSession (reply: FastifyReply): Promise<void>
    endSession (reply: FastifyReply): void
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: { sub: 'admin'; pwf: string }
    user: { sub: 'admin'; pwf: string }
  }
}

export interface AuthPluginOptions {
  password: string
  secret: string
  production: boolean
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest()

/** A login is only sent back to a path on this site, never to another host. */
export function safeNextPath (raw: unknown): string {
  if (typeof raw !== 'string' || !raw.startsWith('/') || raw.startsWith('//') || raw.includes('\\') ||
      /[\0-\x1f]/.test(raw) || raw.startsWith('/login') || raw.length > 2000) return '/'
  return raw
}

function wantsHtmx (req: FastifyRequest): boolean {
  return req.headers['hx-request'] === 'true'
}

/** Where the user was: for htmx, the page in the address bar, not the fragment URL. */
function returnPath (req: FastifyRequest): string {
  const current = req.headers['hx-current-url']
  if (wantsHtmx(req) && typeof current === 'string') {
    try { return safeNextPath(new URL(current).pathname + new URL(current).search) } catch { return '/' }
  }
  return req.method === 'GET' ? safeNextPath(req.url) : '/'
}

/**
 * One shared password; a signed JWT in an httpOnly cookie. The token carries a fingerprint of
 * the password, so changing DOCKLIGHT_PASSWORD ends every old session.
 */
export default fp<AuthPluginOptions>(async (app, opts) => {
  const fingerprint = createHmac('sha256', opts.secret).update('docklight-password\0' + opts.password).digest('base64url').slice(0, 22)
  const passwordDigest = sha256(opts.password)

  await app.register(cookie)
  await app.register(jwt, {
    secret: opts.secret,
    cookie: { cookieName: SESSION_COOKIE, signed: false },
    sign: { algorithm: 'HS256', expiresIn: SESSION_TTL_SECONDS },
    verify: { algorithms: ['HS256'] }
  })

  app.decorate('checkPassword', (candidate: string) => timingSafeEqual(sha256(candidate), passwordDigest))

  app.decorate('startSession', async (reply: FastifyReply) => {
    const token = await reply.jwtSign({ sub: 'admin', pwf: fingerprint })
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: opts.production,
      maxAge: SESSION_TTL_SECONDS
    })
  })

  app.decorate('endSession', (reply: FastifyReply) => {
    reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: opts.production })
  })

  async function hasSession (req: FastifyRequest): Promise<boolean> {
    if (typeof req.cookies[SESSION_COOKIE] !== 'string') return false
    try {
      const claims = await req.jwtVerify<{ sub: string; pwf: string }>({ onlyCookie: true })
      return claims.sub === 'admin' && claims.pwf === fingerprint
    } catch {
      return false
    }
  }

  app.addHook('onRequest', async (req, reply) => {
    // Static assets (CSS, our scripts, htmx) hold nothing secret; the login page needs them.
    if (req.routeOptions.config?.public === true || req.url.startsWith('/static/')) return
    if (await hasSession(req)) return

    const isUpgrade = req.headers.upgrade?.toLowerCase() === 'websocket'
    const login = `/login?next=${encodeURIComponent(returnPath(req))}`
    if (isUpgrade || req.url.startsWith('/api/')) {
      return reply.code(401).send({ error: 'Unauthorized', message: 'Log in first.' })
    }
    if (wantsHtmx(req)) {
      // A login form swapped into a panel would be nonsense: send the whole page there.
      return reply.code(401).header('HX-Redirect', login).send('')
    }
    return reply.redirect(login, 303)
  })
}, { name: 'auth' })
