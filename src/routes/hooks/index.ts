import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import { appName } from '../../services/apps.js'
import { InvalidArgumentError } from '../../services/errors.js'
import { receiveDelivery } from '../../services/webhooks.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A webhook: signed by HMAC, so no session and no Origin check (security.ts). */
    webhook?: boolean
  }
}

const HookParams = Type.Object({ app: Type.String({ minLength: 1, maxLength: 200 }) })
type HookParams = Static<typeof HookParams>

/** GitHub caps payloads at 25 MB; a push's is a few KB. Bigger bodies are refused (413) unread. */
export const HOOK_BODY_LIMIT = 1024 * 1024
/** Per app and host: deliveries with a good signature a minute, and refused ones. */
export const SIGNED_PER_MINUTE = 30
export const UNSIGNED_PER_MINUTE = 20
/** Bound: apps whose counts are kept at once (@fastify/rate-limit's LRU). */
const LIMIT_KEYS = 10_000

/**
 * `POST /hooks/github/:app` and `POST /hooks/generic/:app`, and the same under
 * `/hosts/:host/` for another host. The body is kept raw: the signature is over its bytes.
 */
const hooksRoutes: FastifyPluginAsync = async (app) => {
  // This scope only: every body as its raw bytes (JSON or GitHub's form-encoded payload).
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: HOOK_BODY_LIMIT }, (_req, body, done) => { done(null, body) })

  const key = (req: FastifyRequest) => `${req.dokkuHost.name}\0${(req.params as HookParams).app}`
  // `cache` sizes the store's LRU; the runtime passes it through though the type omits it.
  const signed = app.createRateLimit({ max: SIGNED_PER_MINUTE, timeWindow: 60_000, keyGenerator: key, cache: LIMIT_KEYS } as Parameters<typeof app.createRateLimit>[0])
  const unsigned = app.createRateLimit({ max: UNSIGNED_PER_MINUTE, timeWindow: 60_000, keyGenerator: key, cache: LIMIT_KEYS } as Parameters<typeof app.createRateLimit>[0])

  /** `isAllowed` means "on the allow list"; otherwise the count decides. */
  const within = (state: Awaited<ReturnType<typeof signed>>) => state.isAllowed || !state.isExceeded

  for (const provider of ['github', 'generic'] as const) {
    const handler = async (req: FastifyRequest<{ Params: HookParams }>, reply: FastifyReply) => {
      let name: string
      try {
        name = appName(req.params.app)
      } catch (err) {
        if (!(err instanceof InvalidArgumentError)) throw err
        return reply.code(404).send({ status: 'invalid', reason: 'no such app' })
      }
      const answer = await receiveDelivery(req.dokkuHost, name, {
        provider,
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        contentType: req.headers['content-type'] ?? '',
        headers: req.headers,
        limits: { signed: async () => within(await signed(req)), unsigned: async () => within(await unsigned(req)) }
      })
      return reply.code(answer.status).header('Cache-Control', 'no-store').send(answer.body)
    }
    const options = { schema: { params: HookParams }, config: { public: true, webhook: true } }
    // Also at /hosts/<name>/hooks/… for another host (app.ts routes it here).
    app.post(`/hooks/${provider}/:app`, options, handler)
  }
}

export default hooksRoutes
