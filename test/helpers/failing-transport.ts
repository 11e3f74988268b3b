import { join } from 'node:path'
import type { ExecOptions, ExecResult } from '../../src/dokku/exec.js'
import { InProcessSimulatorTransport, runInProcess } from '../../src/dokku/simulator/in-process.js'
import type { Transport } from '../../src/dokku/transport.js'

/** How a dokku command fails: what it prints on stderr and its exit code. */
export interface Failure { stderr: string; code: number }

/** Picks the commands (the argv after `dokku`) that fail, and how; `null` lets the simulator answer. */
export type Failures = (args: readonly string[]) => Failure | null

/**
 * The simulator (on its own state file in `dataDir`), except that the commands `failures` picks
 * fail. Everything runs in this process; a failure behaves as a program that prints its stderr
 * and exits with its code (same streaming, cap, timeout and cancel).
 */
export class FailingTransport implements Transport {
  readonly description = 'simulator with failures'
  private readonly sim: InProcessSimulatorTransport
  constructor (dataDir: string, private readonly failures: Failures) {
    this.sim = new InProcessSimulatorTransport({ DOKKU_SIM_STATE: join(dataDir, 'sim-failing.json'), DOKKU_SIM_STEP_MS: '0' })
  }

  /** For a caller that must spawn: a node one-liner plays the failure. */
  prepare (args: readonly string[]) {
    const failure = this.failures(args)
    if (!failure) return this.sim.prepare(args)
    return {
      file: process.execPath,
      args: ['-e', 'process.stderr.write(process.argv[1]); process.exit(Number(process.argv[2]))', failure.stderr, String(failure.code)],
      env: {}
    }
  }

  exec (args: readonly string[], options: ExecOptions): Promise<ExecResult> {
    const failure = this.failures(args)
    if (!failure) return this.sim.exec(args, options)
    return runInProcess(async (io) => {
      io.stderr(failure.stderr)
      return failure.code
    }, options)
  }
}

/** dokku without the plugin: its commands are "not a dokku command" (exit 1). */
export function notInstalled (plugin: string): Failures {
  return (args) => (args[0] ?? '').startsWith(`${plugin}:`)
    ? { stderr: ` !     \`${args[0]}\` is not a dokku command.\n !     See \`dokku help\` for a list of available commands.\n`, code: 1 }
    : null
}
