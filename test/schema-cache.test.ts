/**
 * Route schemas are compiled once per distinct content, on the first request that needs them,
 * and a lazily compiled validator reports its errors as Ajv's own would.
 */
import Fastify from 'fastify'
import t from 'tap'
import { RouteValidators } from '../src/schema-cache.js'

t.test('one compile per distinct schema, at its first use', async (t) => {
  const compiled: object[] = []
  const ajv = {
    compile (schema: object) {
      compiled.push(schema)
      const fn = (data: unknown) => {
        const ok = typeof data === 'string'
        fn.errors = ok ? null : [{ message: 'must be string' }]
        return ok
      }
      fn.errors = null as unknown
      return fn
    }
  }
  const validators = new RouteValidators()
  validators.attach(ajv)
  const a = ajv.compile({ type: 'string' }) as ((d: unknown) => boolean) & { errors?: unknown }
  const b = ajv.compile({ type: 'string' }) as typeof a
  const c = ajv.compile({ type: 'number' }) as typeof a
  t.equal(a, b, 'the same content shares one validator')
  t.not(a, c)
  t.equal(compiled.length, 0, 'nothing is compiled before a request needs it')
  t.equal(a('x'), true)
  t.equal(a.errors, null)
  t.equal(a(1), false)
  t.same(a.errors, [{ message: 'must be string' }], 'errors are the compiled validator\'s')
  t.equal(b('y'), true)
  t.equal(compiled.length, 1, 'compiled once for both routes')
  t.equal(validators.uncompiled, 1, 'the number schema is still to compile')
  t.same(await validators.warm(), [])
  t.equal(compiled.length, 2, 'warm() compiled it')
  t.equal(validators.uncompiled, 0)
  t.equal(c('z'), true, 'the fake compiler checks strings, whatever the schema')
  t.equal(compiled.length, 2, 'and its first use compiles nothing more')
})

t.test('warm() compiles what is left one per turn, and reports a schema Ajv refuses', async (t) => {
  const validators = new RouteValidators()
  const log: string[] = []
  const ajv = {
    compile (schema: { type?: string }) {
      log.push(`compile ${schema.type}`)
      if (schema.type === 'bogus') throw new Error('schema is invalid: data/type must be equal to one of the allowed values')
      return () => true
    }
  }
  validators.attach(ajv)
  ajv.compile({ type: 'bogus' })
  ajv.compile({ type: 'string' })
  setImmediate(() => log.push('another turn'))
  const refused = await validators.warm()
  t.same(log, ['compile bogus', 'another turn', 'compile string'], 'the event loop runs between two compiles')
  t.equal(refused.length, 1)
  t.match(refused[0]!.message, /schema is invalid/)
  t.equal(validators.uncompiled, 0, 'each is tried once (a refused one fails its requests)')
})

t.test('in Fastify: a lazily compiled validator coerces, refuses and says why', async (t) => {
  const app = Fastify({ ajv: { customOptions: { coerceTypes: 'array', removeAdditional: true }, onCreate: new RouteValidators().attach } })
  t.teardown(() => app.close())
  const querystring = { type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['n'] }
  app.get('/a', { schema: { querystring } }, async (req) => req.query)
  app.get('/b', { schema: { querystring: { ...querystring } } }, async (req) => req.query)
  const ok = await app.inject({ url: '/a?n=3' })
  t.equal(ok.statusCode, 200)
  t.same(ok.json(), { n: 3 }, 'coerced to an integer')
  const bad = await app.inject({ url: '/b?n=0' })
  t.equal(bad.statusCode, 400)
  t.match(bad.json().message, /querystring\/n must be >= 1/)
  t.equal((await app.inject({ url: '/b' })).statusCode, 400, 'a missing field')
})
