import type { FastifyReply } from 'fastify'
import type { JobSpec } from '../../jobs/manager.js'
import { isFragmentRequest } from '../../plugins/views.js'

/**
 * Starts a job and answers at once: htmx gets the live job panel (202) and a toast; a plain
 * form post is sent to the job's own page. An app that is busy gets 409 (AppBusyError).
 */
export async function respondWithJob (reply: FastifyReply, spec: JobSpec): Promise<FastifyReply> {
  const job = reply.server.jobs.start(spec)
  if (isFragmentRequest(reply.request)) {
    reply.code(202).toast({ level: 'info', message: `${spec.label} started.` })
    return reply.fragment('job', { job, poll: false })
  }
  return reply.redirect(`/jobs/${job.id}`, 303)
}
