import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify'
import { Type, type Static } from 'typebox'
import { isDokkuError } from '../../dokku/client.js'
import { InvalidArgumentError } from '../../dokku/errors.js'
import type { JobSpec } from '../../jobs/manager.js'
import { isFragmentRequest } from '../../plugins/views.js'
import { AppParams, appParam } from '../apps/params.js'
import { respondWithJob } from '../jobs/start.js'
import {
  addOutcome, ALL_APPS_JOB_KEY, loadDomainsOnly, loadDomainsPage, loadOverview, loadTls, MAX_DOMAIN_FIELD, parseDomainField, type Failure
} from './model.js'

/**
 * Domains & TLS of one app (`/apps/:app/domains`) and the Let's Encrypt overview of all apps
 * (`/letsencrypt`). Domain changes are quick and answer with the updated panel; Let's Encrypt
 * requests and renewals run as jobs. Every form works without JavaScript (303 back to the page,
 * or the whole page again with its errors, 422).
 */

const DomainBody = Type.Object({ domain: Type.Optional(Type.String()) })
type DomainBody = Static<typeof DomainBody>
const EmailBody = Type.Object({
  email: Type.Optional(Type.String()),
  /** On the app page: set the app's address (default) or the global one. */
  scope: Type.Optional(Type.Union([Type.Literal('app'), Type.Literal('global')]))
})
type EmailBody = Static<typeof EmailBody>
const GlobalEmailBody = Type.Object({ email: Type.Optional(Type.String()) })
type GlobalEmailBody = Static<typeof GlobalEmailBody>

/** Form state handed back to the templates (values as typed, errors, dokku's failures). */
export interface FormState {
  add?: { value: string; error?: string; failure?: Failure }
  remove?: { domain: string; error?: string; failure?: Failure }
  appEmail?: { value: string; error?: string; failure?: Failure }
  globalEmail?: { value: string; error?: string; failure?: Failure }
}

/** Echo at most this much of what was typed back into a form. */
function echo (value: string | undefined): string {
  return (value ?? '').slice(0, MAX_DOMAIN_FIELD)
}

function domainsUrl (name: string): string {
  return `/apps/${encodeURIComponent(name)}/domains`
}

const domainsRoutes: FastifyPluginAsync = async (app) => {
  async function renderPage (reply: FastifyReply, name: string, forms: FormState = {}): Promise<FastifyReply> {
    const data = await loadDomainsPage(app, name)
    return reply.render('app-domains', { title: `Domains & TLS · ${name}`, tab: 'domains', ...data, forms })
  }

  /** A form's answer with errors: its panel for htmx, the whole page otherwise. */
  async function answerForm (reply: FastifyReply, name: string, panel: 'domains-panel' | 'tls-panel', forms: FormState): Promise<FastifyReply> {
    reply.code(422)
    if (!isFragmentRequest(reply.request)) return renderPage(reply, name, forms)
    if (panel === 'domains-panel') return reply.fragment(panel, { appName: name, domains: await loadDomainsOnly(app, name), forms })
    return reply.fragment(panel, { ...(await loadTls(app, name)), forms })
  }

  // ---- one app ---------------------------------------------------------------------------------

  app.get<{ Params: AppParams }>('/apps/:app/domains', { schema: { params: AppParams } }, async (req, reply) => {
    return renderPage(reply, appParam(req.params))
  })

  // The certificate and Let's Encrypt panel alone: refreshed after a job or a domain change.
  app.get<{ Params: AppParams }>('/apps/:app/domains/panel', { schema: { params: AppParams } }, async (req, reply) => {
    const name = appParam(req.params)
    if (!isFragmentRequest(req)) return reply.redirect(domainsUrl(name), 303)
    return reply.fragment('tls-panel', { ...(await loadTls(app, name)), forms: {} })
  })

  app.post<{ Params: AppParams; Body: DomainBody }>('/apps/:app/domains', {
    schema: { params: AppParams, body: DomainBody }
  }, async (req, reply) => {
    const name = appParam(req.params)
    let list: string[]
    try {
      list = parseDomainField(req.body.domain)
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err
      return answerForm(reply, name, 'domains-panel', { add: { value: echo(req.body.domain), error: err.message } })
    }
    let output: string
    let warnings: string[]
    try {
      ({ output, warnings } = await app.dokku.addDomains(name, list))
    } catch (err) {
      // Dokku refused (its own domain check, a failing proxy rebuild): say so next to the form.
      if (!isDokkuError(err, 'failed')) throw err
      return answerForm(reply, name, 'domains-panel', {
        add: { value: echo(req.body.domain), failure: { message: err.message, historyId: err.historyId } }
      })
    } finally {
      app.readCache.invalidateApp(name)
    }
    if (!isFragmentRequest(req)) return reply.redirect(domainsUrl(name), 303)

    const { added, skipped } = addOutcome(output)
    const parts: string[] = []
    if (added.length > 0) parts.push(`Added ${added.join(', ')}.`)
    if (skipped.length > 0) parts.push(`Already there: ${skipped.join(', ')}.`)
    if (parts.length === 0) parts.push(`Added ${list.join(', ')}.`)
    if (warnings.length > 0) parts.push(`Dokku says: ${warnings.join(' ')}`)
    reply.toast({ level: warnings.length > 0 ? 'info' : 'success', message: parts.join(' ') })
    reply.trigger('domains-changed')
    return reply.fragment('domains-panel', { appName: name, domains: await loadDomainsOnly(app, name), forms: {} })
  })

  app.post<{ Params: AppParams; Body: DomainBody }>('/apps/:app/domains/remove', {
    schema: { params: AppParams, body: DomainBody }
  }, async (req, reply) => {
    const name = appParam(req.params)
    const domain = req.body.domain ?? ''
    let outcome
    try {
      outcome = await app.dokku.removeDomains(name, [domain])
    } catch (err) {
      if (err instanceof InvalidArgumentError) {
        return answerForm(reply, name, 'domains-panel', { remove: { domain: echo(domain), error: err.message } })
      }
      if (!isDokkuError(err, 'failed')) throw err
      return answerForm(reply, name, 'domains-panel', {
        remove: { domain: echo(domain), failure: { message: err.message, historyId: err.historyId } }
      })
    } finally {
      app.readCache.invalidateApp(name)
    }
    if (!isFragmentRequest(req)) return reply.redirect(domainsUrl(name), 303)
    const removed = domain.toLowerCase()
    reply.toast({
      level: outcome.warnings.length > 0 ? 'info' : 'success',
      message: `Removed ${removed} from ${name}.` + (outcome.warnings.length > 0 ? ` Dokku says: ${outcome.warnings.join(' ')}` : '')
    })
    reply.trigger('domains-changed')
    return reply.fragment('domains-panel', { appName: name, domains: await loadDomainsOnly(app, name), forms: {} })
  })

  app.post<{ Params: AppParams; Body: EmailBody }>('/apps/:app/letsencrypt/email', {
    schema: { params: AppParams, body: EmailBody }
  }, async (req, reply) => {
    const name = appParam(req.params)
    const global = req.body.scope === 'global'
    const email = (req.body.email ?? '').trim()
    const field: keyof FormState = global ? 'globalEmail' : 'appEmail'
    try {
      await app.dokku.letsencryptSetEmail(global ? null : name, email === '' ? null : email)
    } catch (err) {
      if (err instanceof InvalidArgumentError) return answerForm(reply, name, 'tls-panel', { [field]: { value: echo(email), error: err.message } })
      if (!isDokkuError(err, 'failed')) throw err
      return answerForm(reply, name, 'tls-panel', { [field]: { value: echo(email), failure: { message: err.message, historyId: err.historyId } } })
    } finally {
      // A global address changes every app's report.
      if (global) app.readCache.clear()
      else app.readCache.invalidateApp(name)
    }
    if (!isFragmentRequest(req)) return reply.redirect(domainsUrl(name), 303)
    reply.toast({ level: 'success', message: emailToast(global ? null : name, email) })
    return reply.fragment('tls-panel', { ...(await loadTls(app, name)), forms: {} })
  })

  app.post<{ Params: AppParams }>('/apps/:app/letsencrypt/enable', { schema: { params: AppParams } }, async (req, reply) => {
    const name = appParam(req.params)
    return respondWithJob(reply, {
      app: name,
      label: `Enable Let's Encrypt for ${name}`,
      command: `dokku letsencrypt:enable ${name}`,
      run: (ctx) => app.dokku.letsencryptEnable(name, ctx)
    })
  })

  app.post<{ Params: AppParams }>('/apps/:app/letsencrypt/auto-renew', { schema: { params: AppParams } }, async (req, reply) => {
    const name = appParam(req.params)
    return respondWithJob(reply, {
      app: name,
      label: `Renew Let's Encrypt certificate for ${name}`,
      command: `dokku letsencrypt:auto-renew ${name}`,
      run: (ctx) => app.dokku.letsencryptAutoRenew(name, ctx)
    })
  })

  // ---- all apps --------------------------------------------------------------------------------

  async function renderOverview (reply: FastifyReply, forms: FormState = {}): Promise<FastifyReply> {
    return reply.render('letsencrypt', { title: 'TLS certificates', ...(await loadOverview(app)), forms })
  }

  app.get('/letsencrypt', async (_req, reply) => renderOverview(reply))

  // The certificate table alone, refreshed when a job finishes.
  app.get('/letsencrypt/panel', async (req, reply) => {
    if (!isFragmentRequest(req)) return reply.redirect('/letsencrypt', 303)
    return reply.fragment('tls-overview', { ...(await loadOverview(app)), forms: {} })
  })

  app.post<{ Body: GlobalEmailBody }>('/letsencrypt/email', { schema: { body: GlobalEmailBody } }, async (req, reply) => {
    const email = (req.body.email ?? '').trim()
    const fail = async (state: NonNullable<FormState['globalEmail']>) => {
      reply.code(422)
      if (!isFragmentRequest(req)) return renderOverview(reply, { globalEmail: state })
      return reply.fragment('tls-global', { ...(await loadOverview(app)), forms: { globalEmail: state } })
    }
    try {
      await app.dokku.letsencryptSetEmail(null, email === '' ? null : email)
    } catch (err) {
      if (err instanceof InvalidArgumentError) return fail({ value: echo(email), error: err.message })
      if (!isDokkuError(err, 'failed')) throw err
      return fail({ value: echo(email), failure: { message: err.message, historyId: err.historyId } })
    } finally {
      app.readCache.clear()
    }
    if (!isFragmentRequest(req)) return reply.redirect('/letsencrypt', 303)
    reply.toast({ level: 'success', message: emailToast(null, email) })
    return reply.fragment('tls-global', { ...(await loadOverview(app)), forms: {} })
  })

  app.post('/letsencrypt/auto-renew', async (_req, reply) => {
    return respondWithJob(reply, globalRenewJob(app))
  })
}

function emailToast (app: string | null, email: string): string {
  if (app === null) {
    return email === '' ? 'Removed the global Let\'s Encrypt e-mail address.' : `Global Let's Encrypt e-mail set to ${email}.`
  }
  return email === ''
    ? `Removed the Let's Encrypt e-mail address of ${app}; the global one applies.`
    : `Let's Encrypt e-mail for ${app} set to ${email}.`
}

/**
 * `letsencrypt:auto-renew` for every app. It is locked under ALL_APPS_JOB_KEY (not an app name),
 * so two global renewals never overlap; per-app jobs are not blocked by it. It may renew any
 * app, so every cached read is dropped when it ends.
 */
function globalRenewJob (app: FastifyInstance): JobSpec {
  return {
    app: ALL_APPS_JOB_KEY,
    label: 'Renew due Let\'s Encrypt certificates (all apps)',
    command: 'dokku letsencrypt:auto-renew',
    run: async (ctx) => {
      try {
        return await app.dokku.letsencryptAutoRenew(undefined, ctx)
      } finally {
        app.readCache.clear()
      }
    }
  }
}

export default domainsRoutes
