import { readFile, statfs } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'

/** Usage percentages of the host Docklight runs on; null where a figure cannot be read. */
export interface ServerHealth {
  cpu: number | null
  memory: number | null
  disk: number | null
}

export interface HealthSourceOptions {
  /** Where /proc is (tests point it at a fixture folder). */
  procRoot?: string
  /** The filesystem whose usage is reported (Dokku's data usually shares it). */
  diskPath?: string
  /** Gap between the two /proc/stat samples. */
  sampleMs?: number
  /** How long a reading is reused, so a busy dashboard does not resample on every request. */
  cacheMs?: number
  /**
   * How often /proc/stat is read in the background once the source has been read, so that a
   * reading always finds an earlier sample and never waits `sampleMs` for a second one.
   */
  keepWarmMs?: number
}

interface StatSample { at: number; text: string }

/** A sample older than this is not used: the CPU figure would be an average over too long. */
const MAX_SAMPLE_AGE_MS = 60_000

interface CpuSample { idle: number; total: number }

function parseCpuLine (stat: string): CpuSample | null {
  const line = stat.split('\n').find((l) => l.startsWith('cpu '))
  if (!line) return null
  const fields = line.trim().split(/\s+/).slice(1).map(Number)
  if (fields.length < 4 || fields.some((n) => !Number.isFinite(n))) return null
  // idle + iowait are time the CPU was not working.
  const idle = fields[3]! + (fields[4] ?? 0)
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0)
  return { idle, total }
}

export function cpuPercent (a: string, b: string): number | null {
  const s1 = parseCpuLine(a)
  const s2 = parseCpuLine(b)
  if (!s1 || !s2) return null
  const total = s2.total - s1.total
  if (total <= 0) return 0
  return round(100 * (1 - (s2.idle - s1.idle) / total))
}

export function memoryPercent (meminfo: string): number | null {
  const kb = (key: string) => {
    const m = meminfo.match(new RegExp(`^${key}:\\s+(\\d+)`, 'm'))
    return m ? Number(m[1]) : null
  }
  const total = kb('MemTotal')
  const available = kb('MemAvailable') ?? (() => {
    const free = kb('MemFree'); const buffers = kb('Buffers'); const cached = kb('Cached')
    return free === null ? null : free + (buffers ?? 0) + (cached ?? 0)
  })()
  if (!total || available === null) return null
  return round(100 * (1 - available / total))
}

function round (n: number): number {
  return Math.round(Math.min(100, Math.max(0, n)) * 10) / 10
}

async function readOrNull (path: string): Promise<string | null> {
  try { return await readFile(path, 'utf8') } catch { return null }
}

export class HealthSource {
  private cached: { at: number; value: ServerHealth } | null = null
  /**
   * The last two /proc/stat reads (bound: two), newest last: a reading measures CPU since the
   * newest one that is at least `sampleMs` old, without waiting.
   */
  private stats: StatSample[] = []
  private pending: Promise<ServerHealth> | null = null
  private keepWarm: NodeJS.Timeout | null = null
  private closed = false
  private readonly procRoot: string
  private readonly diskPath: string
  private readonly sampleMs: number
  private readonly cacheMs: number
  private readonly keepWarmMs: number

  constructor (opts: HealthSourceOptions = {}) {
    this.procRoot = opts.procRoot ?? '/proc'
    this.diskPath = opts.diskPath ?? '/'
    this.sampleMs = opts.sampleMs ?? 200
    this.cacheMs = opts.cacheMs ?? 3000
    this.keepWarmMs = opts.keepWarmMs ?? 20_000
  }

  /** Stops the background sampling. */
  close (): void {
    this.closed = true
    if (this.keepWarm) clearInterval(this.keepWarm)
    this.keepWarm = null
  }

  /** The latest reading; concurrent callers share one sampling. */
  read (): Promise<ServerHealth> {
    this.startKeepWarm()
    if (this.cached && Date.now() - this.cached.at < this.cacheMs) return Promise.resolve(this.cached.value)
    this.pending ??= this.sample().then((value) => {
      this.cached = { at: Date.now(), value }
      return value
    }).finally(() => { this.pending = null })
    return this.pending
  }

  /**
   * Before, a reading found no recent sample whenever the dashboard had not been viewed for a
   * minute, and waited `sampleMs` (200 ms) for a second one: a warm page paid that. One small
   * file read every `keepWarmMs` (unref'd: it never keeps the process alive) removes the wait.
   */
  private startKeepWarm (): void {
    if (this.keepWarm !== null || this.closed || this.keepWarmMs <= 0) return
    this.keepWarm = setInterval(() => {
      void readOrNull(join(this.procRoot, 'stat')).then((text) => { if (text !== null) this.keep(text) })
    }, this.keepWarmMs)
    this.keepWarm.unref()
  }

  private keep (text: string): void {
    this.stats = [...this.stats, { at: Date.now(), text }].slice(-2)
  }

  /** The newest sample old enough to measure against, if any is recent enough. */
  private baseline (): StatSample | null {
    const now = Date.now()
    for (let i = this.stats.length - 1; i >= 0; i--) {
      const s = this.stats[i]!
      if (now - s.at >= this.sampleMs) return now - s.at < MAX_SAMPLE_AGE_MS ? s : null
    }
    return null
  }

  private async sample (): Promise<ServerHealth> {
    const statPath = join(this.procRoot, 'stat')
    const [now, meminfo, disk] = await Promise.all([readOrNull(statPath), readOrNull(join(this.procRoot, 'meminfo')), this.diskPercent()])
    let first: string | null
    let second: string | null
    const previous = this.baseline()
    if (previous) {
      // Measure over the time since an earlier sample: no sleep on the request path.
      first = previous.text
      second = now
    } else {
      // The first reading of the process (or after a long stall): two samples, sampleMs apart.
      first = now
      await sleep(this.sampleMs)
      second = await readOrNull(statPath)
    }
    if (second !== null) this.keep(second)
    return {
      cpu: first && second ? cpuPercent(first, second) : null,
      memory: meminfo ? memoryPercent(meminfo) : null,
      disk
    }
  }

  private async diskPercent (): Promise<number | null> {
    try {
      const s = await statfs(this.diskPath)
      const used = s.blocks - s.bfree
      // Like df: the share of blocks available to ordinary users that are in use.
      const usable = used + s.bavail
      return usable > 0 ? round(100 * used / usable) : null
    } catch {
      return null
    }
  }
}
