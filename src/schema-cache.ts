import { setImmediate as nextTurn } from 'node:timers/promises'

/** What we use of the Ajv instance Fastify's validator compiler creates. */
interface Compiler {
  compile (schema: object, meta?: boolean): unknown
}

type Validator = ((data: unknown) => unknown) & { errors?: unknown }
type LazyValidator = Validator & { compileNow: () => void; compiled: () => boolean }

/**
 * Route validators, compiled once per distinct schema, and not before the server listens.
 *
 * Once: many routes share the same params and querystring schemas (boot compiled 332
 * validators for 49 distinct schemas). Ajv caches by object identity, and Fastify hands it a
 * fresh copy per route; this caches by content. A compiled validator holds no state between
 * calls (its `errors` is read at once), so routes may share it.
 *
 * Not before listening: compiling every schema at boot was an eighth of the time from spawn to
 * the first 200 (generating and evaluating Ajv's code). A route's validator is compiled by its
 * first request, or by `warm()`, which the server runs once it listens: one schema per turn of
 * the event loop, so that no request waits behind all of them and, a few seconds after start,
 * no first request pays for a compile either. A schema Ajv refuses is logged then (and fails
 * its route's requests with a 500). Bound: one entry per distinct schema of a registered route.
 */
export class RouteValidators {
  private readonly byContent = new Map<string, LazyValidator>()
  private readonly pending: LazyValidator[] = []

  /** Fastify's `ajv.onCreate`: takes over the instance's `compile`. */
  readonly attach = (ajv: Compiler): void => {
    const compile = ajv.compile.bind(ajv)
    ajv.compile = (schema: object, meta?: boolean) => {
      const key = JSON.stringify(schema)
      let validate = this.byContent.get(key)
      if (validate === undefined) {
        let real: Validator | undefined
        const lazy = ((data: unknown) => {
          real ??= compile(schema, meta) as Validator
          const valid = real(data)
          lazy.errors = real.errors
          return valid
        }) as LazyValidator
        lazy.compileNow = () => { real ??= compile(schema, meta) as Validator }
        lazy.compiled = () => real !== undefined
        this.byContent.set(key, validate = lazy)
        this.pending.push(lazy)
      }
      return validate
    }
  }

  /** How many validators no request and no warm() has compiled yet. */
  get uncompiled (): number { return this.pending.filter((v) => !v.compiled()).length }

  /** Compiles what no request has needed yet, one per event-loop turn; the errors of those Ajv refused. */
  async warm (): Promise<Error[]> {
    const refused: Error[] = []
    for (let lazy = this.pending.shift(); lazy !== undefined; lazy = this.pending.shift()) {
      if (lazy.compiled()) continue
      try {
        lazy.compileNow()
      } catch (err) {
        refused.push(err instanceof Error ? err : new Error(String(err)))
      }
      await nextTurn()
    }
    return refused
  }
}
