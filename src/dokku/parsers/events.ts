import { splitLines } from './common.js'

/**
 * dokku's events log (`dokku events`, the tail of /var/log/dokku/events.log; deploys.md §4).
 * Each line is one trigger dokku ran, written by rsyslog:
 *
 *   <timestamp> <host> dokku-event[<logger pid>]: INVOKED: <trigger>( <args> ) NAME=<key name> FINGERPRINT=<fp> DOKKU_PID=<pid>
 *
 * The timestamp is rsyslog's: `Aug 21 20:19:24` (the classic template: no year, no zone; read
 * as UTC, in the year that puts it no later than now) or RFC3339 (`2026-08-21T20:19:24.123456+00:00`).
 * NAME is the SSH key that ran the command (empty for a local run), DOKKU_PID the top-level
 * dokku process: the key that groups one command's lines.
 */

export interface DokkuEvent {
  at: string
  host: string
  trigger: string
  /** The trigger's arguments: dokku joins them with single spaces, so empty ones are ''. */
  args: string[]
  /** The SSH key's NAME; null when empty (a local run). */
  name: string | null
  fingerprint: string | null
  dokkuPid: number
}

const LINE = /^(.+?) (\S+) dokku-event\[\d+\]: INVOKED: ([^(\s]+)\( (.*) \) NAME=(\S*) FINGERPRINT=(\S*) DOKKU_PID=(\d+)\s*$/
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const CLASSIC = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}):(\d{2}):(\d{2})$/

/** Either timestamp layout as ISO (UTC); null when it is neither. */
export function eventTime (text: string, now: Date): string | null {
  const classic = CLASSIC.exec(text)
  if (classic) {
    const month = MONTHS.indexOf(classic[1]!)
    if (month < 0) return null
    const [d, h, m, s] = [2, 3, 4, 5].map((i) => Number(classic[i]))
    let year = now.getUTCFullYear()
    let ms = Date.UTC(year, month, d!, h!, m!, s!)
    // No year in the line: a date more than a day ahead is last year's (a log read in January).
    if (ms > now.getTime() + 86_400_000) ms = Date.UTC(--year, month, d!, h!, m!, s!)
    return Number.isFinite(ms) ? new Date(ms).toISOString() : null
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})$/.test(text)) {
    const ms = Date.parse(text)
    return Number.isFinite(ms) ? new Date(ms).toISOString() : null
  }
  return null
}

/** One line, or null for anything else (the docs' old layout, a truncated line, noise). */
export function parseEventLine (line: string, now: Date): DokkuEvent | null {
  const m = LINE.exec(line)
  if (!m) return null
  const at = eventTime(m[1]!, now)
  if (at === null) return null
  return {
    at,
    host: m[2]!,
    trigger: m[3]!,
    args: m[4] === '' ? [] : m[4]!.split(' '),
    name: m[5] === '' ? null : m[5]!,
    fingerprint: m[6] === '' ? null : m[6]!,
    dokkuPid: Number(m[7])
  }
}

/** `dokku events`: every line that parses, oldest first. A missing or empty log is []. */
export function parseEvents (stdout: string, now: Date = new Date()): DokkuEvent[] {
  const out: DokkuEvent[] = []
  for (const line of splitLines(stdout)) {
    const event = parseEventLine(line, now)
    if (event) out.push(event)
  }
  return out
}

/** `events:list`: off (` !     Events logger disabled` on stderr), or on with the hooked triggers. */
export interface EventsStatus {
  enabled: boolean
  triggers: string[]
}

export function parseEventsList (stdout: string, stderr: string): EventsStatus {
  if (/Events logger disabled/.test(stderr) || /Events logger disabled/.test(stdout)) return { enabled: false, triggers: [] }
  const triggers = splitLines(stdout)
    .filter((l) => !/^=====> /.test(l))
    .flatMap((l) => l.trim().split(/\s+/))
    .filter((w) => /^[a-z0-9][a-z0-9-]*$/.test(w))
  return { enabled: true, triggers }
}

// ---- what the lines mean -------------------------------------------------------------------

export type EventGroupKind = 'deploy' | 'config' | 'app' | 'domains'

/** One command's useful triggers for one app (its DOKKU_PID), summed up. */
export interface EventGroup {
  dokkuPid: number
  app: string
  /** Its first line's time. */
  at: string
  /** Its last line's time. */
  endAt: string
  who: string | null
  kind: EventGroupKind
  summary: string
  detail: {
    triggers: string[]
    /** deploy-source-set: the source and its metadata (a successful source deploy). */
    source?: string
    metadata?: string
    action?: string
    keys?: string[]
    domains?: string[]
    /** post-deploy was seen: something was (re)deployed. */
    deployed?: boolean
  }
}

/**
 * The triggers worth a line in a timeline (deploys.md §4.2). Every other one is noise (the
 * getters dokku calls hundreds of times per deploy), and `user-auth` is dropped on purpose:
 * it carries the whole command line, config values included.
 */
export const USEFUL_TRIGGERS = ['deploy-source-set', 'pre-receive-app', 'receive-app', 'post-deploy', 'post-create', 'post-delete', 'post-config-update', 'post-domains-update'] as const

const APP = /^[a-z0-9][a-z0-9._-]*$/
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/
const DOMAIN = /^[a-z0-9.*_-]+$/i

const short = (metadata: string) => {
  const sha = /^(?:.*#)?([0-9a-f]{40})$/.exec(metadata)
  return sha ? metadata.replace(sha[1]!, sha[1]!.slice(0, 7)) : metadata
}

/**
 * Groups events by (DOKKU_PID, app), drops the noise and sums each group up: newest group
 * last, in the order their first lines came.
 */
export function groupEvents (events: readonly DokkuEvent[]): EventGroup[] {
  const groups = new Map<string, { first: DokkuEvent; who: string | null; lines: DokkuEvent[] }>()
  for (const e of events) {
    if (!(USEFUL_TRIGGERS as readonly string[]).includes(e.trigger)) continue
    const app = e.args[0] ?? ''
    if (!APP.test(app)) continue
    const key = `${e.dokkuPid}\0${app}`
    const g = groups.get(key) ?? { first: e, who: null, lines: [] }
    g.who ??= e.name
    g.lines.push(e)
    groups.set(key, g)
  }
  return [...groups.values()].map(({ first, who, lines }) => summarize(first, who, lines))
}

function summarize (first: DokkuEvent, who: string | null, lines: DokkuEvent[]): EventGroup {
  const app = first.args[0]!
  const triggers = [...new Set(lines.map((l) => l.trigger))]
  const find = (t: string) => lines.filter((l) => l.trigger === t)
  const detail: EventGroup['detail'] = { triggers }
  const deployed = find('post-deploy').length > 0
  if (deployed) detail.deployed = true
  const base = { dokkuPid: first.dokkuPid, app, at: first.at, endAt: lines[lines.length - 1]!.at, who }

  if (find('post-delete').length > 0) return { ...base, kind: 'app', summary: 'Destroyed the app', detail }
  if (find('post-create').length > 0) return { ...base, kind: 'app', summary: 'Created the app', detail }

  const source = find('deploy-source-set').at(-1)
  if (source) {
    detail.source = source.args[1] ?? ''
    detail.metadata = source.args.slice(2).join(' ')
    return { ...base, kind: 'deploy', summary: `Deployed ${detail.source}${detail.metadata ? ' ' + short(detail.metadata) : ''}`, detail }
  }

  // A build began (a push's pre-receive-app, a rebuild's or git:sync's receive-app) and no
  // deploy-source-set followed: it failed, or still runs. Its GIT_REV config update is part of it.
  const build = [...find('pre-receive-app'), ...find('receive-app')][0]
  if (build) {
    const rev = build.trigger === 'pre-receive-app' ? build.args[3] : build.args[1]
    if (rev && /^[0-9a-f]{7,64}$/.test(rev)) detail.metadata = rev
    const what = rev ? ` of ${short(rev)}` : ''
    return { ...base, kind: 'deploy', summary: deployed ? `Rebuilt and deployed${what}` : `Build${what} started: no successful deploy recorded`, detail }
  }

  const config = find('post-config-update')
  if (config.length > 0) {
    const keys = [...new Set(config.flatMap((l) => l.args.slice(2)).filter((k) => ENV_KEY.test(k)))]
    const actions = [...new Set(config.map((l) => l.args[1] ?? ''))].filter((a) => /^(set|unset|clear)$/.test(a))
    detail.keys = keys
    detail.action = actions.join(',')
    const verb = actions.length === 1 && actions[0] === 'unset' ? 'Unset' : actions.length === 1 && actions[0] === 'clear' ? 'Cleared' : 'Set'
    const what = verb === 'Cleared' && keys.length === 0 ? 'all config vars' : keys.length > 0 ? keys.join(', ') : 'config vars'
    return { ...base, kind: 'config', summary: `${verb} ${what}${deployed ? ' (redeployed)' : ''}`, detail }
  }

  const domains = find('post-domains-update')
  if (domains.length > 0) {
    const action = domains.at(-1)!.args[1] ?? ''
    const names = [...new Set(domains.flatMap((l) => l.args.slice(2)).filter((d) => DOMAIN.test(d)))]
    detail.action = /^[a-z-]+$/.test(action) ? action : ''
    detail.domains = names
    return { ...base, kind: 'domains', summary: `Domains ${detail.action || 'changed'}${names.length > 0 ? ': ' + names.join(', ') : ''}`, detail }
  }

  return { ...base, kind: 'deploy', summary: 'Redeployed (restart or config change)', detail }
}
