import t from 'tap'
import type { FastifyInstance } from 'fastify'
import WebSocket from 'ws'
import { openDatabase } from '../src/db/database.js'
import { SessionRevocations } from '../src/sessions/revocations.js'
import { SESSION_ENDED_CODE, SessionSockets, type SessionSocket } from '../src/sessions/sockets.js'
import { build, login } from './helpers/build.js'

interface Opened {
  ws: WebSocket
  /** Resolves once the first message arrived (the stream is live). */
  live: Promise<void>
  closed: Promise<{ code: number; reason: string }>
}

function open (base: string, path: string, cookie: string): Opened {
  const ws = new WebSocket(`ws://${base}${path}`, { headers: { cookie, origin: `http://${base}` } })
  ws.on('error', () => {})
  const live = new Promise<void>((resolve) => ws.once('message', () => resolve()))
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
  })
  return { ws, live, closed }
}

/** A job that stays running until released (or cancelled at shutdown). */
function holdJob (app: FastifyInstance, appName: string): { id: number; release: () => void } {
  let release = () => {}
  const job = app.hosts.default.startJob({
    app: appName,
    label: `Hold ${appName}`,
    run: (ctx) => new Promise<void>((resolve) => {
      ctx.onStart()
      release = resolve
      ctx.signal.addEventListener('abort', () => resolve())
    })
  })
  return { id: job.id, release: () => release() }
}

t.test('logging out closes that session\'s job and log streams, and only those', async (t) => {
  const { app } = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const base = `127.0.0.1:${port}`
  const mine = await login(app)
  const theirs = await login(app)
  const job = holdJob(app, 'web')
  t.teardown(job.release)

  const myJob = open(base, `/jobs/${job.id}/ws`, mine)
  const myLogs = open(base, '/apps/node-js-app/logs/ws?lines=1', mine)
  const theirJob = open(base, `/jobs/${job.id}/ws`, theirs)
  await Promise.all([myJob.live, myLogs.live, theirJob.live])

  t.equal((await app.inject({ method: 'POST', url: '/logout', headers: { cookie: mine } })).statusCode, 303)
  t.same(await myJob.closed, { code: SESSION_ENDED_CODE, reason: 'Logged out' }, 'the job stream closes with 4401 and a reason')
  t.same(await myLogs.closed, { code: SESSION_ENDED_CODE, reason: 'Logged out' }, 'so does the log tail')
  t.equal(theirJob.ws.readyState, WebSocket.OPEN, 'another session\'s stream stays open')
  t.equal(app.jobs.get(job.id)!.status, 'running', 'the job itself keeps running')

  t.equal((await app.inject({ method: 'POST', url: '/logout/all', headers: { cookie: theirs } })).statusCode, 303)
  t.same(await theirJob.closed, { code: SESSION_ENDED_CODE, reason: 'Logged out everywhere' }, 'log out everywhere closes the rest')
})

t.test('the socket registry holds only open sockets', async (t) => {
  class FakeSocket implements SessionSocket {
    readyState = 1
    closedWith: [number, string] | null = null
    private listener: (() => void) | null = null
    once (_event: 'close', listener: () => void) { this.listener = listener }
    close (code: number, reason: string) { this.closedWith = [code, reason]; this.readyState = 3; this.listener?.() }
    /** The client went away by itself. */
    drop () { this.readyState = 3; this.listener?.() }
  }
  const registry = new SessionSockets()
  const [a1, a2, b1] = [new FakeSocket(), new FakeSocket(), new FakeSocket()]
  registry.add('a', a1)
  registry.add('a', a2)
  registry.add('b', b1)
  const late = new FakeSocket()
  late.readyState = 3
  registry.add('a', late)
  t.equal(registry.size, 3, 'an already closed socket is not kept')
  a2.drop()
  t.equal(registry.size, 2, 'a socket leaves when it closes')
  t.equal(registry.close('a', 'Logged out'), 1)
  t.same(a1.closedWith, [SESSION_ENDED_CODE, 'Logged out'])
  t.equal(a2.closedWith, null)
  t.equal(registry.close('nobody', 'x'), 0)
  t.equal(registry.closeAll('Logged out everywhere'), 1)
  t.same(b1.closedWith, [SESSION_ENDED_CODE, 'Logged out everywhere'])
  t.equal(registry.size, 0)
})

t.test('revocations are pruned after their token expires, in memory and in SQLite', async (t) => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.close())
  let now = 1_000_000
  const clock = () => now
  const rows = () => (db.prepare('SELECT sid FROM revoked_sessions ORDER BY sid').all() as Array<{ sid: string }>).map((r) => r.sid)
  const list = new SessionRevocations(db, { now: clock })

  list.revoke('early', now + 1_000)
  list.revoke('late', now + 5_000)
  list.revoke('already-expired', now - 1)
  t.notOk(list.isActive('early', 0))
  t.notOk(list.isActive('late', 0))
  t.ok(list.isActive('never-revoked', 0))
  t.same(rows(), ['early', 'late'], 'an expired token is not worth remembering')

  now += 1_000
  t.equal(list.prune(), 1)
  t.equal(list.size, 1)
  t.same(rows(), ['late'], 'pruned from SQLite too')

  // At boot the mirror is loaded from SQLite, without what expired meanwhile.
  t.notOk(new SessionRevocations(db, { now: clock }).isActive('late', 0), 'a restart remembers the logout')
  now += 4_000
  const rebooted = new SessionRevocations(db, { now: clock })
  t.equal(rebooted.size, 0)
  t.same(rows(), [], 'expired rows are dropped at boot')
})

t.test('log out everywhere raises the generation and empties the list; a full list fails closed', async (t) => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.close())
  let now = 5_000_000
  const list = new SessionRevocations(db, { now: () => now, maxEntries: 2 })
  t.equal(list.generation, 0)
  t.equal(list.endedAllAt, null)
  t.equal(list.revoke('a', now + 10_000), 'one')
  t.equal(list.revoke('b', now + 10_000), 'one')
  t.equal(list.revoke('a', now + 10_000), 'one', 'revoking again is not a new entry')
  t.equal(list.revoke('c', now + 10_000), 'all', 'past the bound every session ends instead')
  t.equal(list.size, 0)
  t.equal(list.generation, 1)
  t.notOk(list.isActive('untouched', 0), 'a session of the old generation is refused')
  t.ok(list.isActive('untouched', 1))

  now += 60_000
  list.endAll()
  t.equal(list.generation, 2)
  t.equal(list.endedAllAt, now)
  const again = new SessionRevocations(db, { now: () => now })
  t.equal(again.generation, 2, 'the generation is kept in settings')
  t.equal(again.endedAllAt, now)
})
