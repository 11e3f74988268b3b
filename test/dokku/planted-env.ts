/** Secrets planted in Docklight's own environment, to prove no dokku child sees them. */
import type { Test } from 'tap'

export const PLANTED = {
  DOCKLIGHT_PASSWORD: 'planted-password-hunter2',
  DOCKLIGHT_SECRET: 'planted-secret-0123456789abcdef0123456789abcdef',
  DOCKLIGHT_HOSTS: 'prod=dokku@planted.example',
  AWS_SECRET_ACCESS_KEY: 'planted-aws-key'
}

/** Plants secrets in process.env for one test (the children are made from process.env). */
export function plant (t: Test): void {
  const saved = Object.fromEntries(Object.keys(PLANTED).map((k) => [k, process.env[k]]))
  Object.assign(process.env, PLANTED)
  t.teardown(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  })
}

/** `env` output (or `env -0`, with `nul`) as a map. */
export function parseEnv (text: string, nul = false): Map<string, string> {
  const vars = new Map<string, string>()
  for (const line of text.split(nul ? '\0' : '\n')) {
    const eq = line.indexOf('=')
    if (eq > 0) vars.set(line.slice(0, eq), line.slice(eq + 1))
  }
  return vars
}

/** What tap's processinfo adds to every child it sees spawned (to follow coverage): not ours. */
export function isTapVariable (name: string): boolean {
  return name.startsWith('_TAPJS_') || name === 'NODE_OPTIONS'
}
