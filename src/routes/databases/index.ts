import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import type { DatabaseServices } from '../../dokku/client.js'
import { DokkuError, InvalidArgumentError } from '../../dokku/errors.js'
import type { ServiceInfo } from '../../dokku/parsers/databases.js'
import {
  validateAppName, validateConfirmation, validateDbPlugin, validateEnvKey, validateServiceName, type DbPlugin
} from '../../dokku/validate.js'
import { isFragmentRequest } from '../../plugins/views.js'
import { loadAppNames } from '../apps/model.js'
import { respondWithJob } from '../jobs/start.js'
import { installHint, maskDsn, PLUGIN_LABELS, serviceLockKey } from './dsn.js'

const ServiceParams = Type.Object({
  plugin: Type.String({ minLength: 1, maxLength: 200 }),
  service: Type.String({ minLength: 1, maxLength: 200 })
})
type ServiceParams = Static<typeof ServiceParams>

// Form fields are checked by the dokku validators (422 with the form), not by the schema (a bare 400).
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

type Errors = Record<string, string>

interface FormState<F> {
  form: F
  errors: Errors
}

interface ServiceRow {
  name: string
  status: string | null
  version: string | null
  links: string[]
  /** The service could not be read (its row still shows, with dokku's message). */
  error: string | null
}

interface PluginGroup {
  plugin: DbPlugin
  label: string
  installed: boolean
  hint: string
  services: ServiceRow[]
}

/** What the detail templates need of a service; the DSN only ever masked. */
interface ShownService {
  plugin: DbPlugin
  label: string
  name: string
  status: string
  version: string
  internalIp: string
  exposedPorts: string[]
  links: string[]
  dataDir: string
  configDir: string
  serviceRoot: string
  id: string
  maskedDsn: string
  hasPassword: boolean
}

function shownService (plugin: DbPlugin, name: string, info: ServiceInfo): ShownService {
  const maskedDsn = maskDsn(info.dsn)
  return {
    plugin,
    label: PLUGIN_LABELS[plugin],
    name,
    status: info.status,
    version: info.version,
    internalIp: info.internalIp,
    exposedPorts: info.exposedPorts,
    links: info.links,
    dataDir: info.dataDir,
    configDir: info.configDir,
    serviceRoot: info.serviceRoot,
    id: info.id,
    maskedDsn,
    hasPassword: maskedDsn !== info.dsn
  }
}

/** A 422 for htmx lands on the form it came from, not in the job area the form targets. */
function retarget (req: FastifyRequest, reply: FastifyReply, selector: string): void {
  reply.code(422)
  if (isFragmentRequest(req)) reply.header('HX-Retarget', selector).header('HX-Reswap', 'outerHTML')
}

function fieldErrors (err: unknown): Errors {
  if (!(err instanceof InvalidArgumentError)) throw err
  // The link alias is checked as a variable name (dokku appends _URL): say "Alias" to the user.
  return { [err.field]: err.field === 'alias' ? err.message.replace(/^Variable name/, 'Alias') : err.message }
}

const databasesRoutes: FastifyPluginAsync = async (app) => {
  // Database answers change with any app (a link sets its config): cached as spanning all apps,
  // so every job drops them.
  const allServices = () => app.readCache.get('listAllServices', 'all', () => app.dokku.listAllServices())
  const serviceInfo = (plugin: DbPlugin, service: string) =>
    app.readCache.get(`serviceInfo:${plugin}:${service}`, 'all', () => app.dokku.serviceInfo(plugin, service))
  const appNames = () => loadAppNames(app).catch(() => null)

  async function groups (): Promise<PluginGroup[]> {
    const listed: DatabaseServices[] = await allServices()
    return Promise.all(listed.map(async (entry): Promise<PluginGroup> => ({
      plugin: entry.plugin,
      label: PLUGIN_LABELS[entry.plugin],
      installed: entry.installed,
      hint: installHint(entry.plugin),
      services: await Promise.all(entry.services.map(async (s): Promise<ServiceRow> => {
        try {
          const read = await serviceInfo(entry.plugin, s.name)
          if (!read.installed) return { name: s.name, status: null, version: null, links: [], error: 'plugin not installed' }
          return { name: s.name, status: read.info.status, version: read.info.version, links: read.info.links, error: null }
        } catch (err) {
          if (!(err instanceof DokkuError)) throw err
          return { name: s.name, status: s.status, version: s.version, links: s.links ?? [], error: err.message }
        }
      }))
    })))
  }

  async function renderList (reply: FastifyReply, create: FormState<{ plugin: string; service: string }>): Promise<FastifyReply> {
    const list = await groups()
    return reply.render('databases', {
      title: 'Databases',
      groups: list,
      installedPlugins: list.filter((g) => g.installed).map((g) => ({ plugin: g.plugin, label: g.label })),
      create
    })
  }

  app.get('/databases', async (_req, reply) => {
    return renderList(reply, { form: { plugin: '', service: '' }, errors: {} })
  })

  app.post<{ Body: CreateBody }>('/databases', { schema: { body: CreateBody } }, async (req, reply) => {
    const form = { plugin: req.body.plugin ?? '', service: (req.body.service ?? '').trim() }
    let errors: Errors = {}
    let plugin: DbPlugin | undefined
    let service: string | undefined
    try {
      plugin = validateDbPlugin(form.plugin, 'plugin')
    } catch (err) { errors = { ...errors, ...fieldErrors(err) } }
    try {
      service = validateServiceName(form.service, 'service')
    } catch (err) { errors = { ...errors, ...fieldErrors(err) } }

    if (plugin !== undefined && service !== undefined) {
      const entry = (await allServices()).find((e) => e.plugin === plugin)
      if (!entry?.installed) {
        errors.plugin = `The ${plugin} plugin is not installed. Install it on the server with: ${installHint(plugin)}`
      } else if (entry.services.some((s) => s.name === service)) {
        errors.service = `A ${PLUGIN_LABELS[plugin]} service named ${service} already exists`
      }
    }
    if (plugin === undefined || service === undefined || Object.keys(errors).length > 0) {
      retarget(req, reply, '#db-create')
      if (isFragmentRequest(req)) {
        const list = await groups()
        return reply.fragment('db-create-form', {
          create: { form, errors },
          installedPlugins: list.filter((g) => g.installed).map((g) => ({ plugin: g.plugin, label: g.label }))
        })
      }
      return renderList(reply, { form, errors })
    }

    const p = plugin
    const s = service
    return respondWithJob(reply, {
      app: serviceLockKey(p, s),
      label: `Create ${p} service ${s}`,
      command: `dokku ${p}:create ${s}`,
      run: (ctx) => app.dokku.createService(p, s, ctx)
    })
  })

  /** The service's plugin and name from the URL (400 with a clear message when refused). */
  function params (req: { params: ServiceParams }): { plugin: DbPlugin; service: string } {
    return { plugin: validateDbPlugin(req.params.plugin, 'plugin'), service: validateServiceName(req.params.service, 'service') }
  }

  interface DetailExtras {
    link?: FormState<{ app: string; alias: string; noRestart: boolean }>
    destroy?: FormState<{ confirm: string }>
    revealedDsn?: string | null
  }

  /** Everything the service page shows, or null when its plugin is not installed. */
  async function detail (plugin: DbPlugin, service: string, extras: DetailExtras = {}): Promise<Record<string, unknown> | null> {
    const [read, apps] = await Promise.all([serviceInfo(plugin, service), appNames()])
    if (!read.installed) return null
    const shown = shownService(plugin, service, read.info)
    return {
      svc: shown,
      linkableApps: apps === null ? null : apps.filter((a) => !shown.links.includes(a)),
      link: extras.link ?? { form: { app: '', alias: '', noRestart: false }, errors: {} },
      destroy: extras.destroy ?? { form: { confirm: '' }, errors: {} },
      revealedDsn: extras.revealedDsn ?? null
    }
  }

  async function renderDetail (reply: FastifyReply, plugin: DbPlugin, service: string, extras: DetailExtras = {}): Promise<FastifyReply> {
    const data = await detail(plugin, service, extras)
    if (data === null) {
      reply.code(404)
      return reply.render('database', {
        title: `${service} · Databases`,
        notInstalled: { plugin, label: PLUGIN_LABELS[plugin], hint: installHint(plugin) },
        plugin,
        service
      })
    }
    return reply.render('database', { title: `${service} · ${PLUGIN_LABELS[plugin]}`, notInstalled: null, plugin, service, ...data })
  }

  app.get<{ Params: ServiceParams }>('/databases/:plugin/:service', { schema: { params: ServiceParams } }, async (req, reply) => {
    const { plugin, service } = params(req)
    return renderDetail(reply, plugin, service)
  })

  // The service panel on its own: refreshed when a job ends (a destroyed service says so, with 200).
  app.get<{ Params: ServiceParams }>('/databases/:plugin/:service/info', { schema: { params: ServiceParams } }, async (req, reply) => {
    const { plugin, service } = params(req)
    if (!isFragmentRequest(req)) return reply.redirect(`/databases/${plugin}/${service}`, 303)
    try {
      const data = await detail(plugin, service)
      if (data !== null) return await reply.fragment('db-service', { plugin, service, ...data })
    } catch (err) {
      if (!(err instanceof DokkuError && err.kind === 'service-missing')) throw err
    }
    return reply.fragment('db-service', { plugin, service, gone: true })
  })

  // The DSN, password included, one service at a time; never stored by a browser or a proxy.
  app.get<{ Params: ServiceParams; Querystring: DsnQuery }>('/databases/:plugin/:service/dsn', {
    schema: { params: ServiceParams, querystring: DsnQuery }
  }, async (req, reply) => {
    const { plugin, service } = params(req)
    reply.header('Cache-Control', 'no-store')
    const read = await serviceInfo(plugin, service)
    if (!read.installed) return renderDetail(reply, plugin, service)
    const shown = shownService(plugin, service, read.info)
    const reveal = req.query.hide !== '1'
    if (isFragmentRequest(req)) return reply.fragment('db-dsn', { svc: shown, revealedDsn: reveal ? read.info.dsn : null })
    return renderDetail(reply, plugin, service, { revealedDsn: reveal ? read.info.dsn : null })
  })

  app.post<{ Params: ServiceParams; Body: LinkBody }>('/databases/:plugin/:service/link', {
    schema: { params: ServiceParams, body: LinkBody }
  }, async (req, reply) => {
    const { plugin, service } = params(req)
    const form = { app: (req.body.app ?? '').trim(), alias: (req.body.alias ?? '').trim(), noRestart: req.body.no_restart === '1' }
    let errors: Errors = {}
    let appName: string | undefined
    let alias: string | undefined
    try {
      appName = validateAppName(form.app, 'app')
    } catch (err) { errors = { ...errors, ...fieldErrors(err) } }
    try {
      alias = form.alias === '' ? undefined : validateEnvKey(form.alias, 'alias')
    } catch (err) { errors = { ...errors, ...fieldErrors(err) } }

    const read = await serviceInfo(plugin, service)
    if (!read.installed) return renderDetail(reply, plugin, service)
    if (appName !== undefined && read.info.links.includes(appName)) errors.app = `${service} is already linked to ${appName}`

    if (appName === undefined || Object.keys(errors).length > 0) {
      retarget(req, reply, '#db-link')
      const link = { form, errors }
      if (isFragmentRequest(req)) {
        const data = await detail(plugin, service, { link })
        if (data === null) return renderDetail(reply, plugin, service)
        return reply.fragment('db-link-form', { plugin, service, ...data })
      }
      return renderDetail(reply, plugin, service, { link })
    }

    const target = appName
    return respondWithJob(reply, {
      app: target,
      label: `Link ${plugin} service ${service} to ${target}`,
      command: `dokku ${plugin}:link ${service} ${target}`,
      run: (ctx) => app.dokku.linkService(plugin, service, target, { ...ctx, alias, noRestart: form.noRestart })
    })
  })

  app.post<{ Params: ServiceParams; Body: UnlinkBody }>('/databases/:plugin/:service/unlink', {
    schema: { params: ServiceParams, body: UnlinkBody }
  }, async (req, reply) => {
    const { plugin, service } = params(req)
    const target = validateAppName((req.body.app ?? '').trim(), 'app')
    return respondWithJob(reply, {
      app: target,
      label: `Unlink ${plugin} service ${service} from ${target}`,
      command: `dokku ${plugin}:unlink ${service} ${target}`,
      run: (ctx) => app.dokku.unlinkService(plugin, service, target, ctx)
    })
  })

  app.post<{ Params: ServiceParams; Body: DestroyBody }>('/databases/:plugin/:service/destroy', {
    schema: { params: ServiceParams, body: DestroyBody }
  }, async (req, reply) => {
    const { plugin, service } = params(req)
    const typed = req.body.confirm ?? ''
    try {
      validateConfirmation(typed, service, 'confirm')
    } catch (err) {
      const destroy = { form: { confirm: typed }, errors: fieldErrors(err) }
      retarget(req, reply, '#db-destroy')
      if (isFragmentRequest(req)) {
        const data = await detail(plugin, service, { destroy })
        if (data === null) return renderDetail(reply, plugin, service)
        return reply.fragment('db-destroy-form', { plugin, service, ...data })
      }
      return renderDetail(reply, plugin, service, { destroy })
    }
    return respondWithJob(reply, {
      app: serviceLockKey(plugin, service),
      label: `Destroy ${plugin} service ${service}`,
      command: `dokku --force ${plugin}:destroy ${service}`,
      run: (ctx) => app.dokku.destroyService(plugin, service, typed, ctx)
    })
  })
}

export default databasesRoutes
