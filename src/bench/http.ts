/**
 * The server as people meet it, over HTTP, against a bare Fastify 5 server started by the bench
 * on the same machine in the same run: time from spawn to the first 200, warm requests per
 * second (autocannon), resident memory idle, after load and after a long log tail, the log
 * tail's lines per second to a websocket client (fast and stalled), and the first page's weight.
 */
import autocannon from 'autocannon'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import WebSocket from 'ws'
import { createSeedState, writeStateFile } from '../dokku/simulator/index.js'
import { simulatorCli } from '../dokku/transport.js'
import { cpuUs, httpRequest, loginOverHttp, median, rssMb, sleep, spawnServer, waitQuiet, type Spawned } from './common.js'
import { freePort, writeExecutable } from './loopback-sshd.js'

const HERE = dirname(fileURLToPath(import.meta.url))
const SERVER = join(HERE, '..', 'server.js')
const BARE = join(HERE, 'bare-fastify.js')
const FLOOD = join(HERE, 'fake-dokku-logs.js')
const PASSWORD = 'benchmark-password'
/** How the server is started (package.json's start script, the systemd units). */
const SERVER_NODE_FLAGS = ['--max-semi-space-size=2']

/** autocannon: seconds per slice, slices per figure, and connections (2 cores: the server gets one, autocannon the other). */
export const SLICE_S = Number(process.env.BENCH_SLICE_S ?? 2)
export const ROUNDS = 3
export const CONNECTIONS = 10
/** The memory figure after load is taken after at least this many requests. */
const LOAD_REQUESTS = 10_000
/** Spawns per server for the time to the first 200 (the median counts). */
const SPAWNS = 3
/** One hour of a busy app's log (20 lines a second), delivered as fast as it goes. */
export const HOUR_OF_LINES = 20 * 3600
/** How long the stalled client stays stalled, while dokku keeps sending. */
const STALL_MS = 8000

/**
 * req/s of each server, and its own CPU time per request (from /proc: what the server did for
 * one answer, whatever autocannon on the other core could send). `cpuRatio`: bare's over Docklight's.
 */
export interface Throughput { what: string; docklight: number; bare: number; ratio: number; docklightCpuUs: number; bareCpuUs: number; cpuRatio: number }

export interface HttpFigures {
  readyMs: { docklight: number; bare: number; ratio: number }
  throughput: Throughput[]
  requests: number
  /** `stalled`: each second of a stalled client (dokku still sending). */
  rssMb: { idle: number; afterLoad: number; afterTail: number; bareIdle: number; stalled: number[] }
  tail: { linesPerSecond: number; lines: number; stalledDelivered: number; stalledSkippedNotice: boolean }
  weight: { requests: number; gzipBytes: number; parts: Array<{ url: string; gzipBytes: number }> }
  pageBytes: { dashboard: number; app: number }
  /** How long the server's background reads at boot went on (waited for before measuring). */
  bootReadsMs: number
}

async function rate (url: string, headers: Record<string, string>, seconds: number, pid?: number): Promise<{ requests: number; seconds: number; cpuUs: number }> {
  const before = pid === undefined ? 0 : cpuUs(pid)
  const r = await autocannon({ url, headers, connections: CONNECTIONS, duration: seconds })
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx answers, ${r.errors} errors`)
  return { requests: r.requests.total, seconds: r.duration, cpuUs: pid === undefined ? 0 : cpuUs(pid) - before }
}

/**
 * Docklight's and bare Fastify's requests per second, measured in turns (ROUNDS slices of
 * each, one after the other, after one slice of each to warm up): the machine is shared, and a
 * load that comes and goes then weighs on both alike.
 */
async function rates (docklight: { url: string; pid: number; headers?: Record<string, string> }, bare: { url: string; pid: number }): Promise<{ docklight: number; bare: number; requests: number; docklightCpuUs: number; bareCpuUs: number }> {
  const sum = { d: { requests: 0, seconds: 0, cpuUs: 0 }, b: { requests: 0, seconds: 0, cpuUs: 0 } }
  // Warm: one slice of each, not counted. A handful of views leaves V8 running the request path
  // unoptimised: Docklight's first slice cost twice the CPU per request of its third.
  await rate(docklight.url, docklight.headers ?? {}, SLICE_S)
  await rate(bare.url, {}, SLICE_S)
  for (let i = 0; i < ROUNDS; i++) {
    const d = await rate(docklight.url, docklight.headers ?? {}, SLICE_S, docklight.pid)
    const b = await rate(bare.url, {}, SLICE_S, bare.pid)
    for (const [total, one] of [[sum.d, d], [sum.b, b]] as const) {
      total.requests += one.requests; total.seconds += one.seconds; total.cpuUs += one.cpuUs
    }
  }
  return {
    docklight: sum.d.requests / sum.d.seconds,
    bare: sum.b.requests / sum.b.seconds,
    requests: sum.d.requests,
    docklightCpuUs: sum.d.cpuUs / sum.d.requests,
    bareCpuUs: sum.b.cpuUs / sum.b.requests
  }
}

/** Spawns in turns, SPAWNS of each; the median time to the first 200 of each. The last Docklight stays running. */
async function readyTimes (docklight: () => Promise<Spawned>, bare: () => Promise<Spawned>): Promise<{ server: Spawned; docklightMs: number; bareMs: number }> {
  const d: number[] = []
  const b: number[] = []
  for (let i = 0; ; i++) {
    const plain = await bare()
    b.push(plain.readyMs)
    await plain.stop()
    const server = await docklight()
    d.push(server.readyMs)
    if (i === SPAWNS - 1) return { server, docklightMs: median(d), bareMs: median(b) }
    await server.stop()
  }
}

/** The first page after logging in: its HTML and every file it names, gzipped, and how many requests. */
async function firstPage (url: string, cookie: string): Promise<HttpFigures['weight']> {
  const page = await httpRequest(`${url}/`, { headers: { cookie, 'accept-encoding': 'gzip' } })
  const html = page.headers['content-encoding'] === 'gzip' ? (await import('node:zlib')).gunzipSync(page.body).toString('utf8') : page.body.toString('utf8')
  const assets = [...html.matchAll(/<(?:link[^>]*href|script[^>]*src)="(\/static\/[^"]+)"/g)].map((m) => m[1]!)
  const parts = [{ url: '/', gzipBytes: page.headers['content-encoding'] === 'gzip' ? page.body.length : gzipSync(page.body).length }]
  for (const asset of assets) {
    const res = await httpRequest(url + asset, { headers: { cookie, 'accept-encoding': 'gzip' } })
    parts.push({ url: asset, gzipBytes: res.headers['content-encoding'] === 'gzip' ? res.body.length : gzipSync(res.body).length })
  }
  return { requests: parts.length, gzipBytes: parts.reduce((n, p) => n + p.gzipBytes, 0), parts }
}

interface TailRun { lines: number; ms: number; skippedNotice: boolean }

/**
 * A websocket log tail: counts lines until `lines` have come (fast), or (stalled) stops reading
 * at once, samples the server's memory while dokku keeps sending, and then reads what was kept.
 */
function tailClient (url: string, cookie: string, opts: { lines: number } | { stallMs: number; pid: number }): Promise<TailRun & { rss?: number[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/apps/app-001/logs/ws?lines=1`, { headers: { cookie } })
    let lines = 0
    let first = 0
    let skippedNotice = false
    ws.on('error', reject)
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; message?: string }
      if (m.type === 'notice' && /skipped/.test(m.message ?? '')) skippedNotice = true
      if (m.type === 'error' || m.type === 'end') { ws.close(); reject(new Error(`tail ended: ${m.message ?? m.type}`)) }
      if (m.type !== 'line') return
      if (lines++ === 0) first = performance.now()
      if ('lines' in opts && lines === opts.lines) {
        const ms = performance.now() - first
        ws.close()
        resolve({ lines, ms, skippedNotice })
      }
    })
    if ('stallMs' in opts) {
      ws.on('open', () => {
        ws.pause()
        void (async () => {
          // The server's memory each second while dokku keeps sending and the client reads nothing.
          const samples: number[] = []
          for (let i = 0; i < opts.stallMs / 1000; i++) {
            await sleep(1000)
            samples.push(rssMb(opts.pid)!)
          }
          ws.resume()
          await sleep(500)
          ws.close()
          resolve({ lines, ms: opts.stallMs, skippedNotice, rss: samples })
        })()
      })
    }
  })
}

export async function measureHttp (latencyMs: number): Promise<HttpFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'docklight-bench-http-'))
  try {
    // dokku: the simulator (100 apps), except `logs --tail`, which floods (fake-dokku-logs.ts).
    const statePath = join(dir, 'sim.json')
    await writeStateFile(statePath, createSeedState({ now: Date.now() / 1000, extraApps: 100, onlyGenerated: true }))
    const dokku = join(dir, 'dokku')
    writeExecutable(dokku, [
      '#!/bin/sh',
      `if [ "$1" = logs ] && [ "$3" = --tail ]; then exec "${process.execPath}" "${FLOOD}" logs; fi`,
      `export DOKKU_SIM_STATE="${statePath}" DOKKU_SIM_LATENCY_MS=${latencyMs}`,
      `exec "${process.execPath}" "${simulatorCli()}" "$@"`,
      ''
    ].join('\n'))

    const port = await freePort()
    const env = {
      PATH: process.env.PATH, HOME: dir, PORT: String(port), HOST: '127.0.0.1',
      DOCKLIGHT_PASSWORD: PASSWORD, DOCKLIGHT_DATA_DIR: join(dir, 'data'), DOCKLIGHT_DOKKU_BIN: dokku,
      DOCKLIGHT_WATCH_INTERVAL_S: '86400'
    }
    const barePort = await freePort()
    const bareEnv = (sizes?: { dashboard: number; app: number }) => ({
      PATH: process.env.PATH, PORT: String(barePort), BARE_PAGE_BYTES: String(sizes?.dashboard ?? 1000), BARE_APP_BYTES: String(sizes?.app ?? 1000)
    })
    const ready = await readyTimes(() => spawnServer(SERVER, [], env, port, '/api/health', SERVER_NODE_FLAGS), () => spawnServer(BARE, [], bareEnv(), barePort, '/health'))
    const server = ready.server
    const pid = server.child.pid!
    let bare: Spawned | null = null
    try {
      const cookie = await loginOverHttp(server.url, PASSWORD)
      // Warm: the dashboard's and the app page's reads are cached, their templates compiled.
      const sizes = { dashboard: 0, app: 0 }
      for (let i = 0; i < 3; i++) {
        sizes.dashboard = (await httpRequest(`${server.url}/`, { headers: { cookie } })).body.length
        sizes.app = (await httpRequest(`${server.url}/apps/app-001`, { headers: { cookie } })).body.length
      }
      // The first round of background reads (the watchdog, every app's builds) ends first.
      const quietMs = await waitQuiet(pid)
      for (let i = 0; i < 2; i++) {
        await httpRequest(`${server.url}/`, { headers: { cookie } })
        await httpRequest(`${server.url}/apps/app-001`, { headers: { cookie } })
      }
      const weight = await firstPage(server.url, cookie)
      bare = await spawnServer(BARE, [], bareEnv(sizes), barePort, '/health')
      await sleep(2000)
      const idle = rssMb(pid)!
      const bareIdle = rssMb(bare.child.pid!)!

      const barePid = bare.child.pid!
      const dashboard = await rates({ url: `${server.url}/`, pid, headers: { cookie } }, { url: `${bare.url}/page`, pid: barePid })
      const appPage = await rates({ url: `${server.url}/apps/app-001`, pid, headers: { cookie } }, { url: `${bare.url}/app`, pid: barePid })
      const health = await rates({ url: `${server.url}/api/health`, pid }, { url: `${bare.url}/health`, pid: barePid })
      let requests = dashboard.requests + appPage.requests + health.requests
      // Up to LOAD_REQUESTS, the pages in turns (a slow machine's figures are short of it).
      for (let i = 0; requests < LOAD_REQUESTS && i < 12; i++) {
        requests += (await rate(i % 2 === 0 ? `${server.url}/` : `${server.url}/apps/app-001`, { cookie }, SLICE_S)).requests
      }
      await sleep(1000)
      const afterLoad = rssMb(pid)!

      const fast = await tailClient(server.url, cookie, { lines: HOUR_OF_LINES })
      await sleep(1000)
      const afterTail = rssMb(pid)!
      const stalled = await tailClient(server.url, cookie, { stallMs: STALL_MS, pid })
      const row = (what: string, r: Awaited<ReturnType<typeof rates>>): Throughput => ({
        what, docklight: r.docklight, bare: r.bare, ratio: r.docklight / r.bare, docklightCpuUs: r.docklightCpuUs, bareCpuUs: r.bareCpuUs, cpuRatio: r.bareCpuUs / r.docklightCpuUs
      })
      return {
        readyMs: { docklight: ready.docklightMs, bare: ready.bareMs, ratio: ready.docklightMs / ready.bareMs },
        throughput: [row('dashboard, cached (100 apps)', dashboard), row('app page, cached', appPage), row('/api/health', health)],
        requests,
        rssMb: { idle, afterLoad, afterTail, bareIdle, stalled: stalled.rss! },
        tail: { linesPerSecond: fast.lines / (fast.ms / 1000), lines: fast.lines, stalledDelivered: stalled.lines, stalledSkippedNotice: stalled.skippedNotice },
        weight,
        pageBytes: sizes,
        bootReadsMs: quietMs
      }
    } finally {
      await server.stop()
      await bare?.stop()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
