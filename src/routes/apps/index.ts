import type { FastifyPluginAsync } from 'fastify'
import { Type, type Static } from 'typebox'
import * as apps from '../../services/apps.js'
import { DokkuError, InvalidArgumentError } from '../../services/errors.js'
import { isFragmentRequest } from '../../plugins/views.js'
import { AppParams } from '../params.js'

const CreateBody = Type.Object({ name: Type.String({ maxLength: 300 }) })
type CreateBody = Static<typeof CreateBody>
const DestroyBody = Type.Object({ confirm: Type.String({ maxLength: 300 }) })
type DestroyBody = Static<typeof DestroyBody>
/** Scale form: one `count_<type>` field per process type. */
const ScaleBody = Type.Record(Type.String({ maxLength: 80 }), Type.String({ maxLength: 20 }), { maxProperties: 50 })
type ScaleBody = Static<typeof ScaleBody>

const appsRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Params: AppParams }>('/apps/:app', { schema: { params: AppParams } }, async (req, reply) => {
    const name = apps.appName(req.params.app)
    const page = await apps.overview(req.dokkuHost, name)
    return reply.render('app-overview', { title: name, appName: name, appState: page.state, tab: 'overview', ...page })
  })

  // The processes panel alone, refreshed after every job on the app.
  app.get<{ Params: AppParams }>('/apps/:app/processes', { schema: { params: AppParams } }, async (req, reply) => {
    const name = apps.appName(req.params.app)
    return reply.fragment('app-processes', { appName: name, ...(await apps.processes(req.dokkuHost, name)) })
  })

  // The lifecycle buttons and the state badge alone: each refreshes itself when a job on the app starts or ends.
  app.get<{ Params: AppParams }>('/apps/:app/actions', { schema: { params: AppParams } }, async (req, reply) => {
    const name = apps.appName(req.params.app)
    return reply.fragment('app-actions', { appName: name, ...(await apps.actions(req.dokkuHost, name)) })
  })

  app.get<{ Params: AppParams }>('/apps/:app/state', { schema: { params: AppParams } }, async (req, reply) => {
    const name = apps.appName(req.params.app)
    return reply.fragment('app-state', { appName: name, appState: await apps.appState(req.dokkuHost, name) })
  })

  // Stop and Rebuild ask first: their buttons GET this confirmation (a panel for htmx, a page
  // without JS), whose form POSTs the action.
  for (const action of Object.keys(apps.CONFIRMED) as apps.LifecycleAction[]) {
    app.get<{ Params: AppParams }>(`/apps/:app/${action}`, { schema: { params: AppParams } }, async (req, reply) => {
      const name = apps.appName(req.params.app)
      const data = { appName: name, action, verb: apps.LIFECYCLE[action].verb, description: apps.CONFIRMED[action]!(name) }
      if (isFragmentRequest(req)) return reply.fragment('app-confirm', data)
      return reply.render('app-confirm', { title: `${data.verb} ${name}?`, tab: 'overview', appState: await apps.appState(req.dokkuHost, name), ...data })
    })
  }

  for (const action of Object.keys(apps.LIFECYCLE) as apps.LifecycleAction[]) {
    app.post<{ Params: AppParams }>(`/apps/:app/${action}`, { schema: { params: AppParams } }, async (req, reply) => {
      return reply.job(apps.lifecycle(req.dokkuHost, apps.appName(req.params.app), action))
    })
  }

  app.post<{ Params: AppParams; Body: ScaleBody }>('/apps/:app/scale', { schema: { params: AppParams, body: ScaleBody } }, async (req, reply) => {
    const name = apps.appName(req.params.app)
    try {
      return await reply.job(apps.scale(req.dokkuHost, name, req.body))
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err
      reply.code(422)
      return reply.fragment('app-processes', { appName: name, ...(await apps.processes(req.dokkuHost, name)), scaleError: err.message, scaleInput: req.body })
    }
  })

  app.post<{ Body: CreateBody }>('/apps', { schema: { body: CreateBody } }, async (req, reply) => {
    const typed = req.body.name.trim()
    try {
      const name = await apps.create(req.dokkuHost, typed)
      reply.toast({ level: 'success', message: `Created ${name}.` })
      return reply.goTo(reply.hostPath(`/apps/${name}`))
    } catch (err) {
      const refused = err instanceof InvalidArgumentError || (err instanceof DokkuError && err.kind === 'conflict')
      if (!refused) throw err
      const createForm = { name: typed, error: (err as Error).message }
      return reply.invalid({ partial: 'app-create-form', page: 'app-create', data: { title: 'Create an app', createForm } })
    }
  })

  // Not under /apps/: "new" is a valid app name.
  app.get('/new-app', async (_req, reply) => reply.render('app-create', { title: 'Create an app', createForm: {} }))

  app.post<{ Params: AppParams; Body: DestroyBody }>('/apps/:app/destroy', { schema: { params: AppParams, body: DestroyBody } }, async (req, reply) => {
    const host = req.dokkuHost
    const name = apps.appName(req.params.app)
    const running = host.runningJob(name)
    if (running) {
      reply.code(409)
      return reply.fragment('app-destroy-form', { appName: name, destroyError: `${running.label} is still running. Wait for it to finish.` })
    }
    let job
    try {
      job = apps.destroy(host, name, req.body.confirm, { href: reply.hostPath('/'), text: 'Back to all apps' })
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err
      if (isFragmentRequest(req)) {
        reply.code(422)
        return reply.fragment('app-destroy-form', { appName: name, destroyError: err.message })
      }
      const page = await apps.overview(host, name)
      reply.code(422)
      return reply.render('app-overview', { title: name, appName: name, appState: page.state, tab: 'overview', ...page, runningJob: null, destroyError: err.message })
    }
    // A job that holds the app's lock: nothing else can start on the app while it goes.
    return reply.job(job, { retarget: { target: '#job-area', swap: 'innerHTML' } })
  })
}

export default appsRoutes
