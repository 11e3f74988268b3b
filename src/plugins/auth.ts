import cookie from '@fastify/cookie'
import { createSigner, createVerifier } from 'fast-jwt'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { PRUNE_INTERVAL_MS, SessionRevocations } from '../sessions/revocations.js'
import { SessionSockets, type SessionSocket } from '../sessions/sockets.js'

export const SESSION_COOKIE = 'session'
export const SESSION_TTL_SECONDS = 24 * 60 * 60

/** Bound: how many verified session tokens fast-jwt remembers (least recently used go first). */
export const VERIFIED_TOKENS_CACHED = 1000

/** A session id: 16 random bytes (128 bits), base64url. */
const SID_PATTERN = /^[A-Za-z0-9_-]{22}$/

/** What a session's token says, once verified. */
export interface SessionClaims {
  sub: 'admin'
  /** Fingerprint of the password it was issued under. */
  pwf: string
  /** Session id: what logout revokes. */
  sid: string
  /** Session generation it was issued in: "log out everywhere" raises it. */
  gen: number
  iat: number
  exp: number
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without a session (login, /api/health). */
    public?: boolean
  }
  interface FastifyRequest {
    /** The verified session, set by the auth check; null on public routes (use sessionOf). */
    user: SessionClaims | null
  }
  interface FastifyInstance {
    checkPassword (candidate: string): boolean
    startSession (reply: FastifyReply): Promise<void>
    /** Ends the request's session on the server (and its websockets), and clears the cookie. */
    endSession (req: FastifyRequest, reply: FastifyReply): void
    /** Ends every session issued until now (and every websocket), and clears the cookie. */
    endAllSessions (reply: FastifyReply): void
    /** Registers a websocket opened by the request's session, so that ending it closes the socket. */
    trackSessionSocket (req: FastifyRequest, socket: SessionSocket): void
    sessionRevocations: SessionRevocations
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

/** The verified session of a request that passed the auth check; null on public routes. */
export function sessionOf (req: FastifyRequest): SessionClaims | null {
  return req.user ?? null
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
  // originalUrl: the address as asked, with its `/hosts/<name>` prefix (routed without it).
  return req.method === 'GET' ? safeNextPath(req.originalUrl) : '/'
}

function isSessionClaims (c: Partial<SessionClaims> | null | undefined): c is SessionClaims {
  return typeof c === 'object' && c !== null && c.sub === 'admin' && typeof c.pwf === 'string' &&
    typeof c.sid === 'string' && SID_PATTERN.test(c.sid) && Number.isSafeInteger(c.gen) &&
    Number.isSafeInteger(c.iat) && Number.isSafeInteger(c.exp)
}

/**
 * One shared password; a signed JWT in an httpOnly cookie. The token carries a fingerprint of
 * the password (changing DOCKLIGHT_PASSWORD ends every old session), a session id that logout
 * revokes on the server, and the session generation that "log out everywhere" raises.
 */
export default fp<AuthPluginOptions>(async (app, opts) => {
  const fingerprint = createHmac('sha256', opts.secret).update('docklight-password\0' + opts.password).digest('base64url').slice(0, 22)
  const passwordDigest = sha256(opts.password)
  const revocations = new SessionRevocations(app.db)
  const sockets = new SessionSockets()

  const pruner = setInterval(() => {
    try { revocations.prune() } catch (err) { app.log.warn({ err }, 'pruning logged-out sessions failed') }
  }, PRUNE_INTERVAL_MS)
  pruner.unref()
  app.addHook('onClose', async () => { clearInterval(pruner) })

  await app.register(cookie)
  // fast-jwt directly (the library @fastify/jwt wraps), one signer and one verifier for the
  // process. Through @fastify/jwt, jwtVerify({ onlyCookie }) built a new verifier and key
  // object on every request, then decoded the token and ran a callback waterfall before
  // verifying. The verifier keeps the tokens it verified (bound: VERIFIED_TOKENS_CACHED, each
  // until its expiry, failures too), so a page view costs a lookup, not an HMAC. Revocation and
  // the password fingerprint are still checked on every request (hasSession), from memory.
  const sign = createSigner({ key: opts.secret, algorithm: 'HS256', expiresIn: SESSION_TTL_SECONDS * 1000 })
  // (The cache's key stays fast-jwt's SHA-256 of the token: keying by the token itself saved
  // a hash per request, ~2 % of a cached page, but fast-jwt warns on every custom key builder.)
  const verify = createVerifier({ key: opts.secret, algorithms: ['HS256'], cache: VERIFIED_TOKENS_CACHED })
  app.decorateRequest('user', null)

  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'strict', secure: opts.production } as const

  app.decorate('sessionRevocations', revocations)
  app.decorate('checkPassword', (candidate: string) => timingSafeEqual(sha256(candidate), passwordDigest))

  app.decorate('startSession', async (reply: FastifyReply) => {
    const token = sign({ sub: 'admin', pwf: fingerprint, sid: randomBytes(16).toString('base64url'), gen: revocations.generation })
    reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions, maxAge: SESSION_TTL_SECONDS })
  })

  app.decorate('endSession', (req: FastifyRequest, reply: FastifyReply) => {
    const session = sessionOf(req)
    if (session) {
      if (revocations.revoke(session.sid, session.exp * 1000) === 'all') {
        app.log.warn('the list of logged-out sessions is full: ended every session instead')
        sockets.closeAll('Logged out')
      } else {
        sockets.close(session.sid, 'Logged out')
      }
    }
    reply.clearCookie(SESSION_COOKIE, cookieOptions)
  })

  app.decorate('endAllSessions', (reply: FastifyReply) => {
    revocations.endAll()
    sockets.closeAll('Logged out everywhere')
    reply.clearCookie(SESSION_COOKIE, cookieOptions)
  })

  app.decorate('trackSessionSocket', (req: FastifyRequest, socket: SessionSocket) => {
    const session = sessionOf(req)
    if (session) sockets.add(session.sid, socket)
  })

  /** Verifies the cookie's token; the session stays on the request (`sessionOf`) when valid. */
  function hasSession (req: FastifyRequest): boolean {
    const token = req.cookies[SESSION_COOKIE]
    if (typeof token !== 'string' || token === '') return false
    let claims: Partial<SessionClaims>
    try {
      claims = verify(token) as Partial<SessionClaims>
    } catch {
      return false
    }
    if (!isSessionClaims(claims) || claims.pwf !== fingerprint || !revocations.isActive(claims.sid, claims.gen)) return false
    req.user = claims
    return true
  }

  // A callback hook (see security.ts): a refused request is answered here and `done` not called.
  app.addHook('onRequest', (req, reply, done) => {
    // Static assets (CSS, our scripts, htmx) hold nothing secret; the login page needs them.
    if (req.routeOptions.config?.public === true || req.url.startsWith('/static/') || hasSession(req)) {
      done()
      return
    }

    const isUpgrade = req.headers.upgrade?.toLowerCase() === 'websocket'
    const login = `/login?next=${encodeURIComponent(returnPath(req))}`
    if (isUpgrade || req.url.startsWith('/api/')) {
      reply.code(401).send({ error: 'Unauthorized', message: 'Log in first.' })
    } else if (wantsHtmx(req)) {
      // A login form swapped into a panel would be nonsense: send the whole page there.
      reply.code(401).header('HX-Redirect', login).send('')
    } else {
      reply.redirect(login, 303)
    }
  })
}, { name: 'auth', dependencies: ['db'] })
