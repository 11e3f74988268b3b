/**
 * Several Dokku hosts in one Docklight: each host its own simulator; the dashboard lists every
 * host's apps with their host; /hosts/:host/… acts on that host only; a hung host shows as
 * unreachable within its timeout without holding up the other; an unknown host runs nothing;
 * history and exports carry the host.
 */
import t from 'tap'
import { join } from 'node:path'
import type { ExecOptions, ExecResult } from '../src/dokku/exec.js'
import { InProcessSimulatorTransport } from '../src/dokku/simulator/in-process.js'
import type { Transport } from '../src/dokku/transport.js'
import { build, login } from './helpers/build.js'

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/** A simulator on its own state file that remembers every argv it was given. */
function recordingSimulator (statePath: string): Transport & { calls: string[] } {
  const sim = new InProcessSimulatorTransport({ DOKKU_SIM_STATE: statePath, DOKKU_SIM_STEP_MS: '0' })
  const calls: string[] = []
  return {
    description: `simulator ${statePath}`,
    calls,
    prepare: (args) => sim.prepare(args),
    exec: (args, options) => { calls.push(args.join(' ')); return sim.exec(args, options) }
  }
}

/** A dokku that never answers: each call waits until it is killed (its timeout, or shutdown). */
function hungDokku (): Transport & { calls: string[] } {
  const calls: string[] = []
  return {
    description: 'a host that does not answer',
    calls,
    prepare: () => ({ file: '/nonexistent', args: [] }),
    exec: (args: readonly string[], options: ExecOptions) => {
      calls.push(args.join(' '))
      return new Promise<ExecResult>((resolve) => {
        const end = (why: 'timeout' | 'cancelled') => resolve({ end: why, exitCode: null, signal: 'SIGTERM', stdout: '', stderr: '', truncated: false, durationMs: 0 })
        const timer = setTimeout(() => end('timeout'), options.timeoutMs)
        options.signal?.addEventListener('abort', () => { clearTimeout(timer); end('cancelled') }, { once: true })
      })
    }
  }
}

async function twoHosts (t: Tap.Test, beta?: Transport, hostTimeoutMs = 300) {
  const dir = t.testdir({})
  const alpha = recordingSimulator(join(dir, 'alpha.json'))
  const betaTransport = beta ?? recordingSimulator(join(dir, 'beta.json'))
  const { app } = await build(t, {
    env: { DOCKLIGHT_HOSTS: 'alpha=local beta=dokku@beta.example.com' },
    transports: { alpha, beta: betaTransport },
    hostTimeoutMs
  })
  return { app, cookie: await login(app), alpha, beta: betaTransport }
}

t.test('the dashboard lists both hosts\' apps, each with its host, and filters across them', async (t) => {
  const { app, cookie } = await twoHosts(t)
  const made = await app.inject({ method: 'POST', url: '/hosts/beta/apps', headers: { cookie, ...FORM }, payload: 'name=only-on-beta' })
  t.equal(made.statusCode, 303)
  t.equal(made.headers.location, '/hosts/beta/apps/only-on-beta', 'the new app\'s page, on its host')

  const page = await app.inject({ url: '/', headers: { cookie } })
  t.equal(page.statusCode, 200)
  t.match(page.body, /<tr data-host="alpha">\s*<td><a href="\/hosts\/alpha\/apps\/node-js-app">/)
  t.match(page.body, /<tr data-host="beta">\s*<td><a href="\/hosts\/beta\/apps\/node-js-app">/)
  t.match(page.body, /<a class="host-label" href="\/hosts\/beta\/">beta<\/a>/)
  t.notMatch(page.body, /<tr data-host="alpha">\s*<td><a href="\/hosts\/alpha\/apps\/only-on-beta">/)
  t.match(page.body, /class="host-switcher"/, 'the switcher shows with several hosts')

  const filtered = await app.inject({ url: '/dashboard/apps?q=only-on', headers: { cookie, 'hx-request': 'true' } })
  const rows = [...filtered.body.matchAll(/<tr data-host="([a-z]+)">/g)].map((m) => m[1])
  t.same(rows, ['beta'], 'the filter works across hosts')

  const betaOnly = await app.inject({ url: '/hosts/beta/', headers: { cookie } })
  t.notMatch(betaOnly.body, /data-host="alpha"/, 'a host\'s own dashboard')
  t.match(betaOnly.body, /Apps on beta/)
})

t.test('/hosts/:host/apps/:app/… acts on that host only', async (t) => {
  const { app, cookie, alpha, beta } = await twoHosts(t)
  const before = alpha.calls.length
  const res = await app.inject({ method: 'POST', url: '/hosts/beta/apps/python-app/restart', headers: { cookie, 'hx-request': 'true', ...FORM }, payload: '' })
  t.equal(res.statusCode, 202)
  await app.jobs.drain()
  t.ok((beta as typeof alpha).calls.includes('ps:restart python-app'), 'beta restarted python-app')
  t.notOk(alpha.calls.slice(before).some((c) => c.startsWith('ps:restart')), 'alpha ran no restart')
  const row = app.history.list({ limit: 5, kind: 'actions' })[0]!
  t.match(row, { host: 'beta', app: 'python-app', kind: 'job' })

  const page = await app.inject({ url: '/hosts/beta/apps/python-app', headers: { cookie } })
  t.match(page.body, /href="\/hosts\/beta\/apps\/python-app\/config"/, 'every link on the page stays on its host')
  t.notMatch(page.body, /href="\/apps\/python-app/)

  const job = await app.inject({ url: `/jobs/${row.id}`, headers: { cookie } })
  t.match(job.body, /on <strong class="host-label">beta<\/strong>/, 'the job page says which host')
  t.match(job.body, /href="\/hosts\/beta\/apps\/python-app"/)

  const plain = await app.inject({ url: '/apps/python-app', headers: { cookie } })
  t.equal(plain.statusCode, 200, 'unprefixed URLs stay valid for the first host')
  t.ok(alpha.calls.some((c) => c.startsWith('ps:report python-app')))
})

t.test('an unknown host is a 404 page, and nothing runs', async (t) => {
  const { app, cookie, alpha, beta } = await twoHosts(t)
  const ran = () => alpha.calls.length + (beta as typeof alpha).calls.length
  const before = ran()
  for (const url of ['/hosts/gamma/apps/node-js-app', '/hosts/gamma/', '/hosts/Beta/apps/x', '/hosts//apps/x']) {
    const res = await app.inject({ url, headers: { cookie } })
    t.equal(res.statusCode, 404, url)
  }
  const post = await app.inject({ method: 'POST', url: '/hosts/gamma/apps/node-js-app/restart', headers: { cookie, ...FORM }, payload: '' })
  t.equal(post.statusCode, 404)
  t.match(post.body, /Not found/)
  t.same([...alpha.calls, ...(beta as typeof alpha).calls].slice(before), [], 'no dokku command ran')
  t.equal(app.history.list({ limit: 5, kind: 'actions' }).length, 0)
})

t.test('a host\'s prefix reaches its pages only: global pages, files and unknown paths are not found under it', async (t) => {
  const { app, cookie } = await twoHosts(t)
  for (const url of ['/hosts/beta', '/hosts/beta/', '/hosts/beta?q=node', '/hosts/beta/?q=node']) {
    const res = await app.inject({ url, headers: { cookie } })
    t.equal(res.statusCode, 200, url)
    t.match(res.body, /Apps on beta/, `${url}: beta's own dashboard`)
  }
  for (const url of ['/hosts/beta/history', '/hosts/beta/alerts', '/hosts/beta/settings', '/hosts/beta/login', '/hosts/beta/api/health', '/hosts/beta/no-such-page', '/hosts/beta/static/css/app.css']) {
    const res = await app.inject({ url, headers: { cookie } })
    t.equal(res.statusCode, 404, url)
  }
  const page = await app.inject({ url: '/hosts/beta/no-such-page', headers: { cookie } })
  t.match(page.body, /There is nothing at this address/, 'the not-found page')
  t.equal((await app.inject({ url: '/history', headers: { cookie } })).statusCode, 200, 'global pages at their own address')
  t.equal((await app.inject({ url: '/hostsfoo/apps/x', headers: { cookie } })).statusCode, 404, 'a path that only starts like /hosts')

  const out = await app.inject({ url: '/hosts/beta/apps/node-js-app/config' })
  t.equal(out.statusCode, 303)
  t.equal(out.headers.location, `/login?next=${encodeURIComponent('/hosts/beta/apps/node-js-app/config')}`, 'logging in leads back to the host\'s page')
})

t.test('a hung host shows as unreachable within its timeout; the other host\'s apps are listed', async (t) => {
  const hung = hungDokku()
  // Long enough that the healthy host's first (cold) answer always comes in time on a busy
  // machine: at 300 ms it sometimes did not, and both hosts showed as unreachable.
  const { app, cookie } = await twoHosts(t, hung, 2000)
  const page = await app.inject({ url: '/', headers: { cookie } })
  t.equal(page.statusCode, 200)
  t.match(page.body, /<strong>beta<\/strong> is unreachable: no answer within 2 s\. Its apps are not shown; their state is unknown\./)
  t.match(page.body, /<tr data-host="alpha">/)
  t.notMatch(page.body, /data-host="beta">\s*<td>/, 'no beta app is shown as stopped')
  t.ok(hung.calls.length > 0, 'beta was asked')
  t.equal(app.hosts.get('beta')!.health.view.state, 'unreachable')
  const again = await app.inject({ url: '/', headers: { cookie } })
  t.match(again.body, /class="host-unreachable"[^>]*>beta <span class="badge failed">unreachable<\/span>/, 'the switcher marks it')
})

t.test('a refusing host shows ssh\'s own message', async (t) => {
  const refusing: Transport = {
    description: 'ssh to a host that refuses',
    remote: true,
    prepare: () => ({ file: process.execPath, args: ['-e', "process.stderr.write('ssh: connect to host beta.example.com port 22: Connection refused\\n'); process.exit(255)"] })
  }
  // Time enough for the refusal to come back: it is an answer, not a hang.
  const { app, cookie } = await twoHosts(t, refusing, 10_000)
  const page = await app.inject({ url: '/', headers: { cookie } })
  t.match(page.body, /<strong>beta<\/strong> is unreachable: could not reach dokku: ssh: connect to host beta\.example\.com port 22: Connection refused/)
  t.match(app.hosts.get('beta')!.health.view, { state: 'unreachable', message: 'ssh: connect to host beta.example.com port 22: Connection refused' })
})

t.test('history and its exports carry the host', async (t) => {
  const { app, cookie } = await twoHosts(t)
  await app.inject({ url: '/hosts/beta/apps/node-js-app', headers: { cookie } })
  await app.inject({ url: '/apps/node-js-app', headers: { cookie } })
  const rows = app.history.list({ limit: 50, kind: 'reads' })
  t.ok(rows.some((r) => r.host === 'beta') && rows.some((r) => r.host === 'alpha'))
  const page = await app.inject({ url: '/history?kind=reads&host=beta', headers: { cookie } })
  t.match(page.body, /beta/)
  const csv = await app.inject({ url: '/history/export.csv?kind=reads&host=beta', headers: { cookie } })
  const lines = csv.body.trim().split('\r\n')
  t.match(lines[0], /(^|,)host(,|$)/)
  const hostColumn = lines[0]!.split(',').indexOf('host')
  t.ok(lines.length > 1 && lines.slice(1).every((l) => l.split(',')[hostColumn] === 'beta'), 'only beta, labelled')
  const json = JSON.parse((await app.inject({ url: '/history/export.json?kind=reads', headers: { cookie } })).body) as Array<{ host: string }>
  t.same([...new Set(json.map((r) => r.host))].sort(), ['alpha', 'beta'])
})

namespace Tap { export type Test = import('tap').Test }
