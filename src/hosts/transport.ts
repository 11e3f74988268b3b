import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { HostConfig } from '../config.js'
import type { ExecOptions, ExecResult } from '../dokku/exec.js'
import { LocalTransport, simulatorCli, simulatorEnv, SshTransport, type Transport } from '../dokku/transport.js'

/**
 * Demo mode's transport: the bundled simulator, run in this process (a dokku call costs no
 * Node process of its own, which on a small machine is most of a page's time), loaded on the
 * first call, so outside demo mode the simulator is never in memory. `prepare` still gives the
 * CLI on the same state file, for whatever must spawn it.
 */
class DemoTransport implements Transport {
  readonly description = 'bundled dokku simulator'
  private readonly cli: LocalTransport
  private simulator?: Promise<typeof import('../dokku/simulator/in-process.js')>

  constructor (private readonly env: NodeJS.ProcessEnv) {
    this.cli = new LocalTransport(simulatorCli(), env)
  }

  prepare (args: readonly string[]) {
    return this.cli.prepare(args)
  }

  async exec (args: readonly string[], options: ExecOptions): Promise<ExecResult> {
    const { execInProcess } = await (this.simulator ??= import('../dokku/simulator/in-process.js'))
    return execInProcess(args, { ...options, env: options.env ?? this.env })
  }
}

/**
 * The transport of one host: the local binary, ssh (one multiplexed connection per host, its
 * control socket in the data dir, mode 0700), or the bundled simulator on its own state file.
 */
export function transportForHost (host: HostConfig, dataDir: string): Transport {
  const target = host.target
  switch (target.kind) {
    case 'local': return new LocalTransport(target.bin)
    case 'demo': {
      const env: NodeJS.ProcessEnv = { ...simulatorEnv(), DOKKU_SIM_STATE: join(dataDir, `simulator-${host.name}.json`), DOKKU_SIM_SEED: target.seed }
      // DOKKU_SIM_SPAWN=1: a process per call, as a real dokku runs (the shutdown test needs them).
      return env.DOKKU_SIM_SPAWN === '1' ? new LocalTransport(simulatorCli(), env) : new DemoTransport(env)
    }
    case 'ssh': {
      // Only we may reach the sockets: whoever can connect to one runs dokku as us.
      const controlDir = join(dataDir, 'ssh-control')
      mkdirSync(controlDir, { recursive: true, mode: 0o700 })
      chmodSync(controlDir, 0o700)
      return new SshTransport(target, [], { controlDir })
    }
  }
}
