import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import { appName, appState } from '../../services/apps.js'
import {
  deployFromArchive, deployFromGit, deployFromImage, deployPage, releaseDetail, releasesPanel, rollback, ARCHIVE_TYPES
} from '../../services/deploys.js'
import { AppBusyError, InvalidArgumentError } from '../../services/errors.js'
import { removeWebhook, setupWebhook } from '../../services/webhooks.js'
import { AppParams } from '../params.js'

const GitBody = Type.Object({ repo: Type.String({ maxLength: 2000 }), ref: Type.Optional(Type.String({ maxLength: 500 })), if_changes: Type.Optional(Type.String({ maxLength: 5 })) })
const ImageBody = Type.Object({ image: Type.String({ maxLength: 1000 }) })
const ArchiveBody = Type.Object({ url: Type.String({ maxLength: 2000 }), type: Type.String({ maxLength: 20 }) })
const WebhookBody = Type.Object({ repo: Type.String({ maxLength: 2000 }), branch: Type.String({ maxLength: 300 }) })
const RollbackBody = Type.Object({ confirm: Type.String({ maxLength: 40 }) })
const ReleaseParams = Type.Object({ app: Type.String({ minLength: 1, maxLength: 200 }), id: Type.Integer({ minimum: 1 }) })
type ReleaseParams = Static<typeof ReleaseParams>

type FormKind = 'git' | 'image' | 'archive'

/** Which form a refused field belongs to. */
const FORM_OF_FIELD: Record<string, FormKind> = { repo: 'git', ref: 'git', ifChanges: 'git', build: 'git', image: 'image', url: 'archive', type: 'archive' }

/** Where a request came in: the payload URLs of a webhook when DOCKLIGHT_PUBLIC_URL is unset. */
function requestBase (req: FastifyRequest, reply: FastifyReply): { origin: string; hostBase: string } {
  return { origin: `${req.protocol}://${req.host}`, hostBase: reply.hostPath('') }
}

const deployRoutes: FastifyPluginAsync = async (app) => {
  async function page (req: FastifyRequest<{ Params: AppParams }>, reply: FastifyReply, extra: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const host = req.dokkuHost
    const name = appName(req.params.app)
    const [data, state] = await Promise.all([deployPage(host, name, requestBase(req, reply)), appState(host, name)])
    return { title: `Deploy · ${name}`, appName: name, appState: state, tab: 'deploy', archiveTypes: ARCHIVE_TYPES, ...data, ...extra }
  }

  app.get<{ Params: AppParams }>('/apps/:app/deploy', { schema: { params: AppParams } }, async (req, reply) => {
    return reply.render('app-deploy', await page(req, reply))
  })

  // The releases panel alone, refreshed when a job on the app ends.
  app.get<{ Params: AppParams }>('/apps/:app/deploy/releases', { schema: { params: AppParams } }, async (req, reply) => {
    const name = appName(req.params.app)
    return reply.fragment('deploy-releases', { appName: name, ...(await releasesPanel(req.dokkuHost, name)) })
  })

  /** A deploy form: its job, or the form again (422) with what was wrong. */
  async function submit (req: FastifyRequest<{ Params: AppParams }>, reply: FastifyReply, kind: FormKind, values: Record<string, string>, start: () => Promise<unknown>) {
    try {
      const job = await start()
      return await reply.job(job as Parameters<FastifyReply['job']>[0], { retarget: { target: '#job-area', swap: 'innerHTML' } })
    } catch (err) {
      if (err instanceof AppBusyError) {
        reply.code(409)
        return reply.fragment('deploy-form', { appName: appName(req.params.app), form: kind, values, errors: { form: err.message }, archiveTypes: ARCHIVE_TYPES, features: null })
      }
      if (!(err instanceof InvalidArgumentError)) throw err
      const form = FORM_OF_FIELD[err.field] ?? kind
      const errors = { [err.field in FORM_OF_FIELD ? err.field : 'form']: err.message }
      return reply.invalid({
        partial: 'deploy-form',
        page: 'app-deploy',
        data: await page(req, reply, { form, values, errors, formErrors: { [form]: { values, errors } } }).catch(() => ({ appName: appName(req.params.app), form, values, errors, archiveTypes: ARCHIVE_TYPES, features: null }))
      })
    }
  }

  app.post<{ Params: AppParams; Body: Static<typeof GitBody> }>('/apps/:app/deploy/git', { schema: { params: AppParams, body: GitBody } }, async (req, reply) => {
    const values = { repo: req.body.repo, ref: req.body.ref ?? '', if_changes: req.body.if_changes ?? '' }
    return submit(req, reply, 'git', values, () => deployFromGit(req.dokkuHost, appName(req.params.app), { repo: values.repo, ref: values.ref, ifChanges: values.if_changes === '1' }))
  })

  app.post<{ Params: AppParams; Body: Static<typeof ImageBody> }>('/apps/:app/deploy/image', { schema: { params: AppParams, body: ImageBody } }, async (req, reply) => {
    return submit(req, reply, 'image', { image: req.body.image }, () => deployFromImage(req.dokkuHost, appName(req.params.app), { image: req.body.image }))
  })

  app.post<{ Params: AppParams; Body: Static<typeof ArchiveBody> }>('/apps/:app/deploy/archive', { schema: { params: AppParams, body: ArchiveBody } }, async (req, reply) => {
    return submit(req, reply, 'archive', { url: req.body.url, type: req.body.type }, () => deployFromArchive(req.dokkuHost, appName(req.params.app), req.body))
  })

  app.get<{ Params: ReleaseParams }>('/apps/:app/deploy/releases/:id', { schema: { params: ReleaseParams } }, async (req, reply) => {
    const host = req.dokkuHost
    const name = appName(req.params.app)
    const [detail, state] = await Promise.all([releaseDetail(host, name, req.params.id), appState(host, name)])
    if (!detail) return reply.callNotFound()
    return reply.render('app-release', { title: `Release #${detail.release.id} · ${name}`, appName: name, appState: state, tab: 'deploy', ...detail })
  })

  // The rollback confirmation: what will be rebuilt, and that config stays as it is.
  app.get<{ Params: ReleaseParams }>('/apps/:app/deploy/releases/:id/rollback', { schema: { params: ReleaseParams } }, async (req, reply) => {
    const host = req.dokkuHost
    const name = appName(req.params.app)
    const [detail, state] = await Promise.all([releaseDetail(host, name, req.params.id), appState(host, name)])
    if (!detail) return reply.callNotFound()
    return reply.render('app-rollback', { title: `Roll back ${name}`, appName: name, appState: state, tab: 'deploy', ...detail })
  })

  app.post<{ Params: ReleaseParams; Body: Static<typeof RollbackBody> }>('/apps/:app/deploy/releases/:id/rollback', {
    schema: { params: ReleaseParams, body: RollbackBody }
  }, async (req, reply) => {
    const host = req.dokkuHost
    const name = appName(req.params.app)
    try {
      return await reply.job(await rollback(host, name, req.params.id, req.body.confirm), { retarget: { target: '#job-area', swap: 'innerHTML' } })
    } catch (err) {
      if (!(err instanceof InvalidArgumentError) && !(err instanceof AppBusyError)) throw err
      reply.code(err instanceof AppBusyError ? 409 : 422)
      reply.toast({ level: 'error', message: err.message })
      return reply.fragment('alert', { level: 'error', message: err.message })
    }
  })

  app.post<{ Params: AppParams; Body: Static<typeof WebhookBody> }>('/apps/:app/deploy/webhook', { schema: { params: AppParams, body: WebhookBody } }, async (req, reply) => {
    const host = req.dokkuHost
    const name = appName(req.params.app)
    try {
      const { view, secret } = setupWebhook(host, name, req.body, requestBase(req, reply))
      reply.header('Cache-Control', 'no-store')
      return await reply.render('app-webhook-secret', { title: `Webhook · ${name}`, appName: name, appState: null, tab: 'deploy', webhook: view, secret })
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err
      return reply.invalid({ partial: 'deploy-webhook', page: 'app-deploy', data: await page(req, reply, { webhookErrors: { [err.field]: err.message }, webhookValues: req.body }) })
    }
  })

  app.post<{ Params: AppParams }>('/apps/:app/deploy/webhook/remove', { schema: { params: AppParams } }, async (req, reply) => {
    const name = appName(req.params.app)
    reply.toast({ level: 'info', message: removeWebhook(req.dokkuHost, name) ? `The webhook of ${name} is removed: deliveries are refused from now on.` : 'There was no webhook.' })
    return reply.goTo(reply.hostPath(`/apps/${name}/deploy`))
  })
}

export default deployRoutes
