import t from 'tap'
import type { FastifyInstance } from 'fastify'
import { join } from 'node:path'
import WebSocket from 'ws'
import { InProcessSimulatorTransport } from '../../src/dokku/simulator/in-process.js'
import { LocalTransport } from '../../src/dokku/transport.js'
import { tailSlots } from '../../src/services/logs.js'
import { build, login } from '../helpers/build.js'

interface Message { type: string; text?: string; message?: string; reason?: string; timestamp?: string | null; process?: string | null }

interface Session {
  ws: WebSocket
  messages: Message[]
  /** Resolves with the close code and reason. */
  closed: Promise<{ code: number; reason: string }>
  /** Resolves once `n` line messages have arrived. */
  lines (n: number): Promise<Message[]>
}

async function listen (app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  return `127.0.0.1:${port}`
}

function connect (host: string, path: string, cookie: string): Session {
  const ws = new WebSocket(`ws://${host}${path}`, { headers: { cookie, origin: `http://${host}` } })
  const messages: Message[] = []
  const waiters: Array<() => void> = []
  ws.on('message', (data) => {
    messages.push(JSON.parse(data.toString()) as Message)
    for (const w of waiters.splice(0)) w()
  })
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() })
      for (const w of waiters.splice(0)) w()
    })
  })
  ws.on('error', () => {})
  const lines = (n: number) => new Promise<Message[]>((resolve, reject) => {
    const check = () => {
      const got = messages.filter((m) => m.type === 'line')
      if (got.length >= n) return resolve(got)
      if (ws.readyState === WebSocket.CLOSED) return reject(new Error(`closed after ${got.length} lines: ${JSON.stringify(messages.slice(-2))}`))
      waiters.push(check)
    }
    check()
  })
  return { ws, messages, closed, lines }
}

/** Waits (up to 15 s) for the log tail's history row to leave "running". */
async function tailRow (app: FastifyInstance, appName: string) {
  const deadline = Date.now() + 15_000
  for (;;) {
    const row = app.history.list({ app: appName, limit: 50 }).find((r) => / --tail /.test(r.command))
    if (row && row.status !== 'running') return row
    if (Date.now() > deadline) return row
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z app\[[a-z]+\.\d+\]: \S/

t.test('the logs page shows recent lines, colour codes stripped, escaped', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ url: '/apps/node-js-app/logs', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.match(res.body, /<html/)
  t.match(res.body, /<title>Logs · node-js-app · Docklight<\/title>/)
  t.match(res.body, /href="\/apps\/node-js-app\/logs" class="active" aria-current="page">Logs</, 'the Logs tab is current')
  t.match(res.body, /badge running">running</, "the app's state from ps:report")
  t.notMatch(res.body, /\u001b/, 'no ANSI escape reaches the page')
  const pre = res.body.match(/<pre class="output log-output"[^>]*>([\s\S]*?)<\/pre>/)?.[1] ?? ''
  const lines = pre.split('\n').filter((l) => l.includes('class="log-line"'))
  t.equal(lines.length, 300, '100 lines for each of the three containers')
  t.match(pre, /<span class="log-ts">\d{4}-\d\d-\d\dT[\d:.]+Z<\/span> <span class="log-proc c\d">app\[web\.1\]:<\/span> /)
  t.match(pre, /app\[worker\.1\]:/)
  const times = [...pre.matchAll(/<span class="log-ts">([^<]+)<\/span>/g)].map((m) => m[1]!)
  t.same(times, [...times].sort(), 'the containers\' lines are merged in time order')
  t.match(pre, /app\[web\.2\]:[\s\S]*?app\[web\.1\]:[\s\S]*?app\[web\.2\]:/, 'interleaved, not block by block')
  t.match(res.body, /<form class="card log-filters" method="get" action="\/apps\/node-js-app\/logs"/)
  t.match(res.body, /name="lines"[^>]*value="100"/)
  t.match(res.body, /<datalist id="log-process-types">\s*<option value="web"><\/option>\s*<option value="worker"><\/option>/)
  t.match(res.body, /data-log-stream data-ws-path="\/apps\/node-js-app\/logs\/ws" data-process="" data-since="\d{4}-[\d-]+T[\d:]+\.\d{9}Z" data-lines="100" data-max-lines="5000"/)
  t.match(res.body, /data-log-action="pause"/)
  t.match(res.body, /data-log-action="clear"/)
  t.match(res.body, /data-log-action="reconnect"/)
  t.notMatch(res.body, /\son[a-z]+=|<script>/, 'no inline handlers or scripts')
  t.equal(app.history.list({ limit: 50 }).find((r) => r.command.startsWith('dokku logs'))?.command, 'dokku logs node-js-app --num 100')

  const frag = await app.inject({ url: '/apps/node-js-app/logs', headers: { cookie, 'hx-request': 'true' } })
  t.equal(frag.statusCode, 200)
  t.notMatch(frag.body, /<html/)
  t.match(frag.body, /class="log-line"/)

  // Python's access log lines hold quotes: they come back as entities.
  const py = await app.inject({ url: '/apps/python-app/logs?lines=20', headers: { cookie } })
  t.equal(py.statusCode, 200)
  t.match(py.body, /&quot;(GET|POST|PUT|DELETE) \/[^ ]* HTTP\/1\.1&quot;/)
  t.notMatch(py.body, /"(GET|POST|PUT|DELETE) \//)
  t.match(py.body, /badge stopped">stopped</)
})

t.test('lines and process type filters', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ url: '/apps/node-js-app/logs?lines=5&process=web', headers: { cookie } })
  t.equal(res.statusCode, 200)
  const pre = res.body.match(/<pre class="output log-output"[^>]*>([\s\S]*?)<\/pre>/)?.[1] ?? ''
  t.equal(pre.split('\n').filter((l) => l.includes('class="log-line"')).length, 10, '5 lines for each web container')
  t.notMatch(pre, /worker/)
  t.match(res.body, /name="lines"[^>]*value="5"/)
  t.match(res.body, /name="process"[^>]*value="web"/)
  t.match(res.body, /data-process="web"/)
  t.ok(app.history.list({ limit: 50 }).some((r) => r.command === 'dokku logs node-js-app --num 5 --ps web'))

  const none = await app.inject({ url: '/apps/node-js-app/logs?process=clock', headers: { cookie } })
  t.equal(none.statusCode, 200)
  t.match(none.body, /<pre class="output log-output"[^>]*><\/pre>/, 'no container of that type: an empty log')
})

t.test('bad filter values are refused with the form, and nothing runs', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const cases: Array<[string, RegExp]> = [
    ['lines=0', /Number of lines must be a whole number from 1 to 10000/],
    ['lines=10001', /Number of lines must be a whole number from 1 to 10000/],
    ['lines=abc', /Number of lines must be a whole number/],
    ['lines=-5', /Number of lines must be a whole number/],
    ['lines=' + '9'.repeat(400), /Number of lines must be a whole number/],
    ['process=%24(reboot)', /Process type may only contain letters, digits/],
    ['process=-p', /Process type must not start with &quot;-&quot;/],
    ['process=web%0Aworker', /control characters/],
    ['process=' + 'w'.repeat(64), /Process type is too long/]
  ]
  for (const [query, message] of cases) {
    const res = await app.inject({ url: `/apps/node-js-app/logs?${query}`, headers: { cookie } })
    t.equal(res.statusCode, 422, query)
    t.match(res.body, message)
    t.match(res.body, /class="field-error"/)
    t.notMatch(res.body, /data-log-stream/, 'no live stream for a refused filter')
  }
  const hostile = await app.inject({ url: '/apps/node-js-app/logs?process=%3Cscript%3E', headers: { cookie, 'hx-request': 'true' } })
  t.equal(hostile.statusCode, 422, 'swapped by htmx')
  t.match(hostile.body, /value="&lt;script&gt;"/)
  t.notMatch(hostile.body, /<script>/)
  t.equal(app.history.list({ limit: 500 }).length, 0, 'nothing ran at all')
})

t.test('apps that cannot show logs', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const undeployed = await app.inject({ url: '/apps/static-site/logs', headers: { cookie } })
  t.equal(undeployed.statusCode, 200)
  t.match(undeployed.body, /<p class="alert warn" role="status">App static-site has not been deployed <a href="\/history\/\d+">Details<\/a>/, "dokku's own message")
  t.notMatch(undeployed.body, /data-log-stream/)
  t.match(undeployed.body, /badge undeployed">not deployed</)

  const missing = await app.inject({ url: '/apps/ghost/logs', headers: { cookie } })
  t.equal(missing.statusCode, 404)
  t.match(missing.body, /App ghost does not exist/)

  const before = app.history.list({ limit: 500 }).length
  for (const name of ['%24(reboot)', 'x%3Breboot', '-rf', '..%2F..', 'a%0Ab', 'UPPER']) {
    const res = await app.inject({ url: `/apps/${name}/logs`, headers: { cookie } })
    t.equal(res.statusCode, 400, name)
    t.match(res.body, /App name (must|is)/)
  }
  t.equal(app.history.list({ limit: 500 }).length, before, 'nothing ran for a refused name')
})

t.test('dokku failures on the page', async (t) => {
  const { app } = await build(t, { transport: new LocalTransport('/nonexistent/dokku') })
  const cookie = await login(app)
  const res = await app.inject({ url: '/apps/node-js-app/logs', headers: { cookie } })
  t.equal(res.statusCode, 503)
  t.match(res.body, /dokku is unavailable/)
  t.notMatch(res.body, /\bat .*\.[jt]s:\d+/, 'no stack trace')
})

t.test('the websocket streams live lines and stops dokku when the browser leaves', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const host = await listen(app)
  const since = new Date().toISOString().replace('Z', '000000Z')
  const s = connect(host, `/apps/node-js-app/logs/ws?lines=100&since=${since}`, cookie)
  await new Promise((resolve) => s.ws.once('open', resolve))
  s.ws.send('garbage { not json')
  s.ws.send(Buffer.from([0, 1, 2, 255]))
  s.ws.send(JSON.stringify({ type: 'line', text: '<script>' }))
  const lines = await s.lines(4)
  for (const l of lines) {
    t.match(l.text, LINE, 'a whole line, colours stripped')
    t.ok((l.timestamp ?? '') > since.slice(0, 23), 'only lines newer than the page (live ones)')
  }
  t.ok(lines.every((l) => !l.text!.includes('\u001b')))
  t.ok(lines.every((l) => l.process !== null && /^app\[(web|worker)\.\d\]:$/.test(l.process!)))

  const running = app.history.list({ app: 'node-js-app', limit: 20 }).find((r) => / --tail /.test(r.command))
  t.equal(running?.status, 'running', 'the tail is a running history row')
  t.equal(running?.command, 'dokku logs node-js-app --tail --num 100')

  s.ws.close()
  const row = await tailRow(app, 'node-js-app')
  t.equal(row?.status, 'cancelled', 'closing the socket stopped dokku; its row finished')
  t.equal(tailSlots.active, 0, 'the slot was given back')
})

t.test('a tail filtered by process type, from the page\'s last line', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const host = await listen(app)
  const s = connect(host, '/apps/node-js-app/logs/ws?lines=3&process=worker', cookie)
  const lines = await s.lines(5)
  t.ok(lines.every((l) => l.process === 'app[worker.1]:'), 'only the worker')
  s.ws.close()
  await s.closed
  t.equal((await tailRow(app, 'node-js-app'))?.command, 'dokku logs node-js-app --tail --num 3 --ps worker')
})

t.test('refusals close the socket with a code and a reason', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const host = await listen(app)
  const refused: Array<[string, number, RegExp]> = [
    ['/apps/%24(reboot)/logs/ws', 4400, /App name must start with a lowercase letter or digit/],
    ['/apps/-rf/logs/ws', 4400, /App name must not start with "-"/],
    ['/apps/node-js-app/logs/ws?lines=0', 4400, /Number of lines must be a whole number/],
    ['/apps/node-js-app/logs/ws?process=%24(x)', 4400, /Process type may only contain/],
    ['/apps/node-js-app/logs/ws?since=yesterday', 4400, /since must be a log timestamp/],
    ['/apps/ghost/logs/ws', 4404, /App ghost does not exist/],
    ['/apps/static-site/logs/ws', 4409, /App static-site has not been deployed/]
  ]
  for (const [path, code, reason] of refused) {
    const s = connect(host, path, cookie)
    const closed = await s.closed
    t.equal(closed.code, code, path)
    t.match(closed.reason, reason)
    t.match(s.messages.at(-1), { type: 'error', message: reason }, 'the page gets the message too')
  }
  t.notOk(app.history.list({ limit: 500 }).some((r) => /reboot|\$\(x\)/.test(r.command)), 'nothing hostile ran')

  // A stopped app has no running container: dokku ends the tail by itself.
  const stopped = connect(host, '/apps/python-app/logs/ws?lines=1', cookie)
  const end = await stopped.closed
  t.equal(end.code, 1000)
  t.match(stopped.messages.at(-1), { type: 'end', reason: 'ended', message: /no running container/ })
  t.equal(tailSlots.active, 0)

  // Without a session, or from another site, there is no upgrade at all.
  const anon = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`ws://${host}/apps/node-js-app/logs/ws`)
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.on('error', () => {})
  })
  t.equal(anon, 401)
  const cross = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`ws://${host}/apps/node-js-app/logs/ws`, { headers: { cookie, origin: 'https://evil.example' } })
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0))
    ws.on('error', () => {})
  })
  t.equal(cross, 403)
})

t.test('too many tails at once are refused with a clear message', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const host = await listen(app)
  const limit = tailSlots.limit
  tailSlots.limit = 1
  t.teardown(() => { tailSlots.limit = limit })

  const first = connect(host, '/apps/node-js-app/logs/ws?lines=1', cookie)
  await first.lines(1)
  const second = connect(host, '/apps/go-worker/logs/ws?lines=1', cookie)
  const closed = await second.closed
  t.equal(closed.code, 4429)
  t.match(second.messages.at(-1), { type: 'error', message: /Too many live log streams are open \(1\)/ })
  t.notOk(app.history.list({ app: 'go-worker', limit: 20 }).some((r) => / --tail /.test(r.command)), 'no second dokku process')

  first.ws.close()
  await tailRow(app, 'node-js-app')
  const third = connect(host, '/apps/node-js-app/logs/ws?lines=1', cookie)
  t.ok((await third.lines(1)).length >= 1, 'a freed slot serves the next tab')
  third.ws.close()
  await third.closed
  await tailRow(app, 'node-js-app')
})

t.test('closing the server stops every tail', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const host = await listen(app)
  const finished = new Map<number, string>()
  const finish = app.history.finish.bind(app.history)
  app.history.finish = (id, outcome) => { finished.set(id, outcome.status); finish(id, outcome) }
  const s = connect(host, '/apps/node-js-app/logs/ws?lines=1', cookie)
  await s.lines(1)
  const row = app.history.list({ app: 'node-js-app', limit: 20 }).find((r) => / --tail /.test(r.command))!
  t.equal(row.status, 'running')
  await app.close()
  t.ok((await s.closed).code >= 1000, 'the socket was closed')
  t.equal(finished.get(row.id), 'cancelled', 'the tail was stopped and its row closed before the database')
})

t.test('on a named host: the page\'s stream and filter stay on it, and the tail runs there', async (t) => {
  const dir = t.testdir({})
  const sim = (name: string) => new InProcessSimulatorTransport({ DOKKU_SIM_STATE: join(dir, `${name}.json`), DOKKU_SIM_STEP_MS: '5' })
  const { app } = await build(t, { env: { DOCKLIGHT_HOSTS: 'alpha=local beta=dokku@beta.example.com' }, transports: { alpha: sim('alpha'), beta: sim('beta') } })
  const cookie = await login(app)
  const res = await app.inject({ url: '/hosts/beta/apps/node-js-app/logs', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.match(res.body, /data-log-stream data-ws-path="\/hosts\/beta\/apps\/node-js-app\/logs\/ws"/, 'logs.js opens the socket on the page\'s host')
  t.match(res.body, /<form class="card log-filters" method="get" action="\/hosts\/beta\/apps\/node-js-app\/logs"/)
  t.match(app.history.list({ limit: 50 }).find((r) => r.command.startsWith('dokku logs')), { host: 'beta' })

  const host = await listen(app)
  const s = connect(host, '/hosts/beta/apps/node-js-app/logs/ws?lines=1', cookie)
  t.ok((await s.lines(1)).length >= 1)
  s.ws.close()
  const row = await tailRow(app, 'node-js-app')
  t.match(row, { host: 'beta', command: 'dokku logs node-js-app --tail --num 1', status: 'cancelled' })
})
