import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import type { Host } from '../../hosts/host.js'
import { isFragmentRequest } from '../../plugins/views.js'
import * as apps from '../../services/apps.js'
import { DokkuError, InvalidArgumentError } from '../../services/errors.js'
import * as settings from '../../services/settings/index.js'
import { AppParams } from '../params.js'

/**
 * An app's Settings tab (`/apps/:app/settings`): one section per group, each saying what a
 * change does. A change posts to `/apps/:app/settings/<section>/<action>`: htmx gets the
 * section back with a toast (or, when dokku restarts the app, the job's live panel); a plain
 * form goes back to the page (303), or gets the page again with the section's error (422).
 * Also the nginx access/error log tail (`/apps/:app/settings/nginx-logs`).
 */

const SectionParams = Type.Object({
  app: Type.String({ minLength: 1, maxLength: 200 }),
  section: Type.String({ minLength: 1, maxLength: 40 })
})
type SectionParams = Static<typeof SectionParams>
const ActionParams = Type.Object({
  app: Type.String({ minLength: 1, maxLength: 200 }),
  section: Type.String({ minLength: 1, maxLength: 40 }),
  action: Type.String({ minLength: 1, maxLength: 40 })
})
type ActionParams = Static<typeof ActionParams>
/** Every settings form: a few short text fields. */
const SettingsBody = Type.Record(Type.String({ maxLength: 64 }), Type.String({ maxLength: 4096 }), { maxProperties: 40 })
type SettingsBody = Static<typeof SettingsBody>
const LogsQuery = Type.Object({ log: Type.Optional(Type.String({ maxLength: 10 })) })
type LogsQuery = Static<typeof LogsQuery>

/** Fields never echoed back into a form. */
const SECRET_FIELDS = new Set(['password'])

/** Why a form was refused, for its section: our validation, or dokku's own words. */
interface Refusal {
  error?: string
  field?: string
  failure?: { message: string; historyId: number | null }
  /** What was typed (secrets left out), so the form keeps it. */
  values: Record<string, string>
}

const REFUSED_BY_DOKKU: ReadonlyArray<DokkuError['kind']> = ['failed', 'not-installed', 'conflict', 'not-deployed', 'forbidden']

function refusal (err: unknown, body: SettingsBody): Refusal {
  const values = Object.fromEntries(Object.entries(body).filter(([k]) => !SECRET_FIELDS.has(k)).map(([k, v]) => [k, String(v).slice(0, 500)]))
  if (err instanceof InvalidArgumentError) return { error: err.message, field: err.field, values }
  if (err instanceof DokkuError && REFUSED_BY_DOKKU.includes(err.kind)) return { failure: { message: err.message, historyId: err.historyId }, values }
  throw err
}

async function pageData (host: Host, name: string, forms: Record<string, Refusal> = {}): Promise<Record<string, unknown>> {
  return { title: `Settings · ${name}`, appName: name, tab: 'settings', ...(await settings.page(host, name)), forms }
}

const settingsRoutes: FastifyPluginAsync = async (app) => {
  const pagePath = (reply: FastifyReply, name: string, id?: string) => reply.hostPath(`/apps/${name}/settings`) + (id ? `#settings-${id}` : '')

  app.get<{ Params: AppParams }>('/apps/:app/settings', { schema: { params: AppParams } }, async (req, reply) => {
    return reply.render('app-settings', await pageData(req.dokkuHost, apps.appName(req.params.app)))
  })

  // The overview's settings line, when it was not cached for the page (htmx loads it).
  app.get<{ Params: AppParams }>('/apps/:app/settings/summary', { schema: { params: AppParams } }, async (req, reply) => {
    const name = apps.appName(req.params.app)
    return reply.fragment('app-settings-summary', { appName: name, settings: await settings.summary(req.dokkuHost, name) })
  })

  app.get<{ Params: AppParams; Querystring: LogsQuery }>('/apps/:app/settings/nginx-logs', {
    schema: { params: AppParams, querystring: LogsQuery }
  }, async (req, reply) => {
    const name = apps.appName(req.params.app)
    const tail = await settings.logTail(req.dokkuHost, name, req.query.log)
    return reply.render('app-nginx-logs', { title: `Nginx ${tail.log} log · ${name}`, appName: name, tab: 'settings', ...tail })
  })

  // One section alone: refreshed after a job on the app (a proxy toggle, a restart).
  app.get<{ Params: SectionParams }>('/apps/:app/settings/:section', { schema: { params: SectionParams } }, async (req: FastifyRequest<{ Params: SectionParams }>, reply) => {
    const name = apps.appName(req.params.app)
    const id = settings.sectionId(req.params.section)
    if (!isFragmentRequest(req)) return reply.redirect(pagePath(reply, name, id), 303)
    return reply.fragment('app-settings-section', { appName: name, section: await settings.section(req.dokkuHost, name, id), form: {} })
  })

  app.post<{ Params: ActionParams; Body: SettingsBody }>('/apps/:app/settings/:section/:action', {
    schema: { params: ActionParams, body: SettingsBody }
  }, async (req, reply) => {
    const host = req.dokkuHost
    const name = apps.appName(req.params.app)
    const id = settings.sectionId(req.params.section)
    const body = req.body ?? {}
    // Anything the section cannot show (a busy app, dokku unreachable) lands above the sections.
    reply.retarget({ target: '#job-area', swap: 'afterbegin' })
    let result: settings.Performed
    try {
      result = await settings.perform(host, name, id, req.params.action, body)
    } catch (err) {
      const form = refusal(err, body)
      reply.retarget({ target: `#settings-${id}`, swap: 'outerHTML' })
      const data = isFragmentRequest(req)
        ? { appName: name, section: await settings.section(host, name, id), form }
        : await pageData(host, name, { [id]: form })
      return reply.invalid({ partial: 'app-settings-section', page: 'app-settings', data })
    }
    if (result.kind === 'job') return reply.job(result.job, { retarget: { target: '#job-area', swap: 'innerHTML' } })
    if (!isFragmentRequest(req)) return reply.redirect(pagePath(reply, name, id), 303)
    const said = result.warnings.length > 0 ? ` Dokku says: ${result.warnings.join(' ')}` : ''
    reply.toast({ level: result.warnings.length > 0 ? 'info' : 'success', message: result.message + said })
    reply.retarget({ target: `#settings-${id}`, swap: 'outerHTML' })
    return reply.fragment('app-settings-section', { appName: name, section: result.section, form: {}, followUp: result.followUp, notice: result.message })
  })
}

export default settingsRoutes
