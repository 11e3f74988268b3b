import { InvalidArgumentError } from '../../dokku/errors.js'
import type { Host } from '../../hosts/host.js'
import { appState, type DisplayState } from '../apps.js'
import type { ActionResult, Done, Form, SectionDef } from './common.js'
import { section as builder } from './builder.js'
import { section as checks } from './checks.js'
import { section as dockerOptions } from './docker-options.js'
import { section as nginx } from './nginx.js'
import { httpAuthSection, maintenanceSection } from './plugins.js'
import { section as ports } from './ports.js'
import { section as processSettings } from './process.js'
import { section as resources } from './resources.js'
import { section as storage } from './storage.js'

/**
 * The Settings tab of one app: one section per group, each read in its own call(s) and shown
 * even when another cannot be read, and every change as `perform(section, action, form)`: it
 * validates (nothing runs when refused), runs, and answers with the section read afresh and a
 * message, or with the job it started when dokku restarts the app.
 */

export { logTail } from './nginx.js'
export { summary } from './summary.js'
export type { ActionResult, Done, Effect, EffectKind, Failure, Form, Read } from './common.js'

/** The sections in page order; each id is the section's anchor (`#ports`). */
const SECTIONS = {
  ports,
  checks,
  resources,
  storage,
  nginx,
  process: processSettings,
  builder,
  maintenance: maintenanceSection,
  'http-auth': httpAuthSection,
  'docker-options': dockerOptions
} satisfies Record<string, SectionDef<unknown>>

export type SectionId = keyof typeof SECTIONS
export const SECTION_IDS = Object.keys(SECTIONS) as SectionId[]

export interface SectionData {
  id: SectionId
  title: string
  view: unknown
}

export function sectionId (raw: string): SectionId {
  if (!(SECTION_IDS as string[]).includes(raw)) throw Object.assign(new Error('There is no such settings section.'), { statusCode: 404 })
  return raw as SectionId
}

/** One section, read (through the cache). */
export async function section (host: Host, app: string, id: SectionId): Promise<SectionData> {
  const def: SectionDef<unknown> = SECTIONS[id]
  return { id, title: def.title, view: await def.read(host, app) }
}

export interface SettingsPage {
  sections: SectionData[]
  appState: DisplayState | null
}

/** Every section in parallel, and the app's state badge. */
export async function page (host: Host, app: string): Promise<SettingsPage> {
  const [sections, state] = await Promise.all([Promise.all(SECTION_IDS.map((id) => section(host, app, id))), appState(host, app)])
  return { sections, appState: state }
}

export type Performed = ({ kind: 'done', section: SectionData } & Done) | { kind: 'job', job: Extract<ActionResult, { kind: 'job' }>['job'] }

/**
 * One change: `section`/`action` from the URL, the form as posted. InvalidArgumentError before
 * anything runs when the input is refused; dokku's own refusal as a DokkuError.
 */
export async function perform (host: Host, app: string, id: SectionId, action: string, form: Form): Promise<Performed> {
  const def: SectionDef<unknown> = SECTIONS[id]
  const run = Object.hasOwn(def.actions, action) ? def.actions[action] : undefined
  if (!run) throw new InvalidArgumentError('action', `The ${def.title} section has no action "${action.slice(0, 40)}".`)
  const result = await run(host, app, form)
  if (result.kind === 'job') return result
  return { ...result, section: await section(host, app, id) }
}
