/**
 * `npm run bench`: the figures of issue 13, as ratios within one run, printed as a table and
 * written to bench/results.md (with bench/notes.md, the hand-written explanations from the
 * profiles, after them). Not part of the tests: timings vary by machine; the ratios are the point.
 * Runs in about three minutes on 2 cores. BENCH_LATENCY_MS (200) is the simulated dokku's delay per
 * call; BENCH_APPS (10,100,300) the dashboard sizes.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CONNECTIONS, HOUR_OF_LINES, measureHttp, ROUNDS, SLICE_S, type HttpFigures } from './http.js'
import { measureHost, type HistoryBytes, type HostFigures } from './pages.js'
import { runSshBench } from './ssh.js'

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 200)
const APP_COUNTS = (process.env.BENCH_APPS ?? '10,100,300').split(',').map(Number)
/** The host the app pages are measured on (their cost does not grow with the host's app count). */
const APP_PAGES_AT = APP_COUNTS.includes(100) ? 100 : APP_COUNTS[0]!
const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench')

interface Target { figure: string; value: string; target: string; met: boolean }

const x = (n: number) => `${n.toFixed(2)}×`
const pct = (n: number) => `${(n * 100).toFixed(0)} %`
const mb = (n: number) => `${n.toFixed(1)} MB`

/** The highest RSS of each half of the stalled client's seconds: a bound shows as no rise from one half to the next. */
function stalledHalves (http: HttpFigures): [number, number] {
  const s = http.rssMb.stalled
  const half = Math.floor(s.length / 2)
  return [Math.max(...s.slice(0, half)), Math.max(...s.slice(half))]
}

function targets (hosts: HostFigures[], http: HttpFigures): Target[] {
  const biggest = hosts.reduce((a, b) => (b.apps > a.apps ? b : a))
  const row = (page: string) => biggest.rows.find((r) => r.page === page)!
  const appHost = hosts.find((h) => h.rows.some((r) => r.page.startsWith('databases')))!
  const appRow = (page: string) => appHost.rows.find((r) => r.page === page)!
  const rps = (what: string) => http.throughput.find((t) => t.what.startsWith(what))!
  const appPages = appHost.rows.filter((r) => /^app (overview|config|domains), cold$/.test(r.page))
  const worstApp = appPages.reduce((a, b) => (b.ratio > a.ratio ? b : a))
  return [
    { figure: `dashboard, ${biggest.apps} apps, cold`, value: x(row('dashboard, cold').ratio), target: '≤ 1.2× one call', met: row('dashboard, cold').ratio <= 1.2 },
    { figure: `dashboard, ${biggest.apps} apps, cached`, value: `${x(row('dashboard, cached').ratio)}, ${row('dashboard, cached').calls} calls`, target: 'from cache (no call)', met: row('dashboard, cached').calls === 0 },
    { figure: 'event loop held during that cold dashboard (its own CPU time)', value: `${biggest.stall.cpuMs.toFixed(1)} ms at most (wall ${biggest.stall.wallMs.toFixed(0)} ms)`, target: 'a few ms', met: biggest.stall.cpuMs <= 10 },
    { figure: `slowest app page, cold (${worstApp.page.replace(', cold', '')})`, value: x(worstApp.ratio), target: '≤ 1.5× one call', met: worstApp.ratio <= 1.5 },
    { figure: 'databases, 50 services, cold', value: `${x(appRow('databases (50), cold').ratio)}, ${appRow('databases (50), cold').calls} calls`, target: '≈ one call', met: appRow('databases (50), cold').ratio <= 1.5 },
    { figure: 'cached dashboard req/s vs bare Fastify', value: pct(rps('dashboard').ratio), target: '≥ 40 %', met: rps('dashboard').ratio >= 0.4 },
    { figure: '/api/health req/s vs bare Fastify', value: pct(rps('/api/health').ratio), target: '≥ 70 %', met: rps('/api/health').ratio >= 0.7 },
    { figure: 'RSS idle', value: mb(http.rssMb.idle), target: '≤ 70 MB', met: http.rssMb.idle <= 70 },
    { figure: `RSS after ${http.requests.toLocaleString('en')} requests`, value: mb(http.rssMb.afterLoad), target: '≤ 120 MB', met: http.rssMb.afterLoad <= 120 },
    { figure: `RSS after an hour of log tail (${HOUR_OF_LINES.toLocaleString('en')} lines)`, value: mb(http.rssMb.afterTail), target: '≤ 120 MB', met: http.rssMb.afterTail <= 120 },
    { figure: 'spawn to first 200 vs bare Fastify', value: x(http.readyMs.ratio), target: '≤ 2×', met: http.readyMs.ratio <= 2 },
    { figure: 'log tail to a websocket client', value: `${Math.round(http.tail.linesPerSecond).toLocaleString('en')} lines/s`, target: '≥ 20,000 lines/s', met: http.tail.linesPerSecond >= 20_000 },
    { figure: 'memory while a client is stalled (first half, second half: highest)', value: `${mb(stalledHalves(http)[0])}, ${mb(stalledHalves(http)[1])}`, target: 'flat', met: stalledHalves(http)[1] <= stalledHalves(http)[0] + 5 },
    { figure: 'first page, gzipped', value: `${(http.weight.gzipBytes / 1024).toFixed(1)} KB in ${http.weight.requests} requests`, target: '≤ 40 KB', met: http.weight.gzipBytes <= 40 * 1024 }
  ]
}

function table (head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n')
}

function markdown (hosts: HostFigures[], history: HistoryBytes, http: HttpFigures, ssh: Record<string, unknown>, seconds: number): string {
  const t = targets(hosts, http)
  const pages = hosts.flatMap((h) => h.rows.map((r) => [String(r.apps), r.page, String(r.calls), r.ms.toFixed(0), x(r.ratio)]))
  const oneCalls = hosts.map((h) => `${h.apps} apps: ${h.oneCallMs.toFixed(0)} ms`).join(', ')
  const notesPath = join(BENCH_DIR, 'notes.md')
  const notes = existsSync(notesPath) ? `\n${readFileSync(notesPath, 'utf8').trim()}\n` : ''
  const head = `# Benchmark results

The last run of \`npm run bench\` (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${seconds.toFixed(0)} s, Node ${process.version}).
Ratios are within this one run: the machine is shared, so absolute times vary, ratios much less.
The simulated dokku answers every call after ${LATENCY_MS} ms; one call end to end (spawn, latency, parse; apps:list, the median of the calls measured next to the cold pages) took ${oneCalls}.
Each cold figure is the median of 3 rounds of one call and then the page with nothing cached.

## Targets

${table(['figure', 'measured', 'target', 'met'], t.map((r) => [r.figure, r.value, r.target, r.met ? 'yes' : '**no**']))}

## Pages (in process, the simulator spawned per call)

${table(['apps', 'page', 'dokku calls', 'time (ms)', '× one call'], pages)}

History per successful read: ${history.row} bytes of row, ${history.output} bytes of output (over ${history.reads} reads).

## Over HTTP, against bare Fastify 5 in the same run

autocannon, ${CONNECTIONS} connections, ${ROUNDS} slices of ${SLICE_S} s per server and figure after one slice of each to warm up (not counted), the two servers in turns. The bare pages are HTML strings of the same size as the Docklight pages
(dashboard ${http.pageBytes.dashboard.toLocaleString('en')} bytes, app page ${http.pageBytes.app.toLocaleString('en')} bytes), so the ratio is what Docklight does per request.

${table(['what', 'Docklight (req/s)', 'bare Fastify (req/s)', 'ratio', 'Docklight CPU per request', 'bare CPU per request', 'CPU ratio'],
  http.throughput.map((r) => [r.what, r.docklight.toFixed(0), r.bare.toFixed(0), pct(r.ratio), `${r.docklightCpuUs.toFixed(0)} µs`, `${r.bareCpuUs.toFixed(0)} µs`, pct(r.cpuRatio)]))}

The CPU columns are each server's own user and system time per answer (/proc, over the same slices): on 2 cores
autocannon shares the machine with the server, so req/s also measures autocannon; CPU per request does not.

| when | RSS |
| --- | --- |
| Docklight idle | ${mb(http.rssMb.idle)} |
| after ${http.requests.toLocaleString('en')} requests | ${mb(http.rssMb.afterLoad)} |
| after an hour of log tail (${HOUR_OF_LINES.toLocaleString('en')} lines) | ${mb(http.rssMb.afterTail)} |
| a stalled client, each second | ${http.rssMb.stalled.map(mb).join(', ')} |
| bare Fastify idle | ${mb(http.rssMb.bareIdle)} |

Spawn to the first 200 (median of 3): Docklight ${http.readyMs.docklight.toFixed(0)} ms, bare Fastify ${http.readyMs.bare.toFixed(0)} ms (${x(http.readyMs.ratio)}).
After boot, the server's own background reads (the watchdog's first round) went on for ${(http.bootReadsMs / 1000).toFixed(1)} s; the figures above were taken after them.

Log tail: ${Math.round(http.tail.linesPerSecond).toLocaleString('en')} lines/s to a fast client (${http.tail.lines.toLocaleString('en')} lines). The stalled client got ${http.tail.stalledDelivered.toLocaleString('en')} lines once it read again${http.tail.stalledSkippedNotice ? ', and a notice of the lines skipped' : ''}.

First page after login: ${(http.weight.gzipBytes / 1024).toFixed(1)} KB gzipped in ${http.weight.requests} requests (${http.weight.parts.map((p) => `${p.url} ${(p.gzipBytes / 1024).toFixed(1)} KB`).join(', ')}).

## SSH and several hosts
`
  if ('failed' in ssh) return `${head}\nNot measured in this run: ${String(ssh.failed)}\n${notes}`
  const sshRows = Array.isArray(ssh.ssh)
    ? table(['what', 'without master (ms)', 'with master (ms)', 'ratio', 'connections'], (ssh.ssh as Array<Record<string, number | string>>).map((r) => [String(r.what), String(r.plainMs), String(r.muxMs), String(r.ratio), `${r.plainConnections} / ${r.muxConnections}`]))
    : `skipped: ${String((ssh.ssh as { skipped: string }).skipped)}`
  const hanging = ssh.hangingHost as { timeoutMs: number; oneCallMs: number; rows: Array<{ page: string; ms: number; ratio: number }> }
  return `${head}
${sshRows}

Two hosts, one hanging (host timeout lowered to ${hanging.timeoutMs} ms; one call on the healthy host: ${hanging.oneCallMs} ms):

${table(['page', 'time (ms)', '× one call'], hanging.rows.map((r) => [r.page, String(r.ms), x(r.ratio)]))}
${notes}`
}

async function main (): Promise<void> {
  const started = performance.now()
  const out = (s: string) => process.stdout.write(s)
  const hosts: HostFigures[] = []
  let history: HistoryBytes | null = null
  for (const apps of APP_COUNTS) {
    const r = await measureHost(apps, LATENCY_MS, { appPages: apps === APP_PAGES_AT, rebuilds: apps === APP_PAGES_AT })
    hosts.push(r)
    history = r.history
    out(`${apps} apps measured (one call ${r.oneCallMs.toFixed(0)} ms)\n`)
  }
  const http = await measureHttp(LATENCY_MS)
  out('HTTP measured\n')
  // The SSH part waits on real timeouts: on a machine too busy for them, it says so and the rest stands.
  const ssh = await runSshBench(LATENCY_MS).catch((err: unknown) => ({ failed: err instanceof Error ? err.message : String(err) }))
  const seconds = (performance.now() - started) / 1000

  out('\napps  page                       dokku calls   time (ms)   x one call\n')
  for (const h of hosts) {
    for (const r of h.rows) out(`${String(r.apps).padStart(4)}  ${r.page.padEnd(26)} ${String(r.calls).padStart(11)} ${r.ms.toFixed(0).padStart(11)} ${r.ratio.toFixed(2).padStart(12)}\n`)
  }
  out('\nfigure                                                   measured                       target            met\n')
  for (const t of targets(hosts, http)) out(`${t.figure.padEnd(56)} ${t.value.padEnd(30)} ${t.target.padEnd(17)} ${t.met ? 'yes' : 'NO'}\n`)
  mkdirSync(BENCH_DIR, { recursive: true })
  writeFileSync(join(BENCH_DIR, 'results.md'), markdown(hosts, history!, http, ssh, seconds))
  out(`\nWritten to bench/results.md (${seconds.toFixed(0)} s)\n`)
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
})
