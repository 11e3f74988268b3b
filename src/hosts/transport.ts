import { chmodSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { HostConfig } from '../config.js'
import { LocalTransport, simulatorCli, simulatorEnv, SshTransport, type Transport } from '../dokku/transport.js'

/**
 * The transport of one host: the local binary, ssh (one multiplexed connection per host, its
 * control socket in the data dir, mode 0700), or the bundled simulator on its own state file.
 */
export function transportForHost (host: HostConfig, dataDir: string): Transport {
  const target = host.target
  switch (target.kind) {
    case 'local': return new LocalTransport(target.bin)
    case 'demo': return new LocalTransport(simulatorCli(), {
      ...simulatorEnv(),
      DOKKU_SIM_STATE: join(dataDir, `simulator-${host.name}.json`),
      DOKKU_SIM_SEED: target.seed
    })
    case 'ssh': {
      // Only we may reach the sockets: whoever can connect to one runs dokku as us.
      const controlDir = join(dataDir, 'ssh-control')
      mkdirSync(controlDir, { recursive: true, mode: 0o700 })
      chmodSync(controlDir, 0o700)
      return new SshTransport(target, [], { controlDir })
    }
  }
}
