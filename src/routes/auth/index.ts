import type { FastifyPluginAsync } from 'fastify'
import { Type, type Static } from 'typebox'
import { safeNextPath } from '../../plugins/auth.js'
import { isFragmentRequest } from '../../plugins/views.js'
import { loginLimit, retryText } from './login-limit.js'

export { LOGIN_FAILURES_ALLOWED, LOGIN_FAILURE_WINDOW_MS } from './login-limit.js'

const LoginBody = Type.Object({
  password: Type.String({ maxLength: 1024 }),
  next: Type.Optional(Type.String({ maxLength: 2000 }))
})
type LoginBody = Static<typeof LoginBody>

const LoginQuery = Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) })
type LoginQuery = Static<typeof LoginQuery>

const authRoutes: FastifyPluginAsync = async (app) => {
  const limit = loginLimit(app)

  app.get<{ Querystring: LoginQuery }>('/login', {
    config: { public: true },
    schema: { querystring: LoginQuery }
  }, async (req, reply) => {
    return reply.render('login', { title: 'Log in', signedIn: false, next: safeNextPath(req.query.next) })
  })

  app.post<{ Body: LoginBody }>('/login', {
    config: { public: true },
    schema: { body: LoginBody }
  }, async (req, reply) => {
    const next = safeNextPath(req.body.next)

    // Checked before the password, so that a client that must wait learns nothing, even from
    // the right password.
    const wait = await limit.retryAfter(req)
    if (wait !== null) {
      req.log.warn({ retryAfter: wait }, 'login refused: too many failed attempts')
      const message = `Too many failed logins from your address. Try again ${retryText(wait)}.`
      reply.code(429).header('Retry-After', String(wait))
      if (isFragmentRequest(req)) {
        reply.toast({ level: 'error', message })
        return reply.fragment('alert', { level: 'error', message })
      }
      return reply.render('login', { title: 'Log in', signedIn: false, next, error: message })
    }

    if (!app.checkPassword(req.body.password)) {
      await limit.recordFailure(req)
      req.log.warn('failed login')
      reply.code(401)
      return reply.render('login', { title: 'Log in', signedIn: false, next, error: 'Wrong password.' })
    }
    await app.startSession(reply)
    return reply.redirect(next, 303)
  })

  app.post('/logout', async (req, reply) => {
    app.endSession(req, reply)
    return reply.redirect('/login', 303)
  })

  app.post('/logout/all', async (_req, reply) => {
    app.endAllSessions(reply)
    return reply.redirect('/login', 303)
  })
}

export default authRoutes
