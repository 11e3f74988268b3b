/**
 * The SSH and multi-host part of `npm run bench`:
 * - one dokku call over a loopback sshd, with and without the master connection
 *   (ControlMaster), as a ratio; and the same for the connection alone (a forced command that
 *   only echoes), which is what multiplexing saves;
 * - the two-host dashboard when one host hangs (its dokku never answers), as a ratio to one call.
 * Timings vary by machine; the ratios are the point.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../app.js'
import { loadConfig } from '../config.js'
import { openDatabase } from '../db/database.js'
import { HistoryRepository } from '../db/history.js'
import { DEFAULT_RUNNER_OPTIONS, Runner } from '../dokku/runner.js'
import { createSeedState, writeStateFile } from '../dokku/simulator/index.js'
import { LocalTransport, simulatorCli, type Transport } from '../dokku/transport.js'
import { HOST_TIMEOUT_MS } from '../services/dashboard.js'
import { masterPids, sshdAvailable, SSHD, startLoopbackSshd, writeExecutable } from './loopback-sshd.js'

const CALLS = Number(process.env.BENCH_SSH_CALLS ?? 5)
/** The bench waits this long for the hanging host (the server's default is HOST_TIMEOUT_MS). */
const BENCH_HOST_TIMEOUT_MS = Number(process.env.BENCH_HOST_TIMEOUT_MS ?? 3000)

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

/** The median time of `CALLS` runs of `dokku version` through `transport`, after one to warm up. */
async function timeCalls (transport: Transport): Promise<{ ms: number; failed: number }> {
  const runner = new Runner(transport, new HistoryRepository(openDatabase(':memory:')), DEFAULT_RUNNER_OPTIONS)
  const samples: number[] = []
  let failed = 0
  await runner.run('dokku', { args: ['version'], kind: 'read' })
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now()
    const r = await runner.run('dokku', { args: ['version'], kind: 'read' })
    samples.push(performance.now() - started)
    if (r.status !== 'success') failed++
  }
  return { ms: median(samples), failed }
}

export interface SshRow { what: string; plainMs: number; muxMs: number; ratio: number; plainConnections: number; muxConnections: number }

/** One call over SSH with and without multiplexing; null (with the reason) when there is no sshd. */
export async function sshRows (): Promise<{ rows: SshRow[] } | { skipped: string }> {
  if (!sshdAvailable()) return { skipped: `${SSHD} is not installed (apt-get install -y openssh-server)` }
  // Short: the control socket's path must fit a socket address.
  const dir = mkdtempSync(join(tmpdir(), 'dl-bench-'))
  const sshd = await startLoopbackSshd({
    dir,
    keys: [
      { name: 'dokku_key', command: `DOKKU_SIM_STATE=${join(dir, 'sim.json')} ${join(dir, 'dokku')} $SSH_ORIGINAL_COMMAND` },
      { name: 'echo_key', command: 'echo dokku version 0.38.27' }
    ]
  })
  writeExecutable(join(dir, 'dokku'), `#!/bin/sh\nexec "${process.execPath}" "${simulatorCli()}" "$@"\n`)
  const controlDir = join(dir, 'ctl')
  mkdirSync(controlDir, { mode: 0o700 })
  const masters: string[] = []
  try {
    const rows: SshRow[] = []
    for (const [what, key] of [['one dokku call (the simulator answers)', 'dokku_key'], ['the connection alone (an echo answers)', 'echo_key']] as const) {
      let before = sshd.accepted()
      const plain = await timeCalls(sshd.transport(key))
      const plainConnections = sshd.accepted() - before
      const mux = sshd.transport(key, { multiplexing: { controlDir } })
      masters.push(mux.controlPath!)
      before = sshd.accepted()
      const viaMaster = await timeCalls(mux)
      const muxConnections = sshd.accepted() - before
      await mux.close()
      if (plain.failed + viaMaster.failed > 0) throw new Error(`${plain.failed + viaMaster.failed} SSH calls failed: ${sshd.log.slice(-1000)}`)
      rows.push({ what, plainMs: plain.ms, muxMs: viaMaster.ms, ratio: plain.ms / viaMaster.ms, plainConnections, muxConnections })
    }
    return { rows }
  } finally {
    for (const path of masters) for (const pid of masterPids(path)) process.kill(pid, 'SIGKILL')
    await sshd.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface HangingRow { page: string; ms: number; ratio: number }

/**
 * Two hosts: `alpha` (the simulator, `latencyMs` per call) and `beta`, whose dokku never
 * answers (a program that sleeps). The dashboard must show alpha's apps after beta's timeout
 * at most, and alpha's own page must not wait for beta at all.
 */
export async function hangingHostRows (latencyMs: number): Promise<{ oneCallMs: number; timeoutMs: number; rows: HangingRow[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'dl-bench-'))
  try {
    const statePath = join(dir, 'sim.json')
    await writeStateFile(statePath, createSeedState({ now: Date.now() / 1000, extraApps: 10, onlyGenerated: true }))
    const hang = join(dir, 'hanging-dokku')
    writeExecutable(hang, '#!/bin/sh\nexec sleep 3600\n')
    const password = 'benchmark-password'
    const config = loadConfig({ DOCKLIGHT_PASSWORD: password, DOCKLIGHT_DATA_DIR: dir, DOCKLIGHT_HOSTS: 'alpha=local beta=local' })
    const app = await buildApp(config, {
      logger: false,
      transports: {
        alpha: new LocalTransport(simulatorCli(), { DOKKU_SIM_STATE: statePath, DOKKU_SIM_LATENCY_MS: String(latencyMs) }),
        beta: new LocalTransport(hang)
      },
      hostTimeoutMs: BENCH_HOST_TIMEOUT_MS,
      health: { sampleMs: 50 }
    })
    await app.ready()
    try {
      const login = await app.inject({ method: 'POST', url: '/login', payload: { password } })
      const cookie = `session=${login.cookies.find((c) => c.name === 'session')!.value}`
      await app.serverHealth.read()
      const alpha = app.hosts.get('alpha')!
      await alpha.dokku.version()
      const samples: number[] = []
      for (let i = 0; i < 3; i++) {
        const started = performance.now()
        await alpha.dokku.listApps()
        samples.push(performance.now() - started)
      }
      const one = median(samples)
      const page = async (label: string, url: string, expect: RegExp): Promise<HangingRow> => {
        for (const h of app.hosts.list) h.cache.clear()
        const started = performance.now()
        const res = await app.inject({ url, headers: { cookie } })
        const ms = performance.now() - started
        if (res.statusCode !== 200 || !expect.test(res.body)) throw new Error(`${url} answered ${res.statusCode} without ${expect}`)
        return { page: label, ms, ratio: ms / one }
      }
      const rows = [
        await page('dashboard, both hosts, cold', '/', /app-001[\s\S]*unreachable|unreachable[\s\S]*app-001/),
        await page('dashboard, both hosts, again', '/', /app-001/),
        await page("the healthy host's own page", '/hosts/alpha/', /app-001/)
      ]
      return { oneCallMs: one, timeoutMs: BENCH_HOST_TIMEOUT_MS, rows }
    } finally {
      await app.close()
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Prints both parts and returns them for the bench's JSON line. */
export async function runSshBench (latencyMs: number): Promise<Record<string, unknown>> {
  const out = (s: string) => process.stdout.write(s)
  const ssh = await sshRows()
  out('\nSSH to a loopback sshd (median of ' + CALLS + ' calls, after one to warm up)\n')
  if ('skipped' in ssh) {
    out(`  skipped: ${ssh.skipped}\n`)
  } else {
    out('what                                      without master   with master   ratio   connections (without / with)\n')
    for (const r of ssh.rows) {
      out(`${r.what.padEnd(40)} ${r.plainMs.toFixed(1).padStart(11)} ms ${r.muxMs.toFixed(1).padStart(10)} ms ${r.ratio.toFixed(2).padStart(7)}   ${r.plainConnections} / ${r.muxConnections}\n`)
    }
  }
  const hanging = await hangingHostRows(latencyMs)
  out(`\nTwo hosts, one hanging (its dokku never answers). The bench lowers the host timeout to ${hanging.timeoutMs} ms (the server's is ${HOST_TIMEOUT_MS} ms); one call on the healthy host: ${hanging.oneCallMs.toFixed(0)} ms\n`)
  out('page                                  time (ms)   x one call\n')
  for (const r of hanging.rows) out(`${r.page.padEnd(36)} ${r.ms.toFixed(0).padStart(11)} ${r.ratio.toFixed(2).padStart(12)}\n`)
  const round = <T extends object>(row: T) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'number' ? Number(v.toFixed(2)) : v]))
  return {
    ssh: 'skipped' in ssh ? { skipped: ssh.skipped } : ssh.rows.map(round),
    hangingHost: { timeoutMs: hanging.timeoutMs, oneCallMs: Math.round(hanging.oneCallMs), rows: hanging.rows.map(round) }
  }
}
