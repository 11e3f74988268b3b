import type { PsKey } from '../../dokku/commands/ps-set.js'
import type { PsReport } from '../../dokku/parsers/ps.js'
import { validateRepoPath, validateRestartPolicy, validateStopTimeout } from '../../dokku/validate-settings.js'
import type { Host } from '../../hosts/host.js'
import { psReport } from '../apps.js'
import { applied, done, field, nothingChanged, soft, type Effect, type Read, type SectionDef } from './common.js'

/**
 * Process settings (`ps:set`): restart policy, Procfile path, stop timeout. From the app's
 * ps:report, the same cached read as the overview. They apply at the next deploy or restart.
 */

export interface ProcessValue {
  key: PsKey
  field: string
  label: string
  /** The app's own value ('' when it follows the global one or dokku's default). */
  value: string
  /** What applies. */
  computed: string
}

export interface ProcessView {
  ps: Read<PsReport>
  values: ProcessValue[]
  effect: Effect
}

export const PROCESS_EFFECT: Effect = { kind: 'restart', text: 'Process settings apply at the next deploy or restart.' }

const FIELDS: Array<{ key: PsKey, field: string, label: string, def: string }> = [
  { key: 'restart-policy', field: 'restart_policy', label: 'Restart policy', def: 'on-failure:10' },
  { key: 'procfile-path', field: 'procfile_path', label: 'Procfile path', def: 'Procfile' },
  { key: 'stop-timeout-seconds', field: 'stop_timeout_seconds', label: 'Stop timeout (seconds)', def: '30' }
]

export async function read (host: Host, app: string): Promise<ProcessView> {
  const ps = await soft(psReport(host, app))
  const raw = ps.ok ? ps.value.raw : {}
  const values = FIELDS.map(({ key, field, label, def }): ProcessValue => ({
    key, field, label,
    value: raw[key] ?? '',
    computed: raw[`computed-${key}`] || raw[key] || def
  }))
  return { ps, values, effect: PROCESS_EFFECT }
}

function checkedValue (key: PsKey, raw: string): string {
  switch (key) {
    case 'restart-policy': return validateRestartPolicy(raw)
    case 'procfile-path': return validateRepoPath(raw, 'procfile_path', 'The Procfile path')
    case 'stop-timeout-seconds': return String(validateStopTimeout(raw))
  }
}

export const section: SectionDef<ProcessView> = {
  title: 'Process settings',
  read,
  actions: {
    set: async (host, app, form) => {
      const wanted: Array<[PsKey, string | null]> = []
      for (const f of FIELDS) {
        if (form[f.field] === undefined) continue
        const raw = field(form, f.field)
        wanted.push([f.key, raw === '' ? null : checkedValue(f.key, raw)])
      }
      const current = (await psReport(host, app)).raw
      const changes = wanted.filter(([key, value]) => (value ?? '') !== (current[key] ?? ''))
      if (changes.length === 0) nothingChanged('restart_policy')
      const warnings = await applied(host, app, async () => {
        const outcomes = []
        for (const [key, value] of changes) outcomes.push(await host.dokku.psSet(app, key, value))
        return outcomes
      })
      const shown = changes.map(([key, value]) => `${key} ${value ?? 'reset'}`).join(', ')
      return done(`${shown}: applies at the next deploy or restart.`, warnings, 'restart')
    }
  }
}
