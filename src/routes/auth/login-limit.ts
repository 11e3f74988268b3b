import type { CreateRateLimitOptions } from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'

/** Failed logins a client may make per window before it has to wait. */
export const LOGIN_FAILURES_ALLOWED = 5
export const LOGIN_FAILURE_WINDOW_MS = 60_000
/**
 * Clients whose failures are remembered at once: @fastify/rate-limit's local store is an LRU
 * of this many keys, so a flood of new addresses evicts the oldest, never grows memory.
 */
export const LOGIN_LIMIT_CLIENTS = 10_000

export interface LoginLimit {
  /** Seconds this client must wait before trying again, or null when it may try now. */
  retryAfter (req: FastifyRequest): Promise<number | null>
  /** Counts one failed login against this client. */
  recordFailure (req: FastifyRequest): Promise<void>
}

/**
 * Counts only failed logins, per client. @fastify/rate-limit (11.2+) does this itself:
 * `createRateLimit` peeks with `{ increment: false }` and counts only when called without it.
 * The key is its default, `req.ip` (an IPv6 address by its /64), which Fastify's trustProxy
 * (DOCKLIGHT_TRUST_PROXY) resolves to the real client behind a trusted proxy.
 *
 * A success neither counts nor clears the client's failures: they expire with their window
 * (a minute). Clearing them would let anyone who shares the admin's address (an office NAT, a
 * proxy that is not trusted) earn a fresh set of guesses each time the admin logs in; not
 * clearing costs the admin nothing more than the rest of that minute after several typos.
 */
export function loginLimit (app: FastifyInstance): LoginLimit {
  // `cache` sizes the store's LRU; the runtime passes it through though the type omits it.
  const options: CreateRateLimitOptions & { cache: number } = {
    max: LOGIN_FAILURES_ALLOWED,
    timeWindow: LOGIN_FAILURE_WINDOW_MS,
    cache: LOGIN_LIMIT_CLIENTS
  }
  const limiter = app.createRateLimit(options)
  return {
    async retryAfter (req) {
      const state = await limiter(req, { increment: false })
      if (state.isAllowed || state.remaining > 0) return null
      return Math.max(1, state.ttlInSeconds)
    },
    async recordFailure (req) {
      await limiter(req)
    }
  }
}

/** "in 1 second", "in 42 seconds": the same number as Retry-After (the window is a minute). */
export function retryText (seconds: number): string {
  return `in ${seconds} second${seconds === 1 ? '' : 's'}`
}
