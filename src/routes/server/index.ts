import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { Type, type Static } from 'typebox'
import type { Host } from '../../hosts/host.js'
import { isFragmentRequest, type Toast } from '../../plugins/views.js'
import { InvalidArgumentError, isDokkuError } from '../../services/errors.js'
import * as server from '../../services/server.js'
import * as keys from '../../services/server-keys.js'

/**
 * The server page of a host: dokku's version and advisories, plugins, schedulers and k3s
 * cluster, global domains, SSH keys, disks and cleanup, the Let's Encrypt renewal job. Each
 * section renders what it could read, or dokku's reason it could not. A change answers htmx
 * with its section again; a plain form goes back to the page (303), or gets the page with the
 * section's error (422). A pasted key is never echoed back.
 */

const DomainsBody = Type.Object({
  change: Type.Optional(Type.Union([Type.Literal('add'), Type.Literal('remove'), Type.Literal('set')])),
  domain: Type.Optional(Type.String({ maxLength: 8192 }))
})
type DomainsBody = Static<typeof DomainsBody>
const KeyBody = Type.Object({ name: Type.Optional(Type.String({ maxLength: 200 })), key: Type.Optional(Type.String({ maxLength: 32 * 1024 })) })
type KeyBody = Static<typeof KeyBody>
const RemoveKeyBody = Type.Object({ fingerprint: Type.Optional(Type.String({ maxLength: 200 })), confirm: Type.Optional(Type.String({ maxLength: 200 })) })
type RemoveKeyBody = Static<typeof RemoveKeyBody>
const RenewalBody = Type.Object({ enable: Type.Optional(Type.String({ maxLength: 5 })) })
type RenewalBody = Static<typeof RenewalBody>

type SectionName = 'domains' | 'keys' | 'disk' | 'renewal'

/** Why a form was refused: the input (nothing ran), or dokku's own words. */
function refusal (err: unknown): { error: string; historyId?: number | null } {
  if (err instanceof InvalidArgumentError) return { error: err.message }
  if (isDokkuError(err, 'failed', 'forbidden', 'parse')) return { error: err.message, historyId: err.historyId }
  throw err
}

const serverRoutes: FastifyPluginAsync = async (app) => {
  const page = async (host: Host, forms: Record<string, unknown> = {}) => ({ title: 'Server', ...(await server.serverPage(host, app.alerts)), forms })

  app.get('/server', async (req, reply) => reply.render('server', await page(req.dokkuHost)))

  /** The section again (htmx, with a toast), or back to the page. */
  async function answer (reply: FastifyReply, section: SectionName, opts: { toast?: Toast; forms?: Record<string, unknown>; status?: number } = {}): Promise<FastifyReply> {
    const host = reply.request.dokkuHost
    if (opts.status === 422) return reply.invalid({ partial: `server-${section}`, page: 'server', data: await page(host, opts.forms) })
    if (!isFragmentRequest(reply.request) && !opts.forms) return reply.redirect(reply.hostPath(`/server#server-${section}`), 303)
    if (opts.toast) reply.toast(opts.toast)
    const data = await page(host, opts.forms)
    return isFragmentRequest(reply.request) ? reply.fragment(`server-${section}`, data) : reply.render('server', data)
  }

  app.post<{ Body: DomainsBody }>('/server/domains', { schema: { body: DomainsBody } }, async (req, reply) => {
    const change = req.body.change ?? 'add'
    try {
      const list = await server.changeGlobalDomains(req.dokkuHost, change, req.body.domain)
      const verb = { add: 'Added', remove: 'Removed', set: 'Set the global domains to' }[change]
      return answer(reply, 'domains', { toast: { level: 'success', message: `${verb} ${list.join(', ')}.` } })
    } catch (err) {
      return answer(reply, 'domains', { status: 422, forms: { domains: { change, value: (req.body.domain ?? '').slice(0, 500), ...refusal(err) } } })
    }
  })

  app.post<{ Body: KeyBody }>('/server/ssh-keys', { schema: { body: KeyBody } }, async (req, reply) => {
    // The name may come back into the form; the key never does (it may be a private key pasted by mistake).
    const name = (req.body.name ?? '').slice(0, 64)
    let outcome: keys.AddOutcome
    try {
      outcome = await keys.addKey(req.dokkuHost, req.body.name, req.body.key)
    } catch (err) {
      return answer(reply, 'keys', { status: 422, forms: { keys: { name, ...refusal(err) } } })
    }
    if (outcome.state === 'added') {
      return answer(reply, 'keys', {
        toast: { level: 'success', message: `Added ${outcome.name} (${outcome.fingerprint}).` },
        forms: outcome.warning ? { keys: { added: outcome } } : undefined
      })
    }
    return answer(reply, 'keys', { forms: { keys: { command: outcome } } })
  })

  app.post<{ Body: RemoveKeyBody }>('/server/ssh-keys/remove', { schema: { body: RemoveKeyBody } }, async (req, reply) => {
    let outcome: keys.RemoveOutcome
    try {
      outcome = await keys.removeKey(req.dokkuHost, req.body.fingerprint, req.body.confirm)
    } catch (err) {
      return answer(reply, 'keys', { status: 422, forms: { keys: { remove: { fingerprint: req.body.fingerprint ?? '', ...refusal(err) } } } })
    }
    if (outcome.state === 'removed') return answer(reply, 'keys', { toast: { level: 'success', message: `Removed ${outcome.name}'s key.` } })
    return answer(reply, 'keys', { forms: { keys: { removeCommand: outcome } } })
  })

  app.post('/server/cleanup', async (req, reply) => reply.job(server.cleanup(req.dokkuHost)))

  app.post<{ Body: RenewalBody }>('/server/letsencrypt-cron', { schema: { body: RenewalBody } }, async (req, reply) => {
    const enable = req.body.enable !== 'false'
    try {
      await server.setRenewalJob(req.dokkuHost, enable)
    } catch (err) {
      return answer(reply, 'renewal', { status: 422, forms: { renewal: refusal(err) } })
    }
    return answer(reply, 'renewal', { toast: { level: 'success', message: enable ? 'Let\'s Encrypt auto-renew is on.' : 'Let\'s Encrypt auto-renew is off.' } })
  })
}

export default serverRoutes
