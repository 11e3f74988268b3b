import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import { isFragmentRequest } from '../../plugins/views.js'
import * as databases from '../../services/databases.js'
import { FormRefused, PluginNotInstalled, type ServiceDetail, type ServiceRef } from '../../services/databases.js'

const ServiceParams = Type.Object({
  plugin: Type.String({ minLength: 1, maxLength: 200 }),
  service: Type.String({ minLength: 1, maxLength: 200 })
})
type ServiceParams = Static<typeof ServiceParams>

// Form fields are checked by the service (422 with the form), not by the schema (a bare 400).
const CreateBody = Type.Object({ plugin: Type.Optional(Type.String()), service: Type.Optional(Type.String()) })
type CreateBody = Static<typeof CreateBody>
const LinkBody = Type.Object({
  app: Type.Optional(Type.String()),
  alias: Type.Optional(Type.String()),
  no_restart: Type.Optional(Type.String())
})
type LinkBody = Static<typeof LinkBody>
const UnlinkBody = Type.Object({ app: Type.Optional(Type.String()) })
type UnlinkBody = Static<typeof UnlinkBody>
const DestroyBody = Type.Object({ confirm: Type.Optional(Type.String()) })
type DestroyBody = Static<typeof DestroyBody>
const DsnQuery = Type.Object({ hide: Type.Optional(Type.String()) })
type DsnQuery = Static<typeof DsnQuery>

interface FormState<F> {
  form: F
  errors: Record<string, string>
}

/** The forms of the service page as the user left them (blank unless one was refused). */
interface Forms {
  link?: FormState<databases.LinkForm>
  destroy?: FormState<databases.DestroyForm>
}

const BLANK_CREATE: FormState<databases.CreateForm> = { form: { plugin: '', service: '' }, errors: {} }
const BLANK_LINK: FormState<databases.LinkForm> = { form: { app: '', alias: '', noRestart: false }, errors: {} }
const BLANK_DESTROY: FormState<databases.DestroyForm> = { form: { confirm: '' }, errors: {} }

/** The service page's data. */
function servicePage (detail: ServiceDetail, forms: Forms = {}): Record<string, unknown> {
  const { svc } = detail
  return {
    title: `${svc.name} · ${svc.label}`,
    notInstalled: null,
    plugin: svc.plugin,
    service: svc.name,
    ...detail,
    link: forms.link ?? BLANK_LINK,
    destroy: forms.destroy ?? BLANK_DESTROY
  }
}

/** A 422 for htmx lands on the form it came from, not in the job area the form targets. */
function backToForm (req: FastifyRequest, reply: FastifyReply, target: string): void {
  if (isFragmentRequest(req)) reply.retarget({ target, swap: 'outerHTML' })
}

const databasesRoutes: FastifyPluginAsync = async (app) => {
  /** The page of a plugin that is not installed: 404, with how to install it. */
  function notInstalledPage (reply: FastifyReply, ref: ServiceRef, err: PluginNotInstalled): Promise<FastifyReply> {
    reply.code(404)
    return reply.render('database', {
      title: `${ref.service} · Databases`,
      notInstalled: { plugin: err.plugin, label: err.label, hint: err.hint },
      plugin: ref.plugin,
      service: ref.service
    })
  }

  /** Runs a service-page handler; a plugin that is not installed gets its own page. */
  async function onService (reply: FastifyReply, ref: ServiceRef, handle: () => Promise<FastifyReply>): Promise<FastifyReply> {
    try {
      return await handle()
    } catch (err) {
      if (err instanceof PluginNotInstalled) return notInstalledPage(reply, ref, err)
      throw err
    }
  }

  app.get('/databases', async (req, reply) => {
    return reply.render('databases', { title: 'Databases', ...(await databases.overview(req.dokkuHost)), create: BLANK_CREATE })
  })

  app.post<{ Body: CreateBody }>('/databases', { schema: { body: CreateBody } }, async (req, reply) => {
    const host = req.dokkuHost
    try {
      return await reply.job(await databases.create(host, req.body))
    } catch (err) {
      if (!(err instanceof FormRefused)) throw err
      backToForm(req, reply, '#db-create')
      const create = { form: err.form as databases.CreateForm, errors: err.errors }
      return reply.invalid({ partial: 'db-create-form', page: 'databases', data: { title: 'Databases', ...(await databases.overview(host)), create } })
    }
  })

  app.get<{ Params: ServiceParams }>('/databases/:plugin/:service', { schema: { params: ServiceParams } }, async (req, reply) => {
    const ref = databases.serviceRef(req.params)
    return onService(reply, ref, async () => reply.render('database', servicePage(await databases.detail(req.dokkuHost, ref))))
  })

  // One row of the list, its status, version and links read: what a lazy row loads once shown.
  // A browser without JavaScript follows the row's link to the service's page instead.
  app.get<{ Params: ServiceParams }>('/databases/:plugin/:service/summary', { schema: { params: ServiceParams } }, async (req, reply) => {
    const ref = databases.serviceRef(req.params)
    if (!isFragmentRequest(req)) return reply.redirect(reply.hostPath(`/databases/${ref.plugin}/${ref.service}`), 303)
    const row = await databases.row(req.dokkuHost, ref)
    return reply.fragment('db-service-row', { plugin: ref.plugin, s: row ?? { name: ref.service, gone: true } })
  })

  // The service panel on its own: refreshed when a job ends (a destroyed service says so, with 200).
  app.get<{ Params: ServiceParams }>('/databases/:plugin/:service/info', { schema: { params: ServiceParams } }, async (req, reply) => {
    const ref = databases.serviceRef(req.params)
    if (!isFragmentRequest(req)) return reply.redirect(reply.hostPath(`/databases/${ref.plugin}/${ref.service}`), 303)
    const detail = await databases.panel(req.dokkuHost, ref)
    if (detail === null) return reply.fragment('db-service', { ...ref, gone: true })
    return reply.fragment('db-service', servicePage(detail))
  })

  // The DSN, password included, one service at a time; never stored by a browser or a proxy.
  app.get<{ Params: ServiceParams; Querystring: DsnQuery }>('/databases/:plugin/:service/dsn', {
    schema: { params: ServiceParams, querystring: DsnQuery }
  }, async (req, reply) => {
    reply.header('Cache-Control', 'no-store')
    const ref = databases.serviceRef(req.params)
    const reveal = req.query.hide !== '1'
    return onService(reply, ref, async () => {
      if (isFragmentRequest(req)) return reply.fragment('db-dsn', { ...(await databases.dsn(req.dokkuHost, ref, reveal)) })
      return reply.render('database', servicePage(await databases.detail(req.dokkuHost, ref, { revealDsn: reveal })))
    })
  })

  app.post<{ Params: ServiceParams; Body: LinkBody }>('/databases/:plugin/:service/link', {
    schema: { params: ServiceParams, body: LinkBody }
  }, async (req, reply) => {
    const host = req.dokkuHost
    const ref = databases.serviceRef(req.params)
    return onService(reply, ref, async () => {
      try {
        return await reply.job(await databases.link(host, ref, req.body))
      } catch (err) {
        if (!(err instanceof FormRefused)) throw err
        backToForm(req, reply, '#db-link')
        const link = { form: err.form as databases.LinkForm, errors: err.errors }
        return reply.invalid({ partial: 'db-link-form', page: 'database', data: servicePage(await databases.detail(host, ref), { link }) })
      }
    })
  })

  app.post<{ Params: ServiceParams; Body: UnlinkBody }>('/databases/:plugin/:service/unlink', {
    schema: { params: ServiceParams, body: UnlinkBody }
  }, async (req, reply) => {
    return reply.job(databases.unlink(req.dokkuHost, databases.serviceRef(req.params), req.body.app))
  })

  app.post<{ Params: ServiceParams; Body: DestroyBody }>('/databases/:plugin/:service/destroy', {
    schema: { params: ServiceParams, body: DestroyBody }
  }, async (req, reply) => {
    const host = req.dokkuHost
    const ref = databases.serviceRef(req.params)
    return onService(reply, ref, async () => {
      try {
        return await reply.job(databases.destroy(host, ref, req.body.confirm))
      } catch (err) {
        if (!(err instanceof FormRefused)) throw err
        backToForm(req, reply, '#db-destroy')
        const destroy = { form: err.form as databases.DestroyForm, errors: err.errors }
        return reply.invalid({ partial: 'db-destroy-form', page: 'database', data: servicePage(await databases.detail(host, ref), { destroy }) })
      }
    })
  })
}

export default databasesRoutes
