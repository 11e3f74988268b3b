/** Shared helpers for the simulator tests: a temp state, an in-process runner, fixtures. */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Test } from 'tap'
import { simulate } from '../../../src/dokku/simulator/simulate.js'
import { createSeedState } from '../../../src/dokku/simulator/seed.js'
import { readStateFile, writeStateFile, type SimState } from '../../../src/dokku/simulator/state.js'

/** 2026-01-01T00:00:00Z, the fixed clock of most tests. */
export const NOW = 1767225600

const here = fileURLToPath(new URL('.', import.meta.url))
const FIXTURES = join(here, '..', '..', 'fixtures', 'simulator')

export function fixture (name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8')
}

export interface RunResult { code: number, stdout: string, stderr: string }

export interface Sim {
  statePath: string
  env: Record<string, string>
  run (...argv: string[]): Promise<RunResult>
  runWith (opts: { env?: Record<string, string>, stdin?: string[], sleep?: (ms: number) => Promise<void>, signal?: AbortSignal }, ...argv: string[]): Promise<RunResult>
  state (): Promise<SimState>
}

export interface SimOptions {
  /** Change the seeded state before the first command. */
  setup?: (s: SimState) => void
  env?: Record<string, string>
  /** Do not write a state file: the first command seeds it. */
  lazy?: boolean
}

const testDirs = new WeakMap<Test, string>()

const immediate = () => new Promise<void>((resolve) => setImmediate(resolve))

export async function makeSim (t: Test, opts: SimOptions = {}): Promise<Sim> {
  // t.testdir() is one directory per test (and recreated on each call): make it once, then give
  // every simulator of the test its own state file in it.
  let base = testDirs.get(t)
  if (base === undefined) {
    base = t.testdir()
    testDirs.set(t, base)
  }
  mkdirSync(base, { recursive: true })
  const statePath = join(mkdtempSync(join(base, 'sim-')), 'state.json')
  const env: Record<string, string> = { DOKKU_SIM_STATE: statePath, DOKKU_SIM_STEP_MS: '0', DOKKU_SIM_NOW: String(NOW), ...opts.env }
  if (!opts.lazy) {
    const s = createSeedState({ now: NOW })
    opts.setup?.(s)
    await writeStateFile(statePath, s)
  }
  const runWith: Sim['runWith'] = async (o, ...argv) => {
    let stdout = ''
    let stderr = ''
    const lines = o.stdin ? [...o.stdin] : null
    const code = await simulate(argv, { ...env, ...o.env }, {
      stdout: (s) => { stdout += s },
      stderr: (s) => { stderr += s },
      sleep: o.sleep ?? (() => immediate()),
      readLine: lines ? async () => lines.length > 0 ? lines.shift()! : null : undefined,
      signal: o.signal
    })
    return { code, stdout, stderr }
  }
  return {
    statePath,
    env,
    run: (...argv) => runWith({}, ...argv),
    runWith,
    state: async () => (await readStateFile(statePath))!
  }
}

/**
 * Compares output with a reference example that elides parts with `…`: a line that starts and
 * ends with `…` stands for any number of lines; `…` inside a line stands for any text.
 */
export function matchesTemplate (actual: string, template: string): boolean {
  const parts = template.replace(/\n$/, '').split('\n').map((l) => {
    if (l.trim().startsWith('…') && l.trim().endsWith('…')) return '(?:[^\\n]*\\n)*?'
    return l.split('…').map((x) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^\\n]*') + '\\n'
  })
  return new RegExp('^' + parts.join('') + '$').test(actual)
}

/** Puts an app into the exact shape of the reference examples. */
export function cid (prefix: string): string {
  return (prefix + '0'.repeat(64)).slice(0, 64)
}

export function onlyApps (s: SimState, keep: string[]): void {
  for (const name of Object.keys(s.apps)) if (!keep.includes(name)) delete s.apps[name]
  for (const services of Object.values(s.services)) {
    for (const svc of Object.values(services)) svc.links = svc.links.filter((l) => keep.includes(l))
  }
}
