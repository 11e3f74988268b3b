import { validateAppName } from '../validate.js'
import { TIMEOUTS, type CommandSpec } from './spec.js'

/** What `builds:cancel` did (deploys.md §2.5): its info1 line, and whether a deploy was ended. */
export interface BuildCancel {
  /** A running deploy was signalled, or had already died and was marked failed. */
  stopped: boolean
  /** dokku's own words, e.g. "Killing app deploy" or "App not currently deploying". */
  message: string
}

const STOPPED = [/^Killing app deploy$/, /^Build was already terminated, marking failed$/]

/**
 * `dokku builds:cancel <app>` (0.38.0+): SIGQUITs the process group of the deploy that holds the
 * app's lock. It cannot stop ps:restart, config redeploys or ps:start (they take no lock).
 */
export function cancelBuild (app: string): CommandSpec<BuildCancel> {
  const name = validateAppName(app)
  return {
    args: ['builds:cancel', name],
    app: name,
    label: `Cancel the deploy of ${name}`,
    timeoutMs: TIMEOUTS.read,
    parse: ({ stdout, stderr }) => {
      const lines = [...stdout.split('\n'), ...stderr.split('\n')].map((l) => l.replace(/^(?:-----> | !     )/, '').trim()).filter((l) => l !== '')
      return { stopped: lines.some((l) => STOPPED.some((p) => p.test(l))), message: lines.join(' ') || 'dokku printed nothing' }
    }
  }
}
