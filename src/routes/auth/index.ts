import type { FastifyPluginAsync } from 'fastify'
import { Type, type Static } from 'typebox'
import { safeNextPath } from '../../plugins/auth.js'

const LoginBody = Type.Object({
  password: Type.String({ maxLength: 1024 }),
  next: Type.Optional(Type.String({ maxLength: 2000 }))
})
type LoginBody = Static<typeof LoginBody>

const LoginQuery = Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) })
type LoginQuery = Static<typeof LoginQuery>

export const LOGIN_ATTEMPTS_PER_MINUTE = 5

const authRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Querystring: LoginQuery }>('/login', {
    config: { public: true },
    schema: { querystring: LoginQuery }
  }, async (req, reply) => {
    return reply.render('login', { title: 'Log in', signedIn: false, next: safeNextPath(req.query.next) })
  })

  app.post<{ Body: LoginBody }>('/login', {
    config: {
      public: true,
      rateLimit: {
        max: LOGIN_ATTEMPTS_PER_MINUTE,
        timeWindow: 60_000,
        errorResponseBuilder: (_req, ctx) => Object.assign(
          new Error(`Too many login attempts. Try again in ${ctx.after}.`), { statusCode: 429, loginPage: true })
      }
    },
    schema: { body: LoginBody }
  }, async (req, reply) => {
    const next = safeNextPath(req.body.next)
    if (!app.checkPassword(req.body.password)) {
      req.log.warn('failed login')
      reply.code(401)
      return reply.render('login', { title: 'Log in', signedIn: false, next, error: 'Wrong password.' })
    }
    await app.startSession(reply)
    return reply.redirect(next, 303)
  })

  app.post('/logout', async (_req, reply) => {
    app.endSession(reply)
    return reply.redirect('/login', 303)
  })
}

export default authRoutes
