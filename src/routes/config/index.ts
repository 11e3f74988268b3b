import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { isFragmentRequest } from '../../plugins/views.js'
import { appName } from '../../services/apps.js'
import * as config from '../../services/config.js'
import { AppParams } from '../params.js'
import {
  BulkBody, KeyQuery, PARTIAL, SetBody, UnsetBody, blankAdd, blankBulk, isChecked, readBulkForm, readSetForm,
  type FormState, type RowView
} from './forms.js'

/**
 * The Config tab: `GET /apps/:app/config` lists the keys only; a value reaches the page when
 * the user reveals (or edits) that one variable, in a response the browser may not store.
 * Changes that restart the app run as jobs; "without restart" runs at once and answers with
 * the refreshed list.
 *
 * After a change succeeds the answer fires `config-saved` (every revealed or edited row hides
 * itself again) and `config-add-saved` / `config-bulk-saved` (that form comes back empty).
 */

/**
 * Events for the page once the answer has settled. Comma-separated names, as htmx reads them:
 * `reply.trigger` fills `HX-Trigger`, which fires before the swap, when the rows that listen
 * are still the old ones.
 */
const afterSettle = (reply: FastifyReply, events: string[]) => reply.header('HX-Trigger-After-Settle', events.join(', '))

const configRoutes: FastifyPluginAsync = async (app) => {
  // Reveals and edit forms carry values; the others are cheap to fetch again.
  app.addHook('onSend', async (_req, reply) => { reply.header('Cache-Control', 'no-store') })

  /** The tab's own URL on the request's host: where a plain form post comes back to. */
  const tabPath = (reply: FastifyReply, name: string) => reply.hostPath(`/apps/${name}/config`)

  /** Everything the whole page needs, with `state`'s form (or row) open. */
  async function pageData (req: FastifyRequest, name: string, state?: FormState): Promise<Record<string, unknown>> {
    const { keys, appState } = await config.tab(req.dokkuHost, name)
    return {
      title: `Config · ${name}`,
      appName: name,
      appState,
      keys,
      openRow: state?.kind === 'row' ? state.row : null,
      add: state?.kind === 'add' ? state.add : blankAdd(),
      bulk: state?.kind === 'bulk' ? state.bulk : blankBulk()
    }
  }

  async function renderVars (req: FastifyRequest, reply: FastifyReply, name: string): Promise<FastifyReply> {
    return reply.fragment('config-vars', { appName: name, keys: await config.keys(req.dokkuHost, name), openRow: null })
  }

  /** A row on its own for htmx; without script, the page with that row open. */
  async function showRow (req: FastifyRequest, reply: FastifyReply, name: string, row: RowView): Promise<FastifyReply> {
    if (isFragmentRequest(req)) return reply.fragment('config-row', { appName: name, row })
    return reply.render('app-config', await pageData(req, name, { kind: 'row', row }))
  }

  /** 422: the form again, with what was typed and what is wrong. The page's reads only when the page is sent. */
  async function showInvalid (req: FastifyRequest, reply: FastifyReply, name: string, state: FormState): Promise<FastifyReply> {
    const data = isFragmentRequest(req) ? { appName: name, ...state } : await pageData(req, name, state)
    return reply.invalid({ partial: PARTIAL[state.kind], page: 'app-config', data })
  }

  /**
   * Answers a valid change. A failure goes to the error handler, whose alert htmx puts in the
   * job area (above a running job's panel: a busy app's 409), so the form keeps what was typed
   * in the browser and no answer carries a value.
   */
  async function applyChange (req: FastifyRequest, reply: FastifyReply, name: string, events: string[], change: () => Promise<config.Change>): Promise<FastifyReply> {
    reply.retarget({ target: '#job-area', swap: 'afterbegin' })
    const { job, label } = await change()
    if (job) {
      afterSettle(reply, events)
      return reply.job(job, { retarget: { target: '#job-area', swap: 'innerHTML' } })
    }
    if (!isFragmentRequest(req)) return reply.redirect(tabPath(reply, name), 303)
    reply.toast({ level: 'success', message: `${label} without restarting: it applies at the next restart or deploy.` })
    reply.retarget({ target: '#config-vars', swap: 'outerHTML' })
    afterSettle(reply, events)
    return renderVars(req, reply, name)
  }

  // ---- reads ------------------------------------------------------------------------------------

  app.get<{ Params: AppParams }>('/apps/:app/config', { schema: { params: AppParams } }, async (req, reply) => {
    return reply.render('app-config', await pageData(req, appName(req.params.app)))
  })

  app.get<{ Params: AppParams }>('/apps/:app/config/vars', { schema: { params: AppParams } }, async (req, reply) => {
    const name = appName(req.params.app)
    if (!isFragmentRequest(req)) return reply.redirect(tabPath(reply, name), 303)
    return renderVars(req, reply, name)
  })

  for (const mode of ['revealed', 'edit'] as const) {
    app.get<{ Params: AppParams; Querystring: KeyQuery }>(`/apps/:app/config/${mode === 'revealed' ? 'reveal' : 'edit'}`, {
      schema: { params: AppParams, querystring: KeyQuery }
    }, async (req, reply) => {
      const name = appName(req.params.app)
      const { key, value } = await config.value(req.dokkuHost, name, req.query.key)
      return showRow(req, reply, name, { key, mode, value })
    })
  }

  /** Asks before removing; needs no dokku call. */
  app.get<{ Params: AppParams; Querystring: KeyQuery }>('/apps/:app/config/unset', {
    schema: { params: AppParams, querystring: KeyQuery }
  }, async (req, reply) => {
    const name = appName(req.params.app)
    return showRow(req, reply, name, { key: config.envKey(req.query.key), mode: 'remove' })
  })

  app.get<{ Params: AppParams; Querystring: KeyQuery }>('/apps/:app/config/hide', {
    schema: { params: AppParams, querystring: KeyQuery }
  }, async (req, reply) => {
    const name = appName(req.params.app)
    const key = config.envKey(req.query.key)
    if (!isFragmentRequest(req)) return reply.redirect(tabPath(reply, name), 303)
    return reply.fragment('config-row', { appName: name, row: { key, mode: 'masked' } })
  })

  /** Empty forms, fetched again after a change went through. */
  for (const [path, template, data] of [['add', 'config-add-form', { add: blankAdd() }], ['bulk', 'config-bulk-form', { bulk: blankBulk() }]] as const) {
    app.get<{ Params: AppParams }>(`/apps/:app/config/${path}`, { schema: { params: AppParams } }, async (req, reply) => {
      const name = appName(req.params.app)
      if (!isFragmentRequest(req)) return reply.redirect(tabPath(reply, name), 303)
      return reply.fragment(template, { appName: name, ...data })
    })
  }

  // ---- changes ----------------------------------------------------------------------------------

  /** Add (form=add) or edit (form=edit) one variable. */
  app.post<{ Params: AppParams; Body: SetBody }>('/apps/:app/config', { schema: { params: AppParams, body: SetBody } }, async (req, reply) => {
    const name = appName(req.params.app)
    const form = readSetForm(req.body ?? {})
    if (!form.ok) return showInvalid(req, reply, name, form.state)
    const events = form.editing ? ['config-saved'] : ['config-saved', 'config-add-saved']
    return applyChange(req, reply, name, events, () => config.set(req.dokkuHost, name, form.vars, { noRestart: form.noRestart }))
  })

  /** Several variables from a pasted `.env` block, in one `config:set` (one restart). */
  app.post<{ Params: AppParams; Body: BulkBody }>('/apps/:app/config/bulk', { schema: { params: AppParams, body: BulkBody } }, async (req, reply) => {
    const name = appName(req.params.app)
    const form = readBulkForm(req.body ?? {})
    if (!form.ok) return showInvalid(req, reply, name, form.state)
    return applyChange(req, reply, name, ['config-saved', 'config-bulk-saved'], () => config.set(req.dokkuHost, name, form.vars, { noRestart: form.noRestart }))
  })

  app.post<{ Params: AppParams; Body: UnsetBody }>('/apps/:app/config/unset', { schema: { params: AppParams, body: UnsetBody } }, async (req, reply) => {
    const name = appName(req.params.app)
    const noRestart = isChecked(req.body?.no_restart)
    return applyChange(req, reply, name, ['config-saved'], () => config.unset(req.dokkuHost, name, [req.body?.key], { noRestart }))
  })
}

export default configRoutes
