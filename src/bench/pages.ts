/**
 * Pages in process, against the simulator spawned for every dokku call (as dokku is), each call
 * taking BENCH_LATENCY_MS: the dashboard for 10, 100 and 300 apps, cold and from cache; the app
 * pages and the databases page (50 services) cold; an app page while ten rebuilds run. Each as
 * a ratio to one dokku call on the same host (spawn + latency + parse, the median of three).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../app.js'
import { loadConfig } from '../config.js'
import type { Db } from '../db/database.js'
import { createSeedState, writeStateFile } from '../dokku/simulator/index.js'
import { LocalTransport, simulatorCli } from '../dokku/transport.js'
import { loopStalls, median, sleep } from './common.js'

const PASSWORD = 'benchmark-password'
/** Services added for the databases page (the 50). */
const SERVICES = 50
/** Cold measurements per page (the median ratio counts). */
const ROUNDS = 3

export interface PageRow { apps: number; page: string; calls: number; ms: number; ratio: number }

export interface HostFigures {
  apps: number
  oneCallMs: number
  rows: PageRow[]
  /** The longest the event loop was held while the cold dashboard loaded: wall clock, and the CPU time used in it (ms). */
  stall: { wallMs: number; cpuMs: number }
}

export interface HistoryBytes { row: number; output: number; reads: number }

/** What history stores per successful read: the row's bytes, and output (none). */
function historyBytesPerRead (db: Db): HistoryBytes {
  const r = db.prepare(`SELECT count(*) AS reads,
      avg(length(command) + coalesce(length(label), 0) + coalesce(length(error), 0) + length(createdAt) +
          coalesce(length(finishedAt), 0) + length(host) + length(kind) + length(origin) + coalesce(length(cmdGroup), 0) +
          length(coalesce(app, '')) + 8 * 4) AS row,
      coalesce((SELECT sum(length(o.stdout) + length(o.stderr)) FROM command_output o JOIN command_history h USING (id)
                WHERE h.kind = 'read' AND h.status = 'success'), 0) AS output
    FROM command_history WHERE kind = 'read' AND status = 'success'`).get() as { reads: number; row: number; output: number }
  return { reads: r.reads, row: Math.round(r.row), output: r.reads > 0 ? Math.round(r.output / r.reads) : 0 }
}

/** The generated apps' state, with SERVICES postgres services, a few linked to apps. */
function benchState (apps: number) {
  const now = Date.now() / 1000
  const state = createSeedState({ now, extraApps: apps, onlyGenerated: true })
  const postgres = state.services.postgres ?? (state.services.postgres = {})
  for (let i = 1; i <= SERVICES; i++) {
    const name = `db-${String(i).padStart(2, '0')}`
    postgres[name] = {
      password: 'f'.repeat(32), createdAt: now - i * 3600, status: i % 7 === 0 ? 'exited' : 'running', image: 'postgres:17.6',
      id: String(i).padStart(64, '0'), ip: `172.17.1.${i}`, exposedPorts: '-', configOptions: '',
      links: i <= apps ? [`app-${String(i).padStart(3, '0')}`] : []
    }
  }
  return state
}

export async function measureHost (apps: number, latencyMs: number, opts: { appPages: boolean; rebuilds: boolean }): Promise<HostFigures & { history: HistoryBytes }> {
  const dir = mkdtempSync(join(tmpdir(), 'docklight-bench-'))
  try {
    const statePath = join(dir, 'sim.json')
    await writeStateFile(statePath, benchState(apps))
    const config = loadConfig({ DOCKLIGHT_PASSWORD: PASSWORD, DOCKLIGHT_DATA_DIR: dir })
    const app = await buildApp(config, {
      logger: false,
      transport: new LocalTransport(simulatorCli(), { DOKKU_SIM_STATE: statePath, DOKKU_SIM_LATENCY_MS: String(latencyMs) }),
      health: { sampleMs: 50 }
    })
    await app.ready()
    // As the server does once it listens: no cold page below pays for its route's first compile.
    await app.warmValidators()
    try {
      const login = await app.inject({ method: 'POST', url: '/login', payload: { password: PASSWORD } })
      const cookie = `session=${login.cookies.find((c) => c.name === 'session')!.value}`
      await app.serverHealth.read()
      const host = app.hosts.default
      const lastId = () => app.history.list({ limit: 1, kind: 'all' })[0]?.id ?? 0
      const timed = async (fn: () => Promise<unknown>) => {
        const before = lastId()
        const started = performance.now()
        await fn()
        const ms = performance.now() - started
        return { ms, calls: app.history.list({ limit: 500, kind: 'all' }).filter((r) => r.id > before).length }
      }
      // One plain call, end to end (spawn + latency + parse), measured next to each cold page:
      // the machine is shared, so each ratio compares times taken moments apart.
      await host.dokku.version()
      const oneCalls: number[] = []
      const oneCall = async () => {
        const t = (await timed(() => host.dokku.listApps())).ms
        oneCalls.push(t)
        return t
      }
      const get = (url: string) => async () => {
        const res = await app.inject({ url, headers: { cookie } })
        if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}: ${res.body.slice(0, 300)}`)
      }
      /** ROUNDS times: one call, then the page with nothing cached; the median ratio. */
      const cold = async (page: string, url: string): Promise<PageRow & { stall: { wallMs: number; cpuMs: number } }> => {
        const runs: Array<{ ms: number; calls: number; ratio: number }> = []
        const stall = { wallMs: 0, cpuMs: 0 }
        for (let i = 0; i < ROUNDS; i++) {
          const one = await oneCall()
          host.cache.clear()
          const { value: t, maxWallMs, maxCpuMs } = await loopStalls(() => timed(get(url)))
          stall.wallMs = Math.max(stall.wallMs, maxWallMs)
          stall.cpuMs = Math.max(stall.cpuMs, maxCpuMs)
          runs.push({ ...t, ratio: t.ms / one })
        }
        const mid = [...runs].sort((a, b) => a.ratio - b.ratio)[Math.floor(runs.length / 2)]!
        return { apps, page, ...mid, stall }
      }

      const dashboard = await cold('dashboard, cold', '/')
      const warm = await timed(get('/'))
      const rows: PageRow[] = [dashboard, { apps, page: 'dashboard, cached', ...warm, ratio: warm.ms / median(oneCalls) }]
      if (opts.appPages) {
        rows.push(await cold('app overview, cold', '/apps/app-001'))
        rows.push(await cold('app config, cold', '/apps/app-001/config'))
        rows.push(await cold('app domains, cold', '/apps/app-001/domains'))
        rows.push(await cold(`databases (${SERVICES}), cold`, '/databases'))
      }
      const one = median(oneCalls)
      if (opts.rebuilds) rows.push(await appPageDuringRebuilds(app, cookie, one, apps))
      return { apps, oneCallMs: one, rows: rows.map(({ apps, page, calls, ms, ratio }) => ({ apps, page, calls, ms, ratio })), stall: dashboard.stall, history: historyBytesPerRead(app.db) }
    } finally {
      await app.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Ten rebuilds fill the job lane (two run, eight queue); an app page's reads must not wait for them. */
async function appPageDuringRebuilds (app: Awaited<ReturnType<typeof buildApp>>, cookie: string, one: number, apps: number): Promise<PageRow> {
  const jobs: number[] = []
  for (let i = 1; i <= 10; i++) {
    const res = await app.inject({ method: 'POST', url: `/apps/app-${String(i).padStart(3, '0')}/rebuild`, headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
    jobs.push(Number(/\/jobs\/(\d+)/.exec(String(res.headers.location))?.[1]))
  }
  // Measured once the two running rebuilds stream (past their start), as a page meets them.
  for (let i = 0; i < 200 && jobs.filter((id) => (app.jobs.get(id)?.output ?? '') !== '').length < 2; i++) await sleep(50)
  app.hosts.default.cache.clear()
  const before = app.history.list({ limit: 1 })[0]?.id ?? 0
  const started = performance.now()
  const res = await app.inject({ url: '/apps/app-011', headers: { cookie } })
  const ms = performance.now() - started
  if (res.statusCode !== 200) throw new Error(`/apps/app-011 answered ${res.statusCode}`)
  const reads = app.history.list({ limit: 500, kind: 'reads' }).filter((r) => r.id > before).length
  for (const id of jobs) await app.jobs.cancel(id)
  await app.jobs.drain()
  return { apps, page: 'app page, 10 rebuilds', calls: reads, ms, ratio: ms / one }
}
