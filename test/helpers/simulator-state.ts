import { join } from 'node:path'
import { createSeedState, readStateFile, StateStore, type SimState } from '../../src/dokku/simulator/index.js'

/** The simulator's state file for an app made by `build()`: in the app's data dir. */
export function simStatePath (dataDir: string): string {
  return join(dataDir, 'simulator-state.json')
}

/** The simulator's state as dokku left it; fails when dokku has not been asked anything yet. */
export async function readSimState (dataDir: string): Promise<SimState> {
  const path = simStatePath(dataDir)
  const state = await readStateFile(path)
  if (!state) throw new Error(`no simulator state at ${path}: ask dokku something first`)
  return state
}

/**
 * Changes the simulator's state file, under the simulator's own lock: the state dokku left, or
 * the seeded state when dokku has not been asked anything yet. `now` (UNIX seconds) is also
 * the seed's "now", for relative dates such as certificate expiry.
 */
export async function editSimState (dataDir: string, edit: (state: SimState, now: number) => void): Promise<void> {
  const now = Math.floor(Date.now() / 1000)
  await new StateStore(simStatePath(dataDir), () => createSeedState({ now })).update((state) => edit(state, now))
}
