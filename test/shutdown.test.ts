/**
 * SIGTERM on the real server (demo mode, the simulator spawned per call: DOKKU_SIM_SPAWN=1): a running job gets the grace
 * to finish; past it, it is cancelled and recorded as interrupted; the process exits and no
 * dokku process outlives it.
 */
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'
import { openDatabase } from '../src/db/database.js'
import { HistoryRepository } from '../src/db/history.js'
import { startDemoServer, type RunningServer } from './helpers/server.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

async function session (server: RunningServer): Promise<string> {
  const res = await fetch(`${server.url}/login`, { method: 'POST', headers: FORM, body: `password=${encodeURIComponent(server.password)}`, redirect: 'manual' })
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('session='))
  if (!cookie) throw new Error(`no session (${res.status})`)
  return cookie.split(';')[0]!
}

async function startRebuild (server: RunningServer, cookie: string): Promise<number> {
  const res = await fetch(`${server.url}/apps/node-js-app/rebuild`, { method: 'POST', headers: { cookie, ...FORM }, body: '', redirect: 'manual' })
  const id = Number(/^\/jobs\/(\d+)$/.exec(res.headers.get('location') ?? '')?.[1])
  if (!(id > 0)) throw new Error(`no job (${res.status})`)
  for (let i = 0; i < 200; i++) {
    const page = await (await fetch(`${server.url}/jobs/${id}`, { headers: { cookie } })).text()
    if (page.includes('data-job-status="running"')) return id
    await sleep(25)
  }
  throw new Error('the rebuild never started')
}

/** Processes whose environment names this server's data dir: the simulator's dokku runs. */
function dokkuProcesses (dataDir: string): number[] {
  const found: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').includes(`DOKKU_SIM_STATE=${dataDir}`)) found.push(Number(entry))
    } catch { /* gone, or not ours */ }
  }
  return found
}

function exited (server: RunningServer): Promise<number | null> {
  return new Promise((resolve) => {
    if (server.child.exitCode !== null) resolve(server.child.exitCode)
    else server.child.once('exit', (code) => resolve(code))
  })
}

function row (dataDir: string, id: number) {
  const db = openDatabase(dataDir)
  try {
    return new HistoryRepository(db).get(id)
  } finally {
    db.close()
  }
}

t.test('past the grace, a running job is cancelled and recorded as interrupted; nothing outlives the server', async (t) => {
  const server = await startDemoServer(t, { DOCKLIGHT_SHUTDOWN_GRACE_S: '1', DOKKU_SIM_STEP_MS: '2000', DOKKU_SIM_SPAWN: '1' })
  const cookie = await session(server)
  const id = await startRebuild(server, cookie)
  t.ok(dokkuProcesses(server.dataDir).length > 0, 'dokku is running the rebuild')

  server.child.kill('SIGTERM')
  await sleep(200)
  const refused = await fetch(`${server.url}/api/health`).then((r) => r.status, () => 'refused')
  t.not(refused, 200, 'no new connection is served while jobs get their grace')
  t.equal(await exited(server), 0)

  t.match(row(server.dataDir, id), { status: 'interrupted', error: /^Docklight shut down while this ran/ })
  t.same(dokkuProcesses(server.dataDir), [], 'no dokku process outlived Docklight')
})

t.test('within the grace, a running job finishes before the server exits', async (t) => {
  const server = await startDemoServer(t, { DOCKLIGHT_SHUTDOWN_GRACE_S: '30', DOKKU_SIM_STEP_MS: '60', DOKKU_SIM_SPAWN: '1' })
  const cookie = await session(server)
  const id = await startRebuild(server, cookie)
  server.child.kill('SIGTERM')
  t.equal(await exited(server), 0)
  t.match(row(server.dataDir, id), { status: 'success', kind: 'job' })
  t.same(dokkuProcesses(server.dataDir), [])
})
