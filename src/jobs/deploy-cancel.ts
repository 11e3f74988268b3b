import type { DokkuClient } from '../dokku/client.js'
import type { CancelVerdict } from './manager.js'

/**
 * How to cancel a deploy-like job (rebuild, restart, git and image deploys): dokku 0.38+ is asked
 * to stop it where it runs (`builds:cancel`, which SIGQUITs the deploy's process group). When
 * dokku cannot (older dokku, or a command that holds no deploy lock, such as ps:restart), a
 * local dokku is still stopped by ending its process group; a remote one runs to its end, and
 * the verdict says so plainly.
 */
export function deployCancel (client: Pick<DokkuClient, 'cancelBuild'>, app: string, label: string, remote: boolean): () => Promise<CancelVerdict> {
  return async () => {
    const answer = await client.cancelBuild(app)
    if (answer.supported && answer.stopped) return { abort: true, message: `dokku stopped ${label} on the server (builds:cancel: ${answer.message}).` }
    const why = answer.supported ? `builds:cancel says: ${answer.message}` : 'this dokku is older than 0.38, which has no builds:cancel'
    if (!remote) return { abort: true, message: `Stopping dokku's process for ${label} here (${why}).` }
    return { abort: false, message: `dokku cannot stop ${label} on the server (${why}): it runs to its end.` }
  }
}
