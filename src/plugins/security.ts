import rateLimit from '@fastify/rate-limit'
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import helmet, { type HelmetOptions } from 'helmet'
import type { IncomingMessage, ServerResponse } from 'node:http'

export interface SecurityPluginOptions {
  production: boolean
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/**
 * True when a browser tells us the request came from another site. Requests with neither
 * `Sec-Fetch-Site` nor `Origin` are not from a browser form or script, so they cannot carry
 * a victim's cookie cross-site, and pass.
 */
export function isCrossSite (req: FastifyRequest): boolean {
  const site = req.headers['sec-fetch-site']
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none'
  const origin = req.headers.origin
  if (origin === undefined) return false
  try {
    const from = new URL(origin)
    const self = new URL(`${from.protocol}//${req.headers.host ?? ''}`)
    // Compared as parsed URLs, so an explicit default port (:80, :443) matches its absence.
    return from.host !== self.host
  } catch {
    return true
  }
}

/** Helmet's options: a strict CSP (no inline script or style), HSTS behind TLS only. */
function helmetOptions (production: boolean): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        // Upgrading would break a plain-HTTP install on a LAN; production sits behind TLS.
        ...(production ? { upgradeInsecureRequests: [] } : {})
      }
    },
    hsts: production,
    crossOriginEmbedderPolicy: false
  }
}

/**
 * The headers helmet sets, worked out once. Our policy is the same for every response (no
 * nonces), and @fastify/helmet rebuilds helmet's middleware (parsing every CSP directive again)
 * on each request, in two hooks: that was a tenth of the CPU of a small page. Helmet itself
 * still decides every header; it just runs once, at boot, against a recording response.
 */
export function securityHeaders (production: boolean): Record<string, string> {
  const headers: Record<string, string> = {}
  const recorder = {
    setHeader (name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value)
    },
    removeHeader (name: string) { delete headers[name.toLowerCase()] }
  }
  helmet(helmetOptions(production))({} as IncomingMessage, recorder as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err
  })
  return headers
}

/** Security headers with a strict CSP, cross-site request refusal, and the rate limiter. */
export default fp<SecurityPluginOptions>(async (app, opts) => {
  const headers = securityHeaders(opts.production)

  // No route is limited by default. The login counts its failures through createRateLimit
  // (routes/auth/login-limit.ts); the store is per process, like the app.
  await app.register(rateLimit, { global: false })

  // A callback hook, not an async one: it runs on every request, static files included, and an
  // async hook costs a promise and a microtask turn each time. The same goes for the auth and
  // host hooks after it.
  app.addHook('onRequest', (req, reply, done) => {
    reply.headers(headers)
    const isUpgrade = req.headers.upgrade?.toLowerCase() === 'websocket'
    // Webhooks come from other sites by design; their HMAC signature is their check.
    if ((SAFE_METHODS.has(req.method) && !isUpgrade) || !isCrossSite(req) || req.routeOptions.config?.webhook === true) {
      done()
      return
    }
    req.log.warn({ origin: req.headers.origin, site: req.headers['sec-fetch-site'] }, 'refused a cross-site request')
    // Answered here: `done` is not called, so nothing after this hook runs.
    reply.code(403).type('text/plain; charset=utf-8').send('Cross-site request refused.')
  })
}, { name: 'security' })
