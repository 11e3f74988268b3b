import type { FastifyInstance } from 'fastify'

/** The dokku commands run so far that match `pattern`, as history shows them, newest first. */
export function commandsRun (app: FastifyInstance, pattern: RegExp): string[] {
  return app.history.list({ limit: 500 }).map((r) => r.command).filter((c) => pattern.test(c))
}

/** The id of the job whose live panel is in a response (or its body). */
export function jobId (res: string | { body: string }): number {
  const body = typeof res === 'string' ? res : res.body
  const m = /data-job-id="(\d+)"/.exec(body)
  if (!m) throw new Error(`no job panel in: ${body.slice(0, 300)}`)
  return Number(m[1])
}
