/**
 * `builds:*` (v0.38.0+; deploys.md §2). Today: `builds:cancel`, which reads the app's deploy
 * lock and SIGQUITs the whole process group of the deploy holding it (§2.5).
 */
import type { Ctx } from '../context.js'
import { notACommand } from '../simulate.js'

export async function cmdBuildsCancel (ctx: Ctx, args: string[]): Promise<void> {
  if (!ctx.atLeast('0.38.0')) notACommand(ctx, ['builds:cancel', ...args])
  const app = args[0]
  const outcome = await ctx.store.update((s) => {
    const a = ctx.requireApp(s, app)
    const lock = a.lock
    if (lock === null) return { message: 'App not currently deploying' }
    // apps:lock writes an empty lock file: there is no deploy id to look up.
    if (lock.kind === 'manual') return { message: 'No matching app deploy found' }
    a.lock = null
    if (!ctx.processAlive(lock.pid)) return { message: 'Build was already terminated, marking failed' }
    return { message: 'Killing app deploy', pid: lock.pid }
  })
  ctx.info1(outcome.message)
  if (outcome.pid === undefined) return
  try {
    ctx.signalGroup(outcome.pid, 'SIGQUIT')
  } catch (err) {
    ctx.warn(`Failed to signal process group ${outcome.pid}: ${err instanceof Error ? err.message : String(err)}`)
  }
}
