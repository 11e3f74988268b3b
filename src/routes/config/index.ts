import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { Type, type Static } from 'typebox'
import type { CommandOutcome, JobOptions } from '../../dokku/client.js'
import { MAX_VALUE_BYTES } from '../../dokku/commands/config.js'
import { InvalidArgumentError } from '../../dokku/errors.js'
import { validateEnvKey } from '../../dokku/validate.js'
import { isFragmentRequest } from '../../plugins/views.js'
import { loadAppState } from '../apps/model.js'
import { AppParams, appParam } from '../apps/params.js'
import { respondWithJob } from '../jobs/start.js'
import { parseEnvBlock, type EnvBlockError } from './env-block.js'

/**
 * The Config tab: `GET /apps/:app/config` lists the keys only; a value reaches the page when
 * the user reveals (or edits) that one variable, in a response the browser may not store.
 * Changes that restart the app run as jobs; "without restart" runs at once and answers with
 * the refreshed list.
 *
 * After a change succeeds the answer fires `config-saved` (every revealed or edited row hides
 * itself again) and `config-add-saved` / `config-bulk-saved` (that form comes back empty).
 */

type RowMode = 'masked' | 'revealed' | 'edit' | 'remove'

/** One variable's row; `value` only in the revealed and edit modes. */
interface RowView {
  key: string
  mode: RowMode
  value?: string
  noRestart?: boolean
  error?: string
}

interface AddFormView {
  key: string
  value: string
  noRestart: boolean
  errors: { key?: string; value?: string }
}

interface BulkFormView {
  text: string
  noRestart: boolean
  /** Line errors from the parser; nothing was set. */
  lines: EnvBlockError[]
  /** About the block as a whole (empty, too many bad lines). */
  error?: string
}

/** A form refused as invalid, shown again as the user sent it, with its errors. */
type FormState =
  | { kind: 'add'; add: AddFormView }
  | { kind: 'bulk'; bulk: BulkFormView }
  | { kind: 'row'; row: RowView }

const KeyQuery = Type.Object({ key: Type.String({ maxLength: 300 }) })
type KeyQuery = Static<typeof KeyQuery>

const SetBody = Type.Object({
  form: Type.Optional(Type.String({ maxLength: 10 })),
  key: Type.Optional(Type.String()),
  value: Type.Optional(Type.String()),
  no_restart: Type.Optional(Type.String({ maxLength: 10 }))
})
type SetBody = Static<typeof SetBody>

const BulkBody = Type.Object({
  env: Type.Optional(Type.String()),
  no_restart: Type.Optional(Type.String({ maxLength: 10 }))
})
type BulkBody = Static<typeof BulkBody>

const UnsetBody = Type.Object({
  key: Type.Optional(Type.String()),
  no_restart: Type.Optional(Type.String({ maxLength: 10 }))
})
type UnsetBody = Static<typeof UnsetBody>

/** The most line errors a bulk form lists; the rest are counted. */
const MAX_LINE_ERRORS = 20

const blankAdd = (): AddFormView => ({ key: '', value: '', noRestart: false, errors: {} })
const blankBulk = (): BulkFormView => ({ text: '', noRestart: false, lines: [] })

const isChecked = (v: string | undefined) => v === '1' || v === 'on' || v === 'true'

/**
 * Browsers submit a textarea's line breaks as CRLF whatever was typed or pasted; the value
 * meant is the text with plain newlines. A lone CR (which no textarea can hold) is kept.
 */
const fromTextarea = (v: string | undefined) => (v ?? '').replace(/\r\n/g, '\n')

/** Keys in dokku's order: bytewise, so uppercase before lowercase. */
const sortKeys = (keys: string[]) => keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))

function listOfKeys (keys: string[]): string {
  if (keys.length > 3) return `${keys.length} variables`
  return keys.length === 1 ? keys[0]! : `${keys.slice(0, -1).join(', ')} and ${keys[keys.length - 1]}`
}

const configRoutes: FastifyPluginAsync = async (app) => {
  // Reveals and edit forms carry values; the others are cheap to fetch again.
  app.addHook('onSend', async (_req, reply) => { reply.header('Cache-Control', 'no-store') })

  const base = (appName: string) => `/apps/${appName}/config`

  async function loadKeys (appName: string): Promise<string[]> {
    const vars = await app.readCache.get(`config-export:${appName}`, [appName], () => app.dokku.configExport(appName))
    return sortKeys(Object.keys(vars))
  }

  /** The current value, read fresh; a key that is not set is a 404. */
  async function currentValue (appName: string, key: string): Promise<string> {
    const value = await app.dokku.configGet(appName, key)
    if (value === null) throw Object.assign(new Error(`${key} is not set on ${appName}.`), { statusCode: 404 })
    return value
  }

  async function renderPage (reply: FastifyReply, appName: string, state?: FormState, status = 200): Promise<FastifyReply> {
    const [keys, appState] = await Promise.all([loadKeys(appName), loadAppState(app, appName)])
    return reply.code(status).render('app-config', {
      title: `Config · ${appName}`,
      appName,
      appState,
      keys,
      openRow: state?.kind === 'row' ? state.row : null,
      add: state?.kind === 'add' ? state.add : blankAdd(),
      bulk: state?.kind === 'bulk' ? state.bulk : blankBulk()
    })
  }

  async function renderVars (reply: FastifyReply, appName: string): Promise<FastifyReply> {
    return reply.fragment('config-vars', { appName, keys: await loadKeys(appName), openRow: null })
  }

  /** A row on its own for htmx; without script, the page with that row open. */
  async function showRow (req: FastifyRequest, reply: FastifyReply, appName: string, row: RowView): Promise<FastifyReply> {
    if (isFragmentRequest(req)) return reply.fragment('config-row', { appName, row })
    return renderPage(reply, appName, { kind: 'row', row })
  }

  /** 422: the form again, with what was typed and what is wrong with it. */
  async function showInvalid (req: FastifyRequest, reply: FastifyReply, appName: string, state: FormState): Promise<FastifyReply> {
    if (!isFragmentRequest(req)) return renderPage(reply, appName, state, 422)
    reply.code(422)
    switch (state.kind) {
      case 'add': return reply.fragment('config-add-form', { appName, add: state.add })
      case 'bulk': return reply.fragment('config-bulk-form', { appName, bulk: state.bulk })
      case 'row': return reply.fragment('config-row', { appName, row: state.row })
    }
  }

  interface Change {
    appName: string
    noRestart: boolean
    /** What the change does, for the job panel, history and toasts; names keys, never values. */
    label: string
    /** Events fired once the answer is in the page. */
    events: string[]
    run: (options: JobOptions & { noRestart: boolean }) => Promise<CommandOutcome>
  }

  const TRIGGER = 'HX-Trigger-After-Settle'

  /**
   * Runs a valid change: as a job when it restarts the app, at once otherwise. A failure goes to
   * the error handler, whose alert htmx puts in the job area (above a running job's panel), so
   * the form keeps what was typed in the browser and no answer carries a value.
   */
  async function applyChange (req: FastifyRequest, reply: FastifyReply, change: Change): Promise<FastifyReply> {
    const { appName } = change
    const events = change.events.join(', ')
    reply.header('HX-Retarget', '#job-area').header('HX-Reswap', 'afterbegin')
    if (!change.noRestart) {
      reply.header('HX-Reswap', 'innerHTML').header(TRIGGER, events)
      try {
        return await respondWithJob(reply, { app: appName, label: change.label, run: (ctx) => change.run({ ...ctx, noRestart: false }) })
      } catch (error) {
        // AppBusyError (409): the running job's panel stays, the message goes above it.
        reply.header('HX-Reswap', 'afterbegin').removeHeader(TRIGGER)
        throw error
      }
    }

    try {
      await change.run({ noRestart: true })
    } finally {
      app.readCache.invalidateApp(appName)
    }
    if (!isFragmentRequest(req)) return reply.redirect(base(appName), 303)
    reply.toast({ level: 'success', message: `${change.label} without restarting: it applies at the next restart or deploy.` })
    reply.header('HX-Retarget', '#config-vars').header('HX-Reswap', 'outerHTML').header(TRIGGER, events)
    return renderVars(reply, appName)
  }

  // ---- reads ------------------------------------------------------------------------------------

  app.get<{ Params: AppParams }>('/apps/:app/config', { schema: { params: AppParams } }, async (req, reply) => {
    return renderPage(reply, appParam(req.params))
  })

  app.get<{ Params: AppParams }>('/apps/:app/config/vars', { schema: { params: AppParams } }, async (req, reply) => {
    const appName = appParam(req.params)
    if (!isFragmentRequest(req)) return reply.redirect(base(appName), 303)
    return renderVars(reply, appName)
  })

  app.get<{ Params: AppParams; Querystring: KeyQuery }>('/apps/:app/config/reveal', {
    schema: { params: AppParams, querystring: KeyQuery }
  }, async (req, reply) => {
    const appName = appParam(req.params)
    const key = validateEnvKey(req.query.key)
    return showRow(req, reply, appName, { key, mode: 'revealed', value: await currentValue(appName, key) })
  })

  app.get<{ Params: AppParams; Querystring: KeyQuery }>('/apps/:app/config/edit', {
    schema: { params: AppParams, querystring: KeyQuery }
  }, async (req, reply) => {
    const appName = appParam(req.params)
    const key = validateEnvKey(req.query.key)
    return showRow(req, reply, appName, { key, mode: 'edit', value: await currentValue(appName, key) })
  })

  /** Asks before removing; needs no dokku call. */
  app.get<{ Params: AppParams; Querystring: KeyQuery }>('/apps/:app/config/unset', {
    schema: { params: AppParams, querystring: KeyQuery }
  }, async (req, reply) => {
    const appName = appParam(req.params)
    return showRow(req, reply, appName, { key: validateEnvKey(req.query.key), mode: 'remove' })
  })

  app.get<{ Params: AppParams; Querystring: KeyQuery }>('/apps/:app/config/hide', {
    schema: { params: AppParams, querystring: KeyQuery }
  }, async (req, reply) => {
    const appName = appParam(req.params)
    const key = validateEnvKey(req.query.key)
    if (!isFragmentRequest(req)) return reply.redirect(base(appName), 303)
    return reply.fragment('config-row', { appName, row: { key, mode: 'masked' } })
  })

  /** Empty forms, fetched again after a change went through. */
  for (const [path, template, data] of [['add', 'config-add-form', { add: blankAdd() }], ['bulk', 'config-bulk-form', { bulk: blankBulk() }]] as const) {
    app.get<{ Params: AppParams }>(`/apps/:app/config/${path}`, { schema: { params: AppParams } }, async (req, reply) => {
      const appName = appParam(req.params)
      if (!isFragmentRequest(req)) return reply.redirect(base(appName), 303)
      return reply.fragment(template, { appName, ...data })
    })
  }

  // ---- changes ----------------------------------------------------------------------------------

  /** Add (form=add) or edit (form=edit) one variable. */
  app.post<{ Params: AppParams; Body: SetBody }>('/apps/:app/config', { schema: { params: AppParams, body: SetBody } }, async (req, reply) => {
    const appName = appParam(req.params)
    const body = req.body ?? {}
    const editing = body.form === 'edit'
    const value = fromTextarea(body.value)
    const noRestart = isChecked(body.no_restart)
    const add: AddFormView = { key: (body.key ?? '').trim(), value, noRestart, errors: {} }

    let key = ''
    try {
      key = validateEnvKey(add.key)
    } catch (error) {
      // The edit form's key is not typed: a bad one is a tampered request, not a form to fix.
      if (editing || !(error instanceof InvalidArgumentError)) throw error
      add.errors.key = error.message
    }
    const bytes = Buffer.byteLength(value, 'utf8')
    if (bytes > MAX_VALUE_BYTES) {
      add.errors.value = `The value is too large: ${Math.ceil(bytes / 1024)} KiB, at most ${MAX_VALUE_BYTES / 1024} KiB.`
    }

    const state: FormState = editing
      ? { kind: 'row', row: { key, mode: 'edit', value, noRestart, error: add.errors.value } }
      : { kind: 'add', add }
    if (add.errors.key !== undefined || add.errors.value !== undefined) return showInvalid(req, reply, appName, state)

    return applyChange(req, reply, {
      appName,
      noRestart,
      label: `Set ${key} on ${appName}`,
      events: editing ? ['config-saved'] : ['config-saved', 'config-add-saved'],
      run: (options) => app.dokku.configSet(appName, { [key]: value }, options)
    })
  })

  /** Several variables from a pasted `.env` block, in one `config:set` (one restart). */
  app.post<{ Params: AppParams; Body: BulkBody }>('/apps/:app/config/bulk', { schema: { params: AppParams, body: BulkBody } }, async (req, reply) => {
    const appName = appParam(req.params)
    const text = fromTextarea(req.body?.env)
    const noRestart = isChecked(req.body?.no_restart)
    const bulk: BulkFormView = { text, noRestart, lines: [] }

    const parsed = parseEnvBlock(text)
    if (!parsed.ok) bulk.lines = parsed.errors.slice(0, MAX_LINE_ERRORS)
    if (!parsed.ok && parsed.errors.length > MAX_LINE_ERRORS) bulk.error = `${parsed.errors.length - MAX_LINE_ERRORS} more lines have problems too.`
    const vars = parsed.ok ? parsed.vars : {}
    const keys = Object.keys(vars)
    if (parsed.ok && keys.length === 0) bulk.error = 'Paste at least one KEY=value line.'
    if (!parsed.ok || keys.length === 0) return showInvalid(req, reply, appName, { kind: 'bulk', bulk })

    return applyChange(req, reply, {
      appName,
      noRestart,
      label: `Set ${listOfKeys(keys)} on ${appName}`,
      events: ['config-saved', 'config-bulk-saved'],
      run: (options) => app.dokku.configSet(appName, vars, options)
    })
  })

  app.post<{ Params: AppParams; Body: UnsetBody }>('/apps/:app/config/unset', { schema: { params: AppParams, body: UnsetBody } }, async (req, reply) => {
    const appName = appParam(req.params)
    const key = validateEnvKey(req.body?.key)
    const noRestart = isChecked(req.body?.no_restart)
    return applyChange(req, reply, {
      appName,
      noRestart,
      label: `Remove ${key} from ${appName}`,
      events: ['config-saved'],
      run: (options) => app.dokku.configUnset(appName, [key], options)
    })
  })
}

export default configRoutes
