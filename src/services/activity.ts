import type { EventKind, StoredEvent } from '../db/dokku-events.js'
import type { HistoryRow } from '../db/history.js'
import type { Release } from '../db/releases.js'
import type { Delivery } from '../db/webhooks.js'
import { InvalidArgumentError } from '../dokku/errors.js'
import { validateAppName } from '../dokku/validate.js'
import type { Host } from '../hosts/host.js'
import type { CommandOutcome } from '../dokku/client.js'
import { storeOf } from './deploy-store.js'
import { actorLabel, reconcileApp, reconcileHost } from './releases.js'

/**
 * One timeline, newest first, from four sources: Docklight's own actions (history), dokku's
 * events log (CLI commands and git pushes, grouped by DOKKU_PID, the SSH key's NAME as who),
 * deploys known only from dokku's build records or events (releases), and webhook deliveries.
 * Paged by keyset: the cursor holds each source's position, so a page never skips or repeats
 * an entry whatever the others hold.
 */

export type ActivityKind = 'deploy' | 'config' | 'app' | 'domains' | 'webhook' | 'action'
export const ACTIVITY_KINDS: ReadonlyArray<{ value: ActivityKind; label: string }> = [
  { value: 'deploy', label: 'Deploys' },
  { value: 'config', label: 'Config changes' },
  { value: 'app', label: 'Apps created or destroyed' },
  { value: 'domains', label: 'Domain changes' },
  { value: 'webhook', label: 'Webhook deliveries' },
  { value: 'action', label: "Docklight's actions" }
]

/** What `events:on` records, for the notice shown where the log is off. */
export const EVENTS_ON_RECORDS = 'every trigger dokku runs, one line each in /var/log/dokku/events.log (through rsyslog): deploys and who pushed them (the SSH key\'s name), config changes with key names only, apps created and destroyed, domain changes, for every dokku command on the host, yours and everyone\'s'

type Source = 'history' | 'event' | 'release' | 'delivery'
const SOURCE_ORDER: Record<Source, number> = { history: 3, event: 2, release: 1, delivery: 0 }

export interface ActivityItem {
  source: Source
  id: number
  at: string
  host: string
  app: string | null
  kind: ActivityKind
  who: string
  what: string
  /** A status word for the badge (success, failed, succeeded, ignored…); null: the log does not say. */
  outcome: string | null
  link: { href: string; text: string } | null
}

/** Each source's position: history by id, the others by (time, id). */
interface Cursor {
  h?: number
  e?: [string, number]
  r?: [string, number]
  w?: [string, number]
}

export interface ActivityQueryRaw {
  app?: string
  kind?: string
  who?: string
  host?: string
  before?: string
}

export interface ActivityPage {
  base: string
  fixedApp: string | null
  form: { app: string; kind: string; who: string; host: string }
  errors: Record<string, string>
  items: ActivityItem[]
  olderUrl: string | null
  newestUrl: string | null
  kinds: typeof ACTIVITY_KINDS
  /** SSH key names seen, for the "who" field's suggestions. */
  names: string[]
  hostNames: string[]
  /** Hosts whose events log is off: the one command that turns it on. */
  eventsOff: Array<{ host: string; command: string }>
  /** Hosts that did not answer in time: their newest events may be missing. */
  unreachable: string[]
}

export interface ActivityScope {
  /** Where the page lives (its filter form and paging links). */
  base: string
  /** Every host the page spans (one on an app's tab). */
  hosts: readonly Host[]
  /** Links to a host's pages need `/hosts/<name>` when there are several. */
  several: boolean
  /** An app's tab: the app, on the one host. */
  app?: string
}

export const PAGE_SIZE = 50
const WHO = /^[A-Za-z0-9._@-]{1,64}$/

function encodeCursor (c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url')
}

function isPosition (v: unknown): v is [string, number] {
  return Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && Number.isFinite(Date.parse(v[0])) && Number.isSafeInteger(v[1])
}

/** The `before` cursor, or an InvalidArgumentError: it is a URL anyone can edit. */
export function decodeCursor (raw: string): Cursor {
  let data: unknown
  try {
    if (raw.length > 600 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw new Error('shape')
    data = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'))
  } catch {
    throw new InvalidArgumentError('before', '"before" is not a page of this timeline: follow the Older link')
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw new InvalidArgumentError('before', '"before" is not a page of this timeline')
  const o = data as Record<string, unknown>
  const c: Cursor = {}
  if (o.h !== undefined) { if (!Number.isSafeInteger(o.h)) throw new InvalidArgumentError('before', '"before" is not a page of this timeline'); c.h = o.h as number }
  for (const k of ['e', 'r', 'w'] as const) {
    if (o[k] === undefined) continue
    if (!isPosition(o[k])) throw new InvalidArgumentError('before', '"before" is not a page of this timeline')
    c[k] = o[k] as [string, number]
  }
  return c
}

const HISTORY_GROUP: Partial<Record<ActivityKind, string>> = { deploy: 'git', config: 'config', app: 'apps', domains: 'domains' }

function historyKind (row: HistoryRow): ActivityKind {
  switch (row.group) {
    case 'git': return 'deploy'
    case 'config': return 'config'
    case 'apps': return /apps:(create|destroy)/.test(row.command) ? 'app' : 'action'
    case 'domains': return 'domains'
    default: return 'action'
  }
}

function historyWho (row: HistoryRow): string {
  return row.origin === 'webhook' ? 'webhook' : row.origin === 'watchdog' ? 'watchdog' : 'Docklight'
}

function hostBase (scope: ActivityScope, host: string): string {
  return scope.several ? `/hosts/${host}` : ''
}

const short = (s: string) => s.replace(/\b([0-9a-f]{40})\b/g, (sha) => sha.slice(0, 7))

function releaseWhat (r: Release): string {
  const what = r.metadata === '' ? `(${r.source || 'build'})` : `${r.source} ${short(r.metadata)}`
  return r.status === 'succeeded' ? `Deployed ${what}` : `Deploy ${what}`
}

interface Filters {
  app?: string
  host?: string
  kind?: ActivityKind
  who?: string
}

/** One page of the timeline; reconciles each host first (bounded, within its page timeout). */
export async function activityPage (raw: ActivityQueryRaw, scope: ActivityScope): Promise<ActivityPage> {
  const form = { app: scope.app ?? (raw.app ?? '').trim().slice(0, 200), kind: (raw.kind ?? '').trim().slice(0, 40), who: (raw.who ?? '').trim().slice(0, 80), host: (raw.host ?? '').trim().slice(0, 40) }
  const errors: Record<string, string> = {}
  const filters: Filters = {}
  if (form.app !== '') {
    try { filters.app = validateAppName(form.app) } catch (err) { errors.app = (err as Error).message + '.' }
  }
  if (form.kind !== '') {
    if (ACTIVITY_KINDS.some((k) => k.value === form.kind)) filters.kind = form.kind as ActivityKind
    else errors.kind = `Kind must be one of: ${ACTIVITY_KINDS.map((k) => k.value).join(', ')}.`
  }
  if (form.who !== '') {
    if (WHO.test(form.who)) filters.who = form.who
    else errors.who = 'Who is "docklight", "webhook" or an SSH key name: letters, digits, ".", "_", "@" and "-".'
  }
  const hostNames = scope.hosts.map((h) => h.name)
  if (form.host !== '') {
    if (hostNames.includes(form.host)) filters.host = form.host
    else errors.host = `Host must be one of: ${hostNames.join(', ')}.`
  }
  let cursor: Cursor = {}
  if ((raw.before ?? '') !== '') {
    try { cursor = decodeCursor(raw.before!) } catch (err) { errors.before = (err as Error).message + '.' }
  }
  const hosts = scope.hosts.filter((h) => filters.host === undefined || h.name === filters.host)
  const page: ActivityPage = {
    base: scope.base,
    fixedApp: scope.app ?? null,
    form,
    errors,
    items: [],
    olderUrl: null,
    newestUrl: null,
    kinds: ACTIVITY_KINDS,
    names: [],
    hostNames,
    eventsOff: [],
    unreachable: []
  }
  if (hosts.length === 0) return page
  const store = storeOf(hosts[0]!)
  page.names = store.events.names(filters.host)

  await Promise.all(hosts.map(async (host) => {
    const pass = scope.app ? reconcileApp(host, scope.app) : reconcileHost(host)
    const answered = await withTimeout(pass.then(() => true, () => true), host.pageTimeoutMs)
    if (!answered) page.unreachable.push(host.name)
    const status = await withTimeout(host.cache.get('events:list', 'all', () => host.dokku.eventsStatus()).catch(() => null), host.pageTimeoutMs)
    if (status && status !== true && !status.enabled) page.eventsOff.push({ host: host.name, command: 'dokku events:on' })
  }))
  if (Object.keys(errors).length > 0) return page

  const { items, more, next } = merge(hosts, scope, filters, cursor)
  page.items = items
  const search = (extra: Record<string, string>) => {
    const p = new URLSearchParams()
    if (!scope.app && filters.app) p.set('app', filters.app)
    if (filters.kind) p.set('kind', filters.kind)
    if (filters.who) p.set('who', filters.who)
    if (filters.host && !scope.app) p.set('host', filters.host)
    for (const [k, v] of Object.entries(extra)) p.set(k, v)
    const s = p.toString()
    return s === '' ? '' : '?' + s
  }
  page.olderUrl = more ? scope.base + search({ before: encodeCursor(next) }) : null
  page.newestUrl = raw.before ? scope.base + search({}) : null
  return page
}

/** The value, or `true` when it did not come within `ms` (the page goes on without it). */
async function withTimeout<T> (p: Promise<T>, ms: number): Promise<T | true> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<true>((resolve) => { timer = setTimeout(() => resolve(true), ms) })
  try {
    return await Promise.race([p, late])
  } finally {
    clearTimeout(timer)
  }
}

/** Each source's next rows after its position, merged newest first; the cursor of the last one shown. */
export function merge (hosts: readonly Host[], scope: ActivityScope, f: Filters, cursor: Cursor, size = PAGE_SIZE): { items: ActivityItem[]; more: boolean; next: Cursor } {
  const store = storeOf(hosts[0]!)
  const history = hosts[0]!.history
  const onlyHost = hosts.length === 1 ? hosts[0]!.name : f.host
  const names = new Set(hosts.map((h) => h.name))
  const limit = size + 1
  const who = f.who
  const candidates: ActivityItem[] = []

  /** A source gave a whole batch: there may be more behind it, whatever this page shows. */
  let full = false
  /** History rows this timeline leaves out, which the cursor still has to move past. */
  const skipped: HistoryRow[] = []
  const wantHistory = f.kind !== 'webhook' && (who === undefined || who.toLowerCase() === 'docklight')
  if (wantHistory) {
    const group = f.kind === undefined || f.kind === 'action' ? undefined : HISTORY_GROUP[f.kind]
    const rows = history.list({ host: onlyHost, app: f.app, kind: 'actions', group, before: cursor.h, limit })
    full ||= rows.length === limit
    for (const row of rows) {
      // A refused webhook's row is listed as its delivery.
      if (!names.has(row.host) || row.command.startsWith('webhook ')) {
        skipped.push(row)
        continue
      }
      candidates.push({
        source: 'history', id: row.id, at: row.createdAt, host: row.host, app: row.app, kind: historyKind(row), who: historyWho(row),
        what: row.label ?? row.command, outcome: row.status,
        link: { href: row.kind === 'job' ? `/jobs/${row.id}` : `/history/${row.id}`, text: row.kind === 'job' ? `job #${row.id}` : `#${row.id}` }
      })
    }
  }
  const named = who !== undefined && who.toLowerCase() !== 'docklight' && who.toLowerCase() !== 'webhook' ? who : undefined
  const eventKinds = f.kind === undefined ? undefined : (['deploy', 'config', 'app', 'domains'] as EventKind[]).filter((k) => k === f.kind)
  if ((who === undefined || named !== undefined) && (eventKinds === undefined || eventKinds.length > 0)) {
    const rows: StoredEvent[] = store.events.feed({ host: onlyHost, app: f.app, kinds: eventKinds, who: named, before: cursor.e ? { at: cursor.e[0], id: cursor.e[1] } : undefined, limit })
    full ||= rows.length === limit
    for (const e of rows) {
      if (!names.has(e.host)) continue
      candidates.push({
        source: 'event', id: e.id, at: e.at, host: e.host, app: e.app, kind: e.kind, who: e.who ? `${e.who} (SSH key)` : 'local shell (no SSH key)',
        what: e.summary, outcome: null,
        link: e.app && e.kind === 'deploy' ? { href: `${hostBase(scope, e.host)}/apps/${e.app}/deploy`, text: 'deploys' } : null
      })
    }
  }
  if ((who === undefined || named !== undefined) && (f.kind === undefined || f.kind === 'deploy')) {
    const rows = store.releases.feed({ host: onlyHost, app: f.app, learnedFrom: ['events', 'builds'], actor: named, before: cursor.r ? { at: cursor.r[0], id: cursor.r[1] } : undefined, limit })
    full ||= rows.length === limit
    for (const r of rows) {
      if (!names.has(r.host)) continue
      candidates.push({
        source: 'release', id: r.id, at: r.startedAt, host: r.host, app: r.app, kind: 'deploy', who: actorLabel(r), what: releaseWhat(r), outcome: r.status,
        link: { href: `${hostBase(scope, r.host)}/apps/${r.app}/deploy/releases/${r.id}`, text: r.buildId ? 'build log' : 'release' }
      })
    }
  }
  if ((who === undefined || who.toLowerCase() === 'webhook') && (f.kind === undefined || f.kind === 'webhook')) {
    const rows: Delivery[] = store.webhooks.feed({ host: onlyHost, app: f.app, before: cursor.w ? { at: cursor.w[0], id: cursor.w[1] } : undefined, limit })
    full ||= rows.length === limit
    for (const d of rows) {
      if (!names.has(d.host)) continue
      candidates.push({
        source: 'delivery', id: d.id, at: d.receivedAt, host: d.host, app: d.app, kind: 'webhook', who: `${d.provider === 'github' ? 'GitHub' : 'generic'} webhook`,
        what: `${d.event ?? 'delivery'}${d.ref ? ' ' + d.ref : ''}${d.sha ? ' ' + d.sha.slice(0, 7) : ''}: ${d.reason}`, outcome: d.outcome,
        link: d.jobId ? { href: `/jobs/${d.jobId}`, text: `job #${d.jobId}` } : { href: `${hostBase(scope, d.host)}/apps/${d.app}/deploy#webhook`, text: 'webhook' }
      })
    }
  }

  candidates.sort((x, y) => x.at < y.at ? 1 : x.at > y.at ? -1 : SOURCE_ORDER[y.source] - SOURCE_ORDER[x.source] || y.id - x.id)
  const items = candidates.slice(0, size)
  const next: Cursor = { ...cursor }
  for (const item of items) {
    if (item.source === 'history') next.h = item.id
    else if (item.source === 'event') next.e = [item.at, item.id]
    else if (item.source === 'release') next.r = [item.at, item.id]
    else next.w = [item.at, item.id]
  }
  // Left-out history rows at least as new as this page's last entry are behind us now.
  const boundary = items.length === size ? items[items.length - 1]!.at : ''
  for (const row of skipped) if (row.createdAt >= boundary && (next.h === undefined || row.id < next.h)) next.h = row.id
  return { items, more: candidates.length > size || full, next }
}

/** `events:on`, only when the admin asks (it changes what dokku logs for everyone on the host). */
export async function turnOnEvents (host: Host): Promise<CommandOutcome> {
  const outcome = await host.dokku.eventsOn()
  // events:list is cached for every page ('all'): read it again.
  host.cache.invalidateApp('')
  return outcome
}
