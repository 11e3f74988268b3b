/** `plugin:list` (plugn table or JSON) and the root-only plugin commands. */
import type { Ctx } from '../context.js'
import { goJsonStruct, rightPad } from '../format.js'
import { versionString } from '../version.js'

export async function cmdPluginList (ctx: Ctx, args: string[]): Promise<void> {
  let format = 'stdout'
  if (ctx.atLeast('0.38.22')) {
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!
      if (a === '--format') format = args[++i] ?? ''
      else if (a.startsWith('--format=')) format = a.slice('--format='.length)
    }
    if (format !== 'stdout' && format !== 'json') ctx.fail('Invalid output format specified, supported formats: json, stdout')
  }
  const s = await ctx.store.read()
  // Core plugins carry the version of dokku itself.
  const plugins = s.plugins.map((p) => p.core ? { ...p, version: versionString(ctx.version) } : p)
  if (format === 'json') {
    ctx.line('[' + plugins.map((p) => goJsonStruct([
      ['name', p.name], ['version', p.version], ['enabled', p.enabled], ['core', p.core], ['description', p.description],
      ['source_url', p.sourceUrl], ['committish', p.committish], ['branch', p.branch]
    ])).join(',') + ']')
    return
  }
  if (!ctx.atLeast('0.23.0')) ctx.line('plugn: 0.5.0')
  for (const p of plugins) {
    ctx.line(`  ${rightPad(p.name, 20)} ${rightPad(p.version, 5)} ${rightPad(p.enabled ? 'enabled' : 'disabled', 10)} ${p.description}`)
  }
}

/** Every other plugin:* command needs root; the simulator runs as the dokku user. */
export function cmdPluginRootOnly (ctx: Ctx): never {
  return ctx.fail('This command must be run as root')
}
