/**
 * `resource:report`, `resource:limit`, `resource:reserve`, `resource:limit-clear`,
 * `resource:reserve-clear` (dokku-reference/app-settings.md §6; plugins/resource). No value
 * and no process type is validated, as in dokku.
 */
import type { Ctx } from '../context.js'
import type { FlagSpec } from '../pflag.js'
import { runReport, type ReportDef } from '../report.js'
import { settingsOf } from '../settings-state.js'
import type { Handler } from './settings-common.js'

export const RESOURCE_KEYS = ['cpu', 'memory', 'memory-swap', 'network', 'network-ingress', 'network-egress', 'nvidia-gpu'] as const

async function cmdResourceReport (ctx: Ctx, args: string[]): Promise<void> {
  const def: ReportDef = {
    reportType: 'resource',
    legacyPrefix: true,
    jsonSince: '0.23.1',
    globalSince: '0.38.0',
    appFlags: (s, app) => Object.entries(s.apps[app]?.settings?.resource ?? {}).map(([k, v]): [string, string] => [`--resource-${k}`, v]),
    globalFlags: () => [],
    // Labels are not capitalised; before 0.38.8 they also lost the `resource ` prefix.
    label: (flag) => {
      const words = flag.replace(/^--/, '')
      return (ctx.atLeast('0.38.8') ? words : words.replace(/^resource-/, '')).replace(/[-.]/g, ' ') + ':'
    }
  }
  await runReport(ctx, 'resource:report', def, args)
}

function flagSpecs (): FlagSpec[] {
  return [
    { name: 'process-type', type: 'string', def: '', usage: 'process type to manage' },
    ...RESOURCE_KEYS.map((k): FlagSpec => ({ name: k, type: 'string', def: '', usage: `${k} limit` }))
  ]
}

function setter (kind: 'limit' | 'reserve'): Handler {
  const noun = kind === 'limit' ? 'limits' : 'reservation'
  return async (ctx, args) => {
    const { values, positional } = ctx.pflags(`resource:${kind}`, flagSpecs(), args)
    const app = positional[0] ?? ''
    const type = String(values['process-type'] ?? '') || '_default_'
    const given = RESOURCE_KEYS.filter((k) => String(values[k] ?? '') !== '')
    const s = await ctx.store.update((s) => {
      const a = ctx.requireApp(s, app)
      if (given.length === 0) return structuredClone(s)
      const props = settingsOf(a).resource ??= {}
      for (const key of given) {
        const value = String(values[key])
        if (value === 'clear') delete props[`${type}.${kind}.${key}`]
        else props[`${type}.${kind}.${key}`] = value
      }
      return null
    })
    if (s !== null) {
      // No value: show the stored ones, raw (not merged with the defaults).
      ctx.info2Quiet(`resource ${noun} ${app} information${type === '_default_' ? ' [defaults]' : ` (${type})`}`)
      const props = s.apps[app]?.settings?.resource ?? {}
      for (const key of RESOURCE_KEYS) ctx.verbose(`${key}: ${props[`${type}.${kind}.${key}`] ?? ''}`)
      return
    }
    ctx.info2Quiet(`Setting resource ${noun} for ${app}${type === '_default_' ? '' : ` (${type})`}`)
    // dokku iterates a Go map: the order is random. Any order is right.
    for (const key of given) {
      const value = String(values[key])
      ctx.verbose(value === 'clear' ? `${key}: cleared` : `${key}: ${value}`)
    }
  }
}

function clearer (kind: 'limit' | 'reserve'): Handler {
  const noun = kind === 'limit' ? 'limits' : 'reservation'
  return async (ctx, args) => {
    const { values, positional } = ctx.pflags(`resource:${kind}-clear`, [{ name: 'process-type', type: 'string', def: '', usage: 'process type to manage' }], args)
    const app = positional[0] ?? ''
    const type = String(values['process-type'] ?? '')
    await ctx.store.update((s) => {
      const a = ctx.requireApp(s, app)
      ctx.info2Quiet(`clearing ${app} ${noun}${type !== '' && type !== '_default_' ? ` (${type})` : ''}`)
      const settings = settingsOf(a)
      if (type === '') {
        // The empty process type takes the "delete all" branch: every process type, limits and reservations.
        delete settings.resource
        return
      }
      for (const key of RESOURCE_KEYS) delete settings.resource?.[`${type}.${kind}.${key}`]
      if (settings.resource && Object.keys(settings.resource).length === 0) delete settings.resource
    })
  }
}

export const RESOURCE_COMMANDS: Record<string, Handler> = {
  'resource:report': cmdResourceReport,
  'resource:limit': setter('limit'),
  'resource:reserve': setter('reserve'),
  'resource:limit-clear': clearer('limit'),
  'resource:reserve-clear': clearer('reserve')
}
