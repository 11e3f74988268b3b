import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { Type, type Static } from 'typebox'
import { DokkuError, InvalidArgumentError } from '../../dokku/errors.js'
import { validateConfirmation, validateNewAppName, validateProcessType, validateScaleCount } from '../../dokku/validate.js'
import { isFragmentRequest } from '../../plugins/views.js'
import { deployCancel } from '../../jobs/deploy-cancel.js'
import { respondWithJob } from '../jobs/start.js'
import { displayState, loadOverview } from './model.js'
import { AppParams, appParam } from './params.js'

const CreateBody = Type.Object({ name: Type.String({ maxLength: 300 }) })
type CreateBody = Static<typeof CreateBody>
const DestroyBody = Type.Object({ confirm: Type.String({ maxLength: 300 }) })
type DestroyBody = Static<typeof DestroyBody>
/** Scale form: one `count_<type>` field per process type. */
const ScaleBody = Type.Record(Type.String({ maxLength: 80 }), Type.String({ maxLength: 20 }), { maxProperties: 50 })
type ScaleBody = Static<typeof ScaleBody>

/** How many of the app's latest commands the overview lists. */
const RECENT_ACTIVITY = 8

const LIFECYCLE = {
  restart: { verb: 'Restart', run: 'restart' },
  rebuild: { verb: 'Rebuild', run: 'rebuild' },
  stop: { verb: 'Stop', run: 'stop' },
  start: { verb: 'Start', run: 'start' }
} as const

/** Sends htmx to a new page with HX-Redirect, a plain form post with 303. */
function goTo (reply: FastifyReply, url: string): FastifyReply {
  if (isFragmentRequest(reply.request)) return reply.header('HX-Redirect', url).code(204).send()
  return reply.redirect(url, 303)
}

/** `count_web=2&count_worker=0` → `{ web: 2, worker: 0 }`, each part validated. */
export function parseFormation (body: ScaleBody): Record<string, number> {
  const formation: Record<string, number> = {}
  for (const [field, raw] of Object.entries(body)) {
    if (!field.startsWith('count_')) continue
    const type = validateProcessType(field.slice('count_'.length), field)
    formation[type] = validateScaleCount(raw.trim() === '' ? Number.NaN : Number(raw), field)
  }
  if (Object.keys(formation).length === 0) throw new InvalidArgumentError('formation', 'Give at least one process count.')
  return formation
}

const appsRoutes: FastifyPluginAsync = async (app) => {
  app.get<{ Params: AppParams }>('/apps/:app', { schema: { params: AppParams } }, async (req, reply) => {
    const name = appParam(req.params)
    const overview = await loadOverview(app, name)
    return reply.render('app-overview', {
      title: name, appName: name, appState: displayState(overview.ps), tab: 'overview', ...overview,
      runningJob: app.jobs.runningFor(name) ?? null,
      recent: app.history.list({ app: name, limit: RECENT_ACTIVITY })
    })
  })

  // The processes panel alone, refreshed after every job on the app.
  app.get<{ Params: AppParams }>('/apps/:app/processes', { schema: { params: AppParams } }, async (req, reply) => {
    const name = appParam(req.params)
    return reply.fragment('app-processes', { appName: name, ...(await loadOverview(app, name)) })
  })

  for (const [action, { verb, run }] of Object.entries(LIFECYCLE)) {
    app.post<{ Params: AppParams }>(`/apps/:app/${action}`, { schema: { params: AppParams } }, async (req, reply) => {
      const name = appParam(req.params)
      const label = `${verb} ${name}`
      return respondWithJob(reply, {
        app: name,
        label,
        // A rebuild or restart is a deploy dokku 0.38+ can stop where it runs.
        cancel: run === 'rebuild' || run === 'restart' ? deployCancel(app.dokku, name, label, app.runner.remote) : undefined,
        run: (ctx) => app.dokku[run](name, ctx)
      })
    })
  }

  app.post<{ Params: AppParams; Body: ScaleBody }>('/apps/:app/scale', { schema: { params: AppParams, body: ScaleBody } }, async (req, reply) => {
    const name = appParam(req.params)
    let formation: Record<string, number>
    try {
      formation = parseFormation(req.body)
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err
      const overview = await loadOverview(app, name)
      reply.code(422)
      return reply.fragment('app-processes', { appName: name, ...overview, scaleError: err.message, scaleInput: req.body })
    }
    const summary = Object.entries(formation).map(([t, n]) => `${t}=${n}`).join(' ')
    return respondWithJob(reply, { app: name, label: `Scale ${name} to ${summary}`, run: (ctx) => app.dokku.setScale(name, formation, ctx) })
  })

  app.post<{ Body: CreateBody }>('/apps', { schema: { body: CreateBody } }, async (req, reply) => {
    const typed = req.body.name.trim()
    try {
      const name = validateNewAppName(typed, 'name')
      await app.dokku.createApp(name)
      app.readCache.invalidateApp(name)
      reply.toast({ level: 'success', message: `Created ${name}.` })
      return goTo(reply, `/apps/${name}`)
    } catch (err) {
      const message = err instanceof InvalidArgumentError ? err.message
        : err instanceof DokkuError && err.kind === 'conflict' ? err.message : null
      if (message === null) throw err
      reply.code(422)
      if (isFragmentRequest(req)) return reply.fragment('app-create-form', { createForm: { name: typed, error: message } })
      return reply.render('app-create', { title: 'Create an app', createForm: { name: typed, error: message } })
    }
  })

  // Not under /apps/: "new" is a valid app name.
  app.get('/new-app', async (_req, reply) => reply.render('app-create', { title: 'Create an app', createForm: {} }))

  app.post<{ Params: AppParams; Body: DestroyBody }>('/apps/:app/destroy', { schema: { params: AppParams, body: DestroyBody } }, async (req, reply) => {
    const name = appParam(req.params)
    try {
      validateConfirmation(req.body.confirm.trim(), name, 'confirm')
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err
      reply.code(422)
      if (isFragmentRequest(req)) return reply.fragment('app-destroy-form', { appName: name, destroyError: err.message })
      const overview = await loadOverview(app, name)
      return reply.render('app-overview', {
        title: name, appName: name, appState: displayState(overview.ps), tab: 'overview', ...overview, runningJob: null, destroyError: err.message
      })
    }
    const running = app.jobs.runningFor(name)
    if (running) {
      reply.code(409)
      return reply.fragment('app-destroy-form', { appName: name, destroyError: `${running.label} is still running. Wait for it to finish.` })
    }
    // A job that holds the app's lock: nothing else can start on the app while it goes.
    reply.header('HX-Retarget', '#job-area').header('HX-Reswap', 'innerHTML')
    return respondWithJob(reply, {
      app: name,
      label: `Destroy ${name}`,
      next: { href: '/', text: 'Back to all apps' },
      run: (ctx) => app.dokku.destroyApp(name, name, ctx)
    })
  })
}

export default appsRoutes
