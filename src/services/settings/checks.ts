import type { ChecksReport } from '../../dokku/parsers/checks.js'
import { validateProcessTypes, validateWaitToRetire } from '../../dokku/validate-settings.js'
import type { Host } from '../../hosts/host.js'
import { applied, done, field, soft, type Effect, type Read, type SectionDef } from './common.js'
import { processTypes } from './process-types.js'
import { checksReport } from './reads.js'

/**
 * Zero-downtime checks (`checks:*`): disabled and skipped process types, and how long old
 * containers live on. Stored for the next deploy. The healthchecks themselves come from the
 * deployed app.json (`healthchecks`), which no dokku command lists.
 */

export interface ChecksView {
  checks: Read<ChecksReport>
  processTypes: string[]
  effect: Effect
}

export const CHECKS_EFFECT: Effect = { kind: 'deploy', text: 'Check settings apply at the next deploy; nothing restarts now.' }

export async function read (host: Host, app: string): Promise<ChecksView> {
  const [checks, types] = await Promise.all([soft(checksReport(host, app)), processTypes(host, app)])
  return { checks, processTypes: types, effect: CHECKS_EFFECT }
}

/** `process` empty: every process type. */
function typesFrom (raw: string): string[] | null {
  return raw === '' ? null : validateProcessTypes(raw)
}

const WHAT = { enable: 'Enabled', disable: 'Disabled', skip: 'Skipping' } as const

function change (verb: 'enable' | 'disable' | 'skip'): SectionDef<ChecksView>['actions'][string] {
  return async (host, app, form) => {
    const types = typesFrom(field(form, 'process'))
    const warnings = await applied(host, app, () => host.dokku.checksChange(app, verb, types))
    const scope = types === null ? 'every process type' : types.join(', ')
    return done(`${WHAT[verb]} zero-downtime checks for ${scope}: applies at the next deploy.`, warnings)
  }
}

export const section: SectionDef<ChecksView> = {
  title: 'Health checks',
  read,
  actions: {
    enable: change('enable'),
    disable: change('disable'),
    skip: change('skip'),
    'wait-to-retire': async (host, app, form) => {
      const raw = field(form, 'wait_to_retire')
      const seconds = raw === '' ? null : validateWaitToRetire(raw)
      const warnings = await applied(host, app, () => host.dokku.checksSetWaitToRetire(app, seconds))
      return done(seconds === null ? 'Wait-to-retire reset to the default.' : `Old containers now retire ${seconds}s after a deploy.`, warnings)
    }
  }
}
