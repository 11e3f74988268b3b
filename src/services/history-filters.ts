import { Type, type Static } from 'typebox'
import type { HistoryQuery, KindFilter, RunStatus } from '../db/history.js'
import { InvalidArgumentError } from '../dokku/errors.js'
import { validateAppName } from '../dokku/validate.js'

/**
 * The filters of /history, /apps/:app/history and the two exports, as one query string:
 * `kind`, `app`, `status`, `group`, `q`, `host` and `before` (keyset paging). The schema takes
 * any text, so that a bad value gets our message next to its field, not a bare 400.
 */
export const FilterQuery = Type.Object({
  kind: Type.Optional(Type.String()),
  app: Type.Optional(Type.String()),
  status: Type.Optional(Type.String()),
  group: Type.Optional(Type.String()),
  q: Type.Optional(Type.String()),
  host: Type.Optional(Type.String()),
  before: Type.Optional(Type.String())
})
export type FilterQuery = Static<typeof FilterQuery>

export const KINDS: ReadonlyArray<{ value: KindFilter; label: string }> = [
  { value: 'actions', label: 'Actions and jobs' },
  { value: 'reads', label: 'Reads' },
  { value: 'all', label: 'Everything' }
]

export const STATUSES: readonly RunStatus[] = ['success', 'skipped', 'failed', 'timeout', 'error', 'cancelled', 'running', 'queued', 'interrupted']

/** Suggestions for the group field (it takes any plugin name). */
export const COMMON_GROUPS = [
  'apps', 'builds', 'certs', 'config', 'cron', 'domains', 'git', 'letsencrypt', 'logs', 'mariadb', 'mongo',
  'mysql', 'nginx', 'plugin', 'ports', 'postgres', 'proxy', 'ps', 'redis', 'storage'
] as const

/** The longest free text searched (it is a LIKE over command and label). */
export const MAX_SEARCH = 200
const GROUP = /^[a-z0-9][a-z0-9_-]{0,40}$/
const HOST = /^[a-z0-9][a-z0-9-]{0,30}$/
const ID = /^[1-9]\d{0,14}$/

/** The fields as typed, echoed back into the form. */
export interface FilterForm {
  kind: string
  app: string
  status: string
  group: string
  q: string
}

export interface ParsedFilters {
  /** The repository query (valid values only). */
  query: HistoryQuery & { kind: KindFilter }
  form: FilterForm
  /** Field → message, for each refused value. */
  errors: Record<string, string>
}

/** The typed value, cut to a length worth echoing. */
function typed (value: string | undefined, max = 300): string {
  return (value ?? '').trim().slice(0, max)
}

/**
 * Checks every filter; an empty field means "any". `fixedApp` is the app of an app's History
 * tab: its own app filter is ignored.
 */
export function parseFilters (raw: FilterQuery, fixedApp?: string): ParsedFilters {
  const form: FilterForm = {
    kind: typed(raw.kind) || 'actions',
    app: fixedApp ?? typed(raw.app),
    status: typed(raw.status),
    group: typed(raw.group),
    q: typed(raw.q, MAX_SEARCH + 1)
  }
  const errors: Record<string, string> = {}
  const query: ParsedFilters['query'] = { kind: 'actions' }

  if (KINDS.some((k) => k.value === form.kind)) query.kind = form.kind as KindFilter
  else errors.kind = 'Show must be one of: actions (actions and jobs), reads, all.'

  if (form.app !== '') {
    try {
      query.app = validateAppName(form.app, 'app')
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err
      errors.app = err.message + '.'
    }
  }

  if (form.status !== '') {
    if ((STATUSES as readonly string[]).includes(form.status)) query.status = form.status as RunStatus
    else errors.status = `Status must be one of: ${STATUSES.join(', ')}.`
  }

  if (form.group !== '') {
    if (GROUP.test(form.group)) query.group = form.group
    else errors.group = 'Command group is a dokku plugin name such as ps, config or postgres: lowercase letters, digits, "-" and "_".'
  }

  if (form.q !== '') {
    if (form.q.length > MAX_SEARCH) errors.q = `Search text is too long (at most ${MAX_SEARCH} characters).`
    else query.q = form.q
  }

  const host = typed(raw.host)
  if (host !== '') {
    if (HOST.test(host)) query.host = host
    else errors.host = 'Host must be a host name from DOCKLIGHT_HOSTS: lowercase letters, digits and "-".'
  }

  const before = typed(raw.before)
  if (before !== '') {
    if (ID.test(before) && Number.isSafeInteger(Number(before))) query.before = Number(before)
    else errors.before = '"before" must be a history id: a whole number from 1.'
  }

  return { query, form, errors }
}

/** All the errors as one sentence list (for an export, which has no form to show them in). */
export function errorSummary (errors: Record<string, string>): string {
  return Object.values(errors).join(' ')
}

/**
 * The query string of these filters (without `before` unless given), for links that keep them:
 * the Older link, the exports. Defaults are left out, so URLs stay short. `withApp` false on an
 * app's tab, whose path already names the app.
 */
export function filterSearch (query: HistoryQuery, opts: { withApp?: boolean; before?: number } = {}): string {
  const params = new URLSearchParams()
  if (query.kind !== undefined && query.kind !== 'actions') params.set('kind', query.kind)
  if (query.app !== undefined && opts.withApp !== false) params.set('app', query.app)
  if (query.status !== undefined) params.set('status', query.status)
  if (query.group !== undefined) params.set('group', query.group)
  if (query.q !== undefined) params.set('q', query.q)
  if (query.host !== undefined) params.set('host', query.host)
  if (opts.before !== undefined) params.set('before', String(opts.before))
  const text = params.toString()
  return text === '' ? '' : '?' + text
}
