/** `ps:set` (dokku-reference/app-settings.md §11.4; plugins/ps `CommandSet`). ps:report reads the same properties. */
import type { Ctx } from '../context.js'
import type { Handler } from './settings-common.js'
import { propertySet } from './settings-common.js'

/** `isValidRestartPolicy`. */
function validRestartPolicy (value: string): boolean {
  return ['no', 'always', 'unless-stopped', 'on-failure'].includes(value) || value.startsWith('on-failure:')
}

async function cmdPsSet (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('ps:set', [{ name: 'global', type: 'bool', def: false, usage: '--global: set a global property' }], args)
  const global = values.global === true
  const [app = '', property = '', value = ''] = global ? ['--global', ...positional] : positional
  // Before 0.38.9 the policy was a docker option: an empty value was refused too.
  const policyProperty = ctx.atLeast('0.38.9')
  if (property === 'restart-policy' && (value !== '' || !policyProperty) && !validRestartPolicy(value)) ctx.fail('Invalid restart-policy specified')
  const valid = ['procfile-path', 'restart-policy']
  if (ctx.atLeast('0.36.0')) valid.push('stop-timeout-seconds')
  if (ctx.atLeast('0.38.0')) valid.push('restore', 'skip-deploy', 'start-cmd', 'dockerfile-start-cmd')
  const globalKeys = ['procfile-path', ...(ctx.atLeast('0.36.0') ? ['stop-timeout-seconds'] : []), ...(ctx.atLeast('0.38.0') ? ['skip-deploy'] : []), ...(policyProperty ? ['restart-policy'] : [])]
  await ctx.store.update((s) => {
    propertySet(ctx, s, { app, property, value, valid, global: globalKeys, store: (st, name) => st.apps[name]!.ps, globalStore: (st) => st.global.ps })
  })
}

export const PS_SET_COMMANDS: Record<string, Handler> = { 'ps:set': cmdPsSet }
