/**
 * dokku's events log as the simulator writes it (deploys.md §4.2): when logging is on, every
 * hooked trigger a command fires becomes one rsyslog line in `/var/log/dokku/events.log`,
 * with the SSH key's NAME/FINGERPRINT (empty for a local run) and the top-level DOKKU_PID.
 */
import type { Ctx } from './context.js'
import type { SimState } from './state.js'

/** Bound: the simulated log keeps its newest lines only (logrotate does it for dokku). */
export const MAX_EVENT_LINES = 2000

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const p2 = (n: number) => String(n).padStart(2, '0')

/** rsyslog's timestamp: the traditional `Aug  1 20:19:24` (UTC here) or RFC3339 with microseconds. */
export function syslogTime (ms: number, format: 'classic' | 'rfc3339' = 'classic'): string {
  const d = new Date(ms)
  if (format === 'rfc3339') {
    return `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}000+00:00`
  }
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`
}

export interface EventLineSpec {
  ms: number
  trigger: string
  args: readonly string[]
  name?: string
  fingerprint?: string
  dokkuPid: number
  loggerPid: number
}

/** One line as rsyslog writes it. */
export function eventLine (s: SimState, e: EventLineSpec): string {
  const host = s.events?.hostname ?? 'dokku'
  return `${syslogTime(e.ms, s.events?.format)} ${host} dokku-event[${e.loggerPid}]: INVOKED: ${e.trigger}( ${e.args.join(' ')} ) ` +
    `NAME=${e.name ?? ''} FINGERPRINT=${e.fingerprint ?? ''} DOKKU_PID=${e.dokkuPid}`
}

/** Appends this command's triggers to the log, when logging is on. */
export function logEvents (ctx: Ctx, s: SimState, triggers: ReadonlyArray<readonly [string, readonly string[]]>): void {
  const events = s.events
  if (!events?.enabled || triggers.length === 0) return
  for (const [trigger, args] of triggers) {
    events.log.push(eventLine(s, {
      ms: ctx.nowMs(),
      trigger,
      args,
      name: ctx.env.NAME,
      fingerprint: ctx.env.FINGERPRINT,
      dokkuPid: ctx.pid,
      loggerPid: (ctx.pid + events.log.length + 1) % 4_194_304
    }))
  }
  if (events.log.length > MAX_EVENT_LINES) events.log.splice(0, events.log.length - MAX_EVENT_LINES)
}
