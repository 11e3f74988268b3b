import { readFile, statfs } from 'node:fs/promises'
import type { DiskUsage } from '../dokku/parsers/host.js'
import type { Host } from '../hosts/host.js'
import { MAX_MOUNTS } from '../db/disk-samples.js'

/**
 * How the watchdog measures a host's disks, behind an interface (tests give their own). No
 * dokku command reports usage per app or image (server.md §7): for a host on this machine the
 * partitions that hold docker's and dokku's data are measured directly (statfs); for a host
 * over SSH (and the simulator) the `df -h` rows of `dokku report` are what there is.
 */

export type { DiskUsage }

export interface DiskSampler {
  sample (host: Host): Promise<DiskUsage[]>
}

/** Where dokku's weight lives: images and containers, app repos and data, the root itself. */
export const DATA_PATHS = ['/var/lib/docker', '/var/lib/dokku', '/home/dokku', '/'] as const

interface Mount { device: string; mount: string; type: string }

/** /proc/self/mounts: `device mountpoint type options 0 0`, with spaces escaped as \040. */
export function parseMounts (text: string): Mount[] {
  const unescape = (s: string) => s.replace(/\\(\d{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)))
  return text.split('\n').map((l) => l.split(' ')).filter((p) => p.length >= 3)
    .map(([device, mount, type]) => ({ device: unescape(device!), mount: unescape(mount!), type: type! }))
}

/** The mount a path lives on: the longest mount point that contains it. */
export function mountOf (path: string, mounts: readonly Mount[]): Mount | undefined {
  let best: Mount | undefined
  for (const m of mounts) {
    const inside = m.mount === '/' || path === m.mount || path.startsWith(m.mount + '/')
    if (inside && (!best || m.mount.length >= best.mount.length)) best = m
  }
  return best
}

/** statfs of the partitions holding DATA_PATHS on this machine, each partition once. */
export class LocalDiskSampler implements DiskSampler {
  constructor (private readonly paths: readonly string[] = DATA_PATHS, private readonly mountsFile = '/proc/self/mounts') {}

  async sample (): Promise<DiskUsage[]> {
    const mounts = parseMounts(await readFile(this.mountsFile, 'utf8').catch(() => ''))
    const seen = new Set<string>()
    const out: DiskUsage[] = []
    for (const path of this.paths) {
      const m = mountOf(path, mounts) ?? { device: '', mount: path, type: '' }
      if (seen.has(m.mount)) continue
      let st
      try {
        st = await statfs(m.mount)
      } catch {
        continue // the path does not exist here (no docker on this machine)
      }
      seen.add(m.mount)
      const sizeBytes = st.blocks * st.bsize
      if (sizeBytes === 0) continue
      const availBytes = st.bavail * st.bsize
      const usedBytes = (st.blocks - st.bfree) * st.bsize
      // df's Use%: used over what non-root users can have, rounded up.
      const usePercent = Math.ceil((usedBytes / Math.max(1, usedBytes + availBytes)) * 100)
      out.push({ filesystem: m.device, mount: m.mount, sizeBytes, usedBytes, availBytes, usePercent })
    }
    return out.slice(0, MAX_MOUNTS)
  }
}

/** The `df -h` rows of `dokku report` (a read of several seconds on a real host). */
export class ReportDiskSampler implements DiskSampler {
  async sample (host: Host): Promise<DiskUsage[]> {
    return (await host.dokku.hostReport()).disk.slice(0, MAX_MOUNTS)
  }
}

/** Per host: measured here for a local dokku, from `dokku report` for SSH and the simulator. */
export class DefaultDiskSampler implements DiskSampler {
  private readonly local = new LocalDiskSampler()
  private readonly report = new ReportDiskSampler()

  sample (host: Host): Promise<DiskUsage[]> {
    return host.config.target.kind === 'local' ? this.local.sample() : this.report.sample(host)
  }
}
