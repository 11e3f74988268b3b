import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { Type, type Static } from 'typebox'
import type { Host } from '../../hosts/host.js'
import { isFragmentRequest, type Toast } from '../../plugins/views.js'
import * as apps from '../../services/apps.js'
import * as domains from '../../services/domains.js'
import { InvalidArgumentError, isDokkuError } from '../../services/errors.js'
import * as letsencrypt from '../../services/letsencrypt.js'
import { AppParams } from '../params.js'
import { addedToast, emailToast, removedToast } from './messages.js'

/**
 * Domains & TLS of one app (`/apps/:app/domains`) and the Let's Encrypt overview of all apps
 * (`/letsencrypt`). Domain changes are quick and answer with the updated panel; Let's Encrypt
 * requests and renewals run as jobs. Every form works without JavaScript (303 back to the page,
 * or the whole page again with its errors, 422).
 */

const DomainBody = Type.Object({
  domain: Type.Optional(Type.String()),
  /** Sent by the preview's form: the user saw how the field split (and any localhost name). */
  confirmed: Type.Optional(Type.Literal('1')),
  /** The preview's "Yes, add localhost names" checkbox, required when the field names localhost. */
  localhost: Type.Optional(Type.Literal('1'))
})
type DomainBody = Static<typeof DomainBody>
const EmailBody = Type.Object({
  email: Type.Optional(Type.String()),
  /** On the app page: set the app's address (default) or the global one. */
  scope: Type.Optional(Type.Union([Type.Literal('app'), Type.Literal('global')]))
})
type EmailBody = Static<typeof EmailBody>
const GlobalEmailBody = Type.Object({ email: Type.Optional(Type.String()) })
type GlobalEmailBody = Static<typeof GlobalEmailBody>

/** Why a form was refused: its input (before anything ran), or dokku's own words. */
interface Refusal { error?: string; failure?: letsencrypt.Failure }

/** Form state handed back to the templates (values as typed, errors, dokku's failures). */
export interface FormState {
  add?: Refusal & { value: string; preview?: domains.DomainsPreview }
  remove?: Refusal & { domain: string }
  appEmail?: Refusal & { value: string }
  globalEmail?: Refusal & { value: string }
}

/** A refused input or dokku's refusal becomes the form's message; anything else goes on up. */
function refusal (err: unknown): Refusal {
  if (err instanceof InvalidArgumentError) return { error: err.message }
  if (isDokkuError(err, 'failed')) return { failure: { message: err.message, historyId: err.historyId } }
  throw err
}

/** Echo at most this much of what was typed back into a form. */
function echo (value: string | undefined): string {
  return (value ?? '').slice(0, domains.MAX_DOMAIN_FIELD)
}

function domainsPath (name: string): string {
  return `/apps/${encodeURIComponent(name)}/domains`
}

async function appPage (host: Host, name: string, forms: FormState = {}): Promise<Record<string, unknown>> {
  return { title: `Domains & TLS · ${name}`, tab: 'domains', ...(await domains.page(host, name)), forms }
}

async function overviewPage (host: Host, forms: FormState = {}): Promise<Record<string, unknown>> {
  return { title: 'TLS certificates', ...(await letsencrypt.overview(host)), forms }
}

/**
 * htmx gets the partial (after a change: with a toast, and events for the panels that depend on
 * it); a plain form post goes back to its page (303), so a reload posts nothing, and a panel
 * asked for without htmx is sent to its page.
 */
async function panelOrPage (reply: FastifyReply, answer: {
  back: string
  partial: string
  data: () => Promise<Record<string, unknown>>
  toast?: Toast
  events?: string[]
}): Promise<FastifyReply> {
  if (!isFragmentRequest(reply.request)) return reply.redirect(reply.hostPath(answer.back), 303)
  if (answer.toast) reply.toast(answer.toast)
  for (const event of answer.events ?? []) reply.trigger(event)
  return reply.fragment(answer.partial, await answer.data())
}

/** The domains panel's answer to a change (its form empty again; the TLS panel told). */
function domainsUpdated (reply: FastifyReply, host: Host, name: string, toast: Toast): Promise<FastifyReply> {
  return panelOrPage(reply, {
    back: domainsPath(name),
    partial: 'domains-panel',
    data: async () => ({ appName: name, domains: await domains.appDomains(host, name), forms: {} }),
    toast,
    events: ['domains-changed']
  })
}

const domainsRoutes: FastifyPluginAsync = async (app) => {
  // ---- one app ---------------------------------------------------------------------------------

  app.get<{ Params: AppParams }>('/apps/:app/domains', { schema: { params: AppParams } }, async (req, reply) => {
    return reply.render('app-domains', await appPage(req.dokkuHost, apps.appName(req.params.app)))
  })

  // The certificate and Let's Encrypt panel alone: refreshed after a job or a domain change.
  app.get<{ Params: AppParams }>('/apps/:app/domains/panel', { schema: { params: AppParams } }, async (req, reply) => {
    const name = apps.appName(req.params.app)
    return panelOrPage(reply, { back: domainsPath(name), partial: 'tls-panel', data: async () => ({ ...(await domains.tls(req.dokkuHost, name)), forms: {} }) })
  })

  app.post<{ Params: AppParams; Body: DomainBody }>('/apps/:app/domains', {
    schema: { params: AppParams, body: DomainBody }
  }, async (req, reply) => {
    const host = req.dokkuHost
    const name = apps.appName(req.params.app)
    let outcome
    try {
      outcome = await domains.addDomains(host, name, req.body.domain, req.body.confirmed === '1', req.body.localhost === '1')
    } catch (err) {
      const forms = { add: { value: echo(req.body.domain), ...refusal(err) } }
      return reply.invalid({ partial: 'domains-panel', page: 'app-domains', data: await appPage(host, name, forms) })
    }
    if ('preview' in outcome) {
      // Nothing ran: the panel shows how the field split, with a form that adds exactly that.
      const forms = { add: { value: outcome.preview.value, preview: outcome.preview } }
      // Confirmed without the localhost checkbox: refused (422) with the preview and why.
      if (outcome.preview.error !== undefined) return reply.invalid({ partial: 'domains-panel', page: 'app-domains', data: await appPage(host, name, forms) })
      if (!isFragmentRequest(req)) return reply.render('app-domains', await appPage(host, name, forms))
      return reply.fragment('domains-panel', { appName: name, domains: await domains.appDomains(host, name), forms })
    }
    return domainsUpdated(reply, host, name, addedToast(outcome))
  })

  app.post<{ Params: AppParams; Body: DomainBody }>('/apps/:app/domains/remove', {
    schema: { params: AppParams, body: DomainBody }
  }, async (req, reply) => {
    const host = req.dokkuHost
    const name = apps.appName(req.params.app)
    let outcome
    try {
      outcome = await domains.removeDomain(host, name, req.body.domain)
    } catch (err) {
      const forms = { remove: { domain: echo(req.body.domain), ...refusal(err) } }
      return reply.invalid({ partial: 'domains-panel', page: 'app-domains', data: await appPage(host, name, forms) })
    }
    return domainsUpdated(reply, host, name, removedToast(name, outcome))
  })

  app.post<{ Params: AppParams; Body: EmailBody }>('/apps/:app/letsencrypt/email', {
    schema: { params: AppParams, body: EmailBody }
  }, async (req, reply) => {
    const host = req.dokkuHost
    const name = apps.appName(req.params.app)
    const target = req.body.scope === 'global' ? null : name
    let email
    try {
      email = await letsencrypt.setEmail(host, target, req.body.email)
    } catch (err) {
      const forms = { [target === null ? 'globalEmail' : 'appEmail']: { value: echo(req.body.email?.trim()), ...refusal(err) } }
      return reply.invalid({ partial: 'tls-panel', page: 'app-domains', data: await appPage(host, name, forms) })
    }
    return panelOrPage(reply, {
      back: domainsPath(name),
      partial: 'tls-panel',
      data: async () => ({ ...(await domains.tls(host, name)), forms: {} }),
      toast: { level: 'success', message: emailToast(target, email) }
    })
  })

  app.post<{ Params: AppParams }>('/apps/:app/letsencrypt/enable', { schema: { params: AppParams } }, async (req, reply) => {
    return reply.job(letsencrypt.enable(req.dokkuHost, apps.appName(req.params.app)))
  })

  app.post<{ Params: AppParams }>('/apps/:app/letsencrypt/auto-renew', { schema: { params: AppParams } }, async (req, reply) => {
    return reply.job(letsencrypt.autoRenew(req.dokkuHost, apps.appName(req.params.app)))
  })

  // ---- all apps --------------------------------------------------------------------------------

  app.get('/letsencrypt', async (req, reply) => reply.render('letsencrypt', await overviewPage(req.dokkuHost)))

  // The certificate table alone, refreshed when a job finishes.
  app.get('/letsencrypt/panel', async (req, reply) => {
    return panelOrPage(reply, { back: '/letsencrypt', partial: 'tls-overview', data: () => overviewPage(req.dokkuHost) })
  })

  app.post<{ Body: GlobalEmailBody }>('/letsencrypt/email', { schema: { body: GlobalEmailBody } }, async (req, reply) => {
    const host = req.dokkuHost
    let email
    try {
      email = await letsencrypt.setEmail(host, null, req.body.email)
    } catch (err) {
      const forms = { globalEmail: { value: echo(req.body.email?.trim()), ...refusal(err) } }
      return reply.invalid({ partial: 'tls-global', page: 'letsencrypt', data: await overviewPage(host, forms) })
    }
    return panelOrPage(reply, {
      back: '/letsencrypt',
      partial: 'tls-global',
      data: () => overviewPage(host),
      toast: { level: 'success', message: emailToast(null, email) }
    })
  })

  app.post('/letsencrypt/auto-renew', async (req, reply) => reply.job(letsencrypt.renewAll(req.dokkuHost)))
}

export default domainsRoutes
