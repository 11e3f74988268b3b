/**
 * `checks:report`, `checks:enable`, `checks:disable`, `checks:skip`, `checks:set`
 * (dokku-reference/app-settings.md §3; the bash subcommands in plugins/checks, the report in Go
 * since 0.38.22).
 */
import type { Ctx } from '../context.js'
import { runReport, type ReportDef } from '../report.js'
import { globalProp, settingsOf } from '../settings-state.js'
import type { SimState } from '../state.js'
import { appRecord, bashSet, globalRecord, type Handler } from './settings-common.js'

function checksFlags (s: SimState, app: string | null): Array<[string, string]> {
  const own = (k: string) => (app === null ? '' : s.apps[app]?.settings?.checks?.[k] ?? '')
  const global = globalProp(s, 'checks', 'wait-to-retire')
  const computed: Array<[string, string]> = [['--checks-computed-wait-to-retire', own('wait-to-retire') || global || '60'], ['--checks-global-wait-to-retire', global]]
  if (app === null) return computed
  // The bash engine's fixed order: lists, computed, global, the app's own.
  return [
    ['--checks-disabled-list', own('disabled') || 'none'],
    ['--checks-skipped-list', own('skipped') || 'none'],
    ...computed,
    ['--checks-wait-to-retire', own('wait-to-retire')]
  ]
}

async function cmdChecksReport (ctx: Ctx, args: string[]): Promise<void> {
  const def: ReportDef = {
    reportType: 'checks',
    legacyPrefix: false,
    jsonSince: '0.38.0',
    goSince: '0.38.22',
    globalSince: '0.38.0',
    appFlags: (s, app) => checksFlags(s, app),
    globalFlags: (s) => checksFlags(s, null)
  }
  await runReport(ctx, 'checks:report', def, args)
}

/** `remove_val_from_list`: a substring replace (no exact-match guard), then comma clean-up. */
function removeVal (value: string, list: string): string {
  let out = list.split(value).join('')
  out = out.split(',,').join(',')
  if (out.startsWith(',')) out = out.slice(1)
  if (out.endsWith(',')) out = out.slice(0, -1)
  return out
}

const inList = (value: string, list: string) => list.split(',').includes(value)

type Verb = 'enable' | 'disable' | 'skip'

function change (verb: Verb): Handler {
  return async (ctx, args) => {
    const [app = '', types = '_all_'] = args
    const message = await ctx.store.update((s) => {
      const a = ctx.requireApp(s, app)
      const checks = settingsOf(a).checks ??= {}
      let disabled = checks.disabled ?? ''
      let skipped = checks.skipped ?? ''
      const all = types === '_all_'
      let message: string
      if (verb === 'enable') {
        message = all ? `Enabling zero downtime for app's (${app})` : `Enabling zero downtime for app's (${app}) proctypes (${types})`
        if (all) {
          disabled = ''
          skipped = ''
        } else {
          for (const t of types.split(',')) {
            disabled = removeVal(t, disabled)
            skipped = removeVal(t, skipped)
          }
        }
      } else {
        const noun = verb === 'disable' ? 'Disabling' : 'Skipping'
        message = all ? `${noun} zero downtime for app (${app})` : `${noun} zero downtime for app's (${app}) proctypes (${types})`
        let mine = verb === 'disable' ? disabled : skipped
        let other = verb === 'disable' ? skipped : disabled
        if (all) {
          mine = '_all_'
          other = ''
        } else {
          for (const t of types.split(',')) {
            if (!inList(t, mine)) mine = `${mine},${t}`
            if (inList(t, other)) other = removeVal(t, other)
          }
          mine = removeVal('_all_', mine)
        }
        disabled = verb === 'disable' ? mine : other
        skipped = verb === 'disable' ? other : mine
      }
      if (disabled === '') delete checks.disabled
      else checks.disabled = disabled
      if (skipped === '') delete checks.skipped
      else checks.skipped = skipped
      return message
    })
    ctx.info1(message)
  }
}

async function cmdChecksSet (ctx: Ctx, args: string[]): Promise<void> {
  await ctx.store.update((s) => {
    bashSet(ctx, s, args, { keys: ['wait-to-retire'], store: appRecord('checks'), globalStore: globalRecord('checks') })
  })
}

export const CHECKS_COMMANDS: Record<string, Handler> = {
  'checks:report': cmdChecksReport,
  'checks:enable': change('enable'),
  'checks:disable': change('disable'),
  'checks:skip': change('skip'),
  'checks:set': cmdChecksSet
}
