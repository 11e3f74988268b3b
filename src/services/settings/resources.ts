import { InvalidArgumentError } from '../../dokku/errors.js'
import type { ResourceReport } from '../../dokku/parsers/resource.js'
import { RESOURCE_KEYS, validateResourceProcessType, validateResourceValue, type ResourceKey } from '../../dokku/validate-settings.js'
import type { Host } from '../../hosts/host.js'
import { appScheduler } from '../server.js'
import { applied, checked, done, field, nothingChanged, soft, type Effect, type Read, type SectionDef } from './common.js'
import { processTypes } from './process-types.js'
import { resourceReport } from './reads.js'

/**
 * Resource limits and reservations per process type (`_default_` for all). dokku stores any
 * text; values are checked for the scheduler's units. They apply to containers created after
 * the change (a rebuild or deploy). Careful: clearing without a process type wipes every limit
 * **and** reservation of every process type (app-settings.md §6.2).
 */

export { RESOURCE_KEYS }
export type Kind = 'limit' | 'reserve'

export interface ResourcesView {
  resources: Read<ResourceReport>
  /** Process types with any value, `_default_` first, then the app's others. */
  rows: string[]
  processTypes: string[]
  scheduler: 'docker-local' | 'k3s'
  effect: Effect
}

export const RESOURCES_EFFECT: Effect = { kind: 'rebuild', text: 'Limits apply to containers created after the change: rebuild the app (or deploy) to apply them.' }

async function schedulerOf (host: Host, app: string): Promise<'docker-local' | 'k3s'> {
  return (await appScheduler(host, app)) === 'k3s' ? 'k3s' : 'docker-local'
}

export async function read (host: Host, app: string): Promise<ResourcesView> {
  const [resources, types, scheduler] = await Promise.all([soft(resourceReport(host, app)), processTypes(host, app), schedulerOf(host, app)])
  const used = resources.ok ? [...Object.keys(resources.value.limits), ...Object.keys(resources.value.reservations)] : []
  const rows = [...new Set(['_default_', ...used.filter((p) => p !== '_default_').sort()])]
  return { resources, rows, processTypes: types, scheduler, effect: RESOURCES_EFFECT }
}

function kindFrom (raw: string): Kind {
  if (raw !== 'limit' && raw !== 'reserve') throw new InvalidArgumentError('kind', 'Choose limits or reservations')
  return raw
}

export const section: SectionDef<ResourcesView> = {
  title: 'Resources',
  read,
  actions: {
    /**
     * The form holds every key of one process type, prefilled: a value set, a value emptied that
     * was set (→ `clear` for that key), the rest unchanged.
     */
    set: async (host, app, form) => {
      const kind = kindFrom(field(form, 'kind'))
      const type = validateResourceProcessType(field(form, 'process') || '_default_')
      // Hostile text is refused before the scheduler is even read.
      for (const key of RESOURCE_KEYS) {
        const raw = field(form, key)
        if (raw !== '' && !/^[0-9A-Za-z.]{1,20}$/.test(raw)) validateResourceValue(key, raw)
      }
      const scheduler = await schedulerOf(host, app)
      const wanted: Partial<Record<ResourceKey, string>> = {}
      for (const key of RESOURCE_KEYS) {
        const raw = field(form, key)
        if (raw !== '') wanted[key] = validateResourceValue(key, raw, scheduler)
      }
      const current = (await resourceReport(host, app))[kind === 'limit' ? 'limits' : 'reservations'][type] ?? {}
      const values: Partial<Record<ResourceKey, string>> = {}
      for (const key of RESOURCE_KEYS) {
        if (wanted[key] !== undefined && wanted[key] !== current[key]) values[key] = wanted[key]
        else if (wanted[key] === undefined && current[key] !== undefined) values[key] = 'clear'
      }
      if (Object.keys(values).length === 0) nothingChanged(RESOURCE_KEYS[0])
      const warnings = await applied(host, app, () => host.dokku.resourceSet(app, kind, type, values, scheduler))
      const shown = Object.entries(values).map(([k, v]) => `${k} ${v === 'clear' ? 'cleared' : v}`).join(', ')
      return done(`${kind === 'limit' ? 'Limits' : 'Reservations'} of ${type === '_default_' ? 'every process type' : type}: ${shown}. Rebuild to apply.`, warnings, 'rebuild')
    },
    /**
     * One process type's limits or reservations (`--process-type`), or with `everything` every
     * resource setting of the app: dokku's no-process-type clear.
     */
    clear: async (host, app, form) => {
      if (checked(form, 'everything')) {
        const warnings = await applied(host, app, () => host.dokku.resourceClear(app, 'limit', null))
        return done('Cleared every limit and reservation of every process type. Rebuild to apply.', warnings, 'rebuild')
      }
      const kind = kindFrom(field(form, 'kind'))
      const type = validateResourceProcessType(field(form, 'process') || '_default_')
      const warnings = await applied(host, app, () => host.dokku.resourceClear(app, kind, type))
      return done(`Cleared the ${kind === 'limit' ? 'limits' : 'reservations'} of ${type === '_default_' ? 'the default (every process type)' : type}. Rebuild to apply.`, warnings, 'rebuild')
    }
  }
}
