import type { FastifyPluginAsync } from 'fastify'
import { Type, type Static } from 'typebox'
import type { JobEvent, JobSnapshot } from '../../jobs/manager.js'
import { isFragmentRequest } from '../../plugins/views.js'
import { stripAnsi } from '../../views/format.js'

const JobParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })
type JobParams = Static<typeof JobParams>
const JobQuery = Type.Object({ poll: Type.Optional(Type.Literal('1')) })
type JobQuery = Static<typeof JobQuery>

const jobsRoutes: FastifyPluginAsync = async (app) => {
  /** A job from memory while this process knows it, otherwise from its history row. */
  function findJob (id: number): JobSnapshot | undefined {
    const live = app.jobs.get(id)
    if (live) return live
    const row = app.history.get(id)
    if (!row || row.kind !== 'job') return undefined
    return {
      id: row.id,
      app: row.app ?? '',
      label: row.label ?? row.command,
      command: row.command,
      status: row.status,
      exitCode: row.exitCode,
      error: row.error,
      output: stripAnsi(row.stdout + row.stderr),
      startedAt: row.createdAt,
      finishedAt: row.finishedAt
    }
  }

  app.get<{ Params: JobParams; Querystring: JobQuery }>('/jobs/:id', {
    schema: { params: JobParams, querystring: JobQuery }
  }, async (req, reply) => {
    const job = findJob(req.params.id)
    if (!job) return reply.callNotFound()
    const data = { title: job.label, job, poll: req.query.poll === '1', refreshWithoutScript: job.status === 'running' || job.status === 'queued' }
    // For htmx the job page's fragment is its panel: that is what a panel swaps itself with.
    return isFragmentRequest(req) ? reply.fragment('job', data) : reply.render('job', data)
  })

  app.post<{ Params: JobParams }>('/jobs/:id/cancel', { schema: { params: JobParams } }, async (req, reply) => {
    const job = findJob(req.params.id)
    if (!job) return reply.callNotFound()
    const verdict = await app.jobs.cancel(job.id)
    reply.toast({ level: 'info', message: verdict ? verdict.message : 'That job has already finished.' })
    return reply.redirect(`/jobs/${job.id}`, 303)
  })

  app.get<{ Params: JobParams }>('/jobs/:id/ws', { websocket: true, schema: { params: JobParams } }, (socket, req) => {
    app.trackSessionSocket(req, socket)
    const send = (event: JobEvent | { type: 'snapshot'; text: string }) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event))
    }
    // Browsers only listen; anything they send is ignored, never parsed.
    socket.on('message', () => {})
    const job = findJob(req.params.id)
    if (!job) {
      socket.close(4404, 'no such job')
      return
    }
    send({ type: 'snapshot', text: job.output })
    const unsubscribe = job.status === 'running' || job.status === 'queued'
      ? app.jobs.subscribe(job.id, (event) => {
        send(event)
        if (event.type === 'done') socket.close(1000, 'done')
      })
      : undefined
    if (!unsubscribe) {
      send({ type: 'done', status: job.status, exitCode: job.exitCode, error: job.error })
      socket.close(1000, 'done')
      return
    }
    socket.on('close', unsubscribe)
  })
}

export default jobsRoutes
