import { parseEvents, parseEventsList, type DokkuEvent, type EventsStatus } from '../parsers/events.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'

/**
 * dokku's events log (deploys.md §4): `events` prints the log's last 100 lines (even while
 * logging is off), `events:list` says whether it is on, `events:on`/`events:off` switch it
 * for every later dokku call on the host. All answer exit 0.
 */

/** `dokku events`: the last 100 lines, parsed (lines of other layouts are skipped). */
export function events (now: () => Date = () => new Date()): CommandSpec<DokkuEvent[]> {
  return { args: ['events'], kind: 'read', timeoutMs: TIMEOUTS.read, parse: ({ stdout }) => parseEvents(stdout, now()) }
}

/** `dokku events:list`: ` !     Events logger disabled` (stderr) or the hooked triggers. */
export function eventsList (): CommandSpec<EventsStatus> {
  return { args: ['events:list'], kind: 'read', timeoutMs: TIMEOUTS.read, parse: ({ stdout, stderr }) => parseEventsList(stdout, stderr) }
}

/** `dokku events:on`: writes DOKKU_EVENTS=1 into ~dokku/.dokkurc; only ever on the admin's request. */
export function eventsOn (): CommandSpec<void> {
  return { args: ['events:on'], label: 'Turn on dokku\'s events log', timeoutMs: TIMEOUTS.read, parse: noParse }
}
