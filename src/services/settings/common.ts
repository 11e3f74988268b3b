import type { CommandOutcome } from '../../dokku/client.js'
import { DokkuError, InvalidArgumentError } from '../../dokku/errors.js'
import type { Host } from '../../hosts/host.js'
import type { JobSnapshot } from '../../jobs/manager.js'

/**
 * What every settings section shares: what a change does (said before it runs), how a change
 * answers (a message for the toast, or a job), soft reads (one section that cannot be read does
 * not fail the page), and form fields.
 */

/** What a change in a section does to the running app. */
export type EffectKind = 'now' | 'restart' | 'rebuild' | 'deploy'

export interface Effect {
  kind: EffectKind
  /** One sentence, shown at the top of the section before anything is changed. */
  text: string
}

/** The follow-up a pending change needs, offered as a button after it. */
export type FollowUp = 'restart' | 'rebuild' | null

/** A change made at once, in the user's words. */
export interface Done {
  message: string
  /** Dokku's ` !` lines on a change that went through. */
  warnings: string[]
  followUp: FollowUp
}

/** What an action answers: done at once, or a job (it restarts or rebuilds). */
export type ActionResult = ({ kind: 'done' } & Done) | { kind: 'job'; job: JobSnapshot }

/** A dokku failure shown where it happened, with its history row. */
export interface Failure {
  message: string
  historyId: number | null
}

/** A section's state, or why it could not be read (dokku's words). */
export type Read<T> = { ok: true; value: T } | { ok: false; failure: Failure }

/** Failures that are the section's alone; the app missing or dokku unreachable fail the page. */
const SECTION_FAILURES: ReadonlyArray<DokkuError['kind']> = ['failed', 'not-installed', 'parse', 'forbidden', 'not-deployed', 'conflict', 'locked']

export async function soft<T> (read: Promise<T>): Promise<Read<T>> {
  try {
    return { ok: true, value: await read }
  } catch (err) {
    if (err instanceof DokkuError && SECTION_FAILURES.includes(err.kind)) return { ok: false, failure: { message: err.message, historyId: err.historyId } }
    throw err
  }
}

/** A submitted form: every field a string (urlencoded), absent ones undefined. */
export type Form = Readonly<Record<string, string | undefined>>

/** A field, trimmed ('' when absent). */
export function field (form: Form, name: string): string {
  const v = form[name]
  return typeof v === 'string' ? v.trim() : ''
}

/** A checkbox or a yes/no field. */
export function checked (form: Form, name: string): boolean {
  const v = field(form, name).toLowerCase()
  return v === 'on' || v === 'yes' || v === 'true' || v === '1'
}

/** Runs changes in order, then drops the app's cached reads (even after a failure: dokku may have changed something). */
export async function applied (host: Host, app: string, run: () => Promise<CommandOutcome | CommandOutcome[]>): Promise<string[]> {
  try {
    const outcome = await run()
    return (Array.isArray(outcome) ? outcome : [outcome]).flatMap((o) => o.warnings)
  } finally {
    host.cache.invalidateApp(app)
  }
}

export function done (message: string, warnings: string[], followUp: FollowUp = null): ActionResult {
  return { kind: 'done', message, warnings, followUp }
}

/** Nothing to send: the form changed nothing. */
export function nothingChanged (field: string): never {
  throw new InvalidArgumentError(field, 'Nothing changed: edit a value first.')
}

/** A settings action: validates the form (nothing runs if it is refused), runs, answers. */
export type Action = (host: Host, app: string, form: Form) => Promise<ActionResult>

/** A section: how it reads its state, and its actions by name. */
export interface SectionDef<V> {
  title: string
  read: (host: Host, app: string) => Promise<V>
  actions: Record<string, Action>
}
