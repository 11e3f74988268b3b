/** What we use of the Ajv instance Fastify's validator compiler creates. */
interface Compiler {
  compile (schema: object, meta?: boolean): unknown
}

type Validator = ((data: unknown) => unknown) & { errors?: unknown }

/**
 * Compiles each distinct route schema once, and only when a request first needs it.
 *
 * Once: many routes share the same params and querystring schemas (boot compiled 332
 * validators for 49 distinct schemas). Ajv caches by object identity, and Fastify hands it a
 * fresh copy per route; this caches by content. A compiled validator holds no state between
 * calls (its `errors` is read at once), so routes may share it.
 *
 * When needed: compiling every schema at boot was an eighth of the time from spawn to the
 * first 200 (generating and evaluating Ajv's code), and kept validators of pages nobody opened
 * in memory. Each is now compiled on its route's first request (a few ms, once). A schema Ajv
 * refuses fails that request with a 500 and the error in the log; the route tests make every
 * route's first request, so such a schema cannot land. Bound: one entry per distinct schema of
 * a registered route.
 */
export function compileOncePerSchema (ajv: Compiler): void {
  const compiled = new Map<string, Validator>()
  const compile = ajv.compile.bind(ajv)
  ajv.compile = (schema: object, meta?: boolean) => {
    const key = JSON.stringify(schema)
    let validate = compiled.get(key)
    if (validate === undefined) {
      let real: Validator | undefined
      const lazy: Validator = (data: unknown) => {
        real ??= compile(schema, meta) as Validator
        const valid = real(data)
        lazy.errors = real.errors
        return valid
      }
      compiled.set(key, validate = lazy)
    }
    return validate
  }
}
