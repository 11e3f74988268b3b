import type { FastifyPluginAsync } from 'fastify'
import { Type, type Static } from 'typebox'
import { isFragmentRequest } from '../../plugins/views.js'
import { cancelJob, findJob, followJob, type JobEvent, type JobSnapshot } from '../../services/jobs.js'

const JobParams = Type.Object({ id: Type.Integer({ minimum: 1 }) })
type JobParams = Static<typeof JobParams>
const JobQuery = Type.Object({ poll: Type.Optional(Type.Literal('1')) })
type JobQuery = Static<typeof JobQuery>

/** dokku's app names never hold a space or colon; lock keys of jobs across apps do ("all apps"). */
const REAL_APP = /^[a-z0-9][a-z0-9._-]*$/

const jobsRoutes: FastifyPluginAsync = async (app) => {
  const lookup = (id: number): JobSnapshot | undefined => findJob(app.jobs, app.history, id)

  /** The job's app page, on the job's own host. */
  function appUrl (job: JobSnapshot): string | null {
    if (!REAL_APP.test(job.app) || !app.hosts.get(job.host)) return null
    return `${app.hosts.several ? `/hosts/${job.host}` : ''}/apps/${job.app}`
  }

  app.get<{ Params: JobParams; Querystring: JobQuery }>('/jobs/:id', {
    schema: { params: JobParams, querystring: JobQuery }
  }, async (req, reply) => {
    const job = lookup(req.params.id)
    if (!job) return reply.callNotFound()
    const running = job.status === 'running' || job.status === 'queued'
    const data = { title: job.label, job, jobAppUrl: appUrl(job), poll: req.query.poll === '1', refreshWithoutScript: running }
    // For htmx the job page's fragment is its panel: that is what a panel swaps itself with.
    return isFragmentRequest(req) ? reply.fragment('job', data) : reply.render('job', data)
  })

  app.post<{ Params: JobParams }>('/jobs/:id/cancel', { schema: { params: JobParams } }, async (req, reply) => {
    const job = lookup(req.params.id)
    if (!job) return reply.callNotFound()
    const verdict = await cancelJob(app.jobs, job.id)
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
    const job = lookup(req.params.id)
    if (!job) {
      socket.close(4404, 'no such job')
      return
    }
    send({ type: 'snapshot', text: job.output })
    // The page may have been rendered while the job was still queued: say where it stands now.
    if (job.status === 'running') send({ type: 'status', status: 'running' })
    const unsubscribe = followJob(app.jobs, job, (event) => {
      send(event)
      if (event.type === 'done') socket.close(1000, 'done')
    })
    if (!unsubscribe) {
      send({ type: 'done', status: job.status, exitCode: job.exitCode, error: job.error })
      socket.close(1000, 'done')
      return
    }
    socket.on('close', unsubscribe)
  })
}

export default jobsRoutes
