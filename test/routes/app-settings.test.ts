/**
 * The Settings tab, section by section: each reads its state (JSON or the older text layouts),
 * each change runs the exact argv and answers with the section and a toast (or a job when dokku
 * restarts the app), refused input runs nothing, dokku's own refusals are shown as they come,
 * docker options are read-only below 0.38.25, missing plugins show their install command, and
 * every form works without JavaScript.
 */
import t from 'tap'
import { client, sharedClient, toast } from '../helpers/app-client.js'
import { jobId } from '../helpers/history.js'
import { editSimState } from '../helpers/simulator-state.js'

/** One server for every subtest at the current dokku version; each subtest works on its own app. */
const shared = sharedClient(t)

/** The section an answer carries, by id. */
function section (body: string, id: string): string {
  const start = body.indexOf(`<section class="card settings-section" id="settings-${id}"`)
  if (start < 0) throw new Error(`no section ${id} in: ${body.slice(0, 300)}`)
  return body.slice(start, body.indexOf('</section>', start))
}

/** Refused by the section (422, the form again); a value past the body schema's 4096 is a 400. */
const HOSTILE = ['80;id', '$(id)', '-80', '../etc', 'a\nb', 'x'.repeat(300)]

t.test('the page: every section, what a change does, and links from the overview', async (t) => {
  const c = await shared()
  const res = await c.get('/apps/node-js-app/settings')
  t.equal(res.statusCode, 200)
  t.match(res.body, /aria-current="page">Settings</)
  for (const id of ['ports', 'checks', 'resources', 'storage', 'nginx', 'process', 'builder', 'maintenance', 'http-auth', 'docker-options']) {
    t.match(section(res.body, id), /class="settings-effect effect-(now|restart|rebuild|deploy)"/, `${id} says what a change does`)
  }
  t.match(section(res.body, 'ports'), /<td>https<\/td><td>443<\/td><td>5000<\/td>/, 'the seed\'s port map')
  t.match(section(res.body, 'storage'), /<code>\/var\/lib\/dokku\/data\/storage\/node-js-app<\/code><\/td><td><code>\/app\/storage<\/code>/)
  t.match(section(res.body, 'resources'), /<td>memory 512m<\/td>/)
  t.match(section(res.body, 'nginx'), /href="\/apps\/node-js-app\/settings\/nginx-logs\?log=access"/)
  t.match(section(res.body, 'ports'), /Disable the proxy \(restarts the app\)/, 'the restart is said before it happens')
  t.match(res.body, /action="\/apps\/node-js-app\/settings\/ports\/add" hx-post=/, 'forms work without JavaScript')
  t.match(res.body, /hx-trigger="job-done from:body"/, 'sections refresh after a job')

  const overview = await c.get('/apps/node-js-app')
  t.match(overview.body, /<p class="settings-summary">/)
  t.match(overview.body, /<a href="\/apps\/node-js-app\/settings#settings-ports">ports 80→5000, 443→5000<\/a>, <a href="\/apps\/node-js-app\/settings#settings-storage">1 mount<\/a>, <a href="\/apps\/node-js-app\/settings#settings-resources">memory 512m<\/a>/)
  const cold = (await c.get('/apps/static-site')).body
  t.match(cold, /hx-get="\/apps\/static-site\/settings\/summary" hx-trigger="load"/, 'not cached yet: the line loads as a panel of its own')
  t.match(cold, /<a href="\/apps\/static-site\/settings">Settings<\/a>/, 'and without JavaScript it links to the tab')
  t.equal((await c.get('/apps/static-site/settings/summary', true)).body.trim(), '', 'nothing to say for an app with defaults')
  t.notMatch((await c.get('/apps/static-site')).body, /settings-summary/, 'once its reads are cached, no line at all')

  const one = await c.get('/apps/node-js-app/settings/storage', true)
  t.match(one.body, /^\s*<section class="card settings-section" id="settings-storage"/, 'one section alone for htmx')
  t.equal((await c.get('/apps/node-js-app/settings/storage')).headers.location, '/apps/node-js-app/settings#settings-storage')
  t.equal((await c.get('/apps/node-js-app/settings/nope', true)).statusCode, 404)
  t.equal((await c.get('/apps/nope/settings')).statusCode, 404, 'an unknown app')
})

t.test('the page in the older text layouts (dokku 0.37)', async (t) => {
  const c = await client(t, { DOKKU_SIM_VERSION: '0.37.0' })
  const res = await c.get('/apps/node-js-app/settings')
  t.equal(res.statusCode, 200)
  const reads = c.app.history.list({ kind: 'reads', limit: 200 }).map((r) => r.command)
  for (const cmd of ['checks:report node-js-app', 'nginx:report node-js-app', 'docker-options:report node-js-app', 'builder-dockerfile:report node-js-app']) {
    t.ok(reads.includes(`dokku ${cmd}`), `${cmd} as text rows`)
  }
  t.ok(reads.includes('dokku ports:report node-js-app --format json'), 'ports:report had JSON from the start')
  t.match(section(res.body, 'ports'), /<td>http<\/td><td>80<\/td><td>5000<\/td>/)
  t.match(section(res.body, 'checks'), /<dd class="checks-disabled">none<\/dd>/)
  t.match(section(res.body, 'nginx'), /placeholder="60s"/)
  t.match(section(res.body, 'docker-options'), /Read only: Docklight edits docker options only on dokku 0\.38\.25 or newer\. This host runs 0\.37\.0/)
})

t.test('ports and proxy: argv, toast, validation, dokku\'s refusals, the restarting toggle as a job', async (t) => {
  const c = await shared()
  const added = await c.post('/apps/ruby-app/settings/ports/add', { scheme: 'http', host_port: '8080', container_port: '5000' })
  t.equal(added.statusCode, 200)
  t.equal(added.headers['hx-retarget'], '#settings-ports')
  t.match(toast(added), { level: 'success', message: 'Mapped http:8080:5000. nginx reloaded.' })
  t.match(section(added.body, 'ports'), /<td>http<\/td><td>8080<\/td><td>5000<\/td>/, 'the section, read afresh')
  t.same(c.changes(), ['dokku ports:add ruby-app http:8080:5000'])

  const clash = await c.post('/apps/ruby-app/settings/ports/add', { scheme: 'http', host_port: '8080', container_port: '5001' })
  t.equal(clash.statusCode, 422)
  t.match(clash.body, /Dokku refused it: Error validating all port mappings: The same scheme:host-port is being reused: http:8080/, 'dokku\'s own words')
  t.match(clash.body, /value="5001"/, 'the form keeps what was typed')

  const before = c.changes().length
  for (const bad of HOSTILE) {
    const res = await c.post('/apps/ruby-app/settings/ports/add', { scheme: 'http', host_port: bad, container_port: '5000' })
    t.equal(res.statusCode, 422, JSON.stringify(bad.slice(0, 20)))
    t.match(res.body, /settings-refused/)
  }
  const huge = await c.post('/apps/ruby-app/settings/ports/add', { scheme: 'http', host_port: 'x'.repeat(5000), container_port: '5000' })
  t.equal(huge.statusCode, 400, 'an oversized field is refused by the body schema')
  t.match(huge.body, /must NOT have more than 4096 characters/)
  t.equal((await c.post('/apps/ruby-app/settings/ports/add', { scheme: 'ftp', host_port: '21', container_port: '21' })).statusCode, 422)
  t.equal((await c.post('/apps/ruby-app/settings/ports/remove', { map: 'http:8080' })).statusCode, 422, 'never the two-part form dokku refuses')
  t.equal((await c.post('/apps/ruby-app/settings/ports/set', { maps: 'http:80:5000 http:80:5001' })).statusCode, 422)
  t.equal((await c.post('/apps/ruby-app/settings/ports/proxy-type', { type: 'apache' })).statusCode, 422)
  t.equal(c.changes().length, before, 'nothing ran for any refused form')

  t.match(toast(await c.post('/apps/ruby-app/settings/ports/set', { maps: 'http:80:5000, https:443:5000' })), { message: /Port map set to http:80:5000 https:443:5000/ })
  t.match(toast(await c.post('/apps/ruby-app/settings/ports/remove', { map: '443' })), { message: /Removed 443/ })
  const typed = await c.post('/apps/ruby-app/settings/ports/proxy-type', { type: 'caddy' })
  t.match(toast(typed), { message: /Proxy type set to caddy: it changes at the next deploy or rebuild/ })
  t.match(typed.body, /data-follow-up="rebuild"/, 'a rebuild offered')
  t.match(section(typed.body, 'ports'), /the caddy proxy reads them at the next deploy or rebuild/, 'the effect follows the proxy type')
  t.match((await c.get('/apps/ruby-app/settings/summary', true)).body, /settings#settings-ports">proxy caddy<\/a>/, 'the overview says it')
  await c.post('/apps/ruby-app/settings/ports/proxy-type', { type: '' })
  t.same(c.changes().slice(before), ['dokku ports:set ruby-app http:80:5000 https:443:5000', 'dokku ports:remove ruby-app 443', 'dokku proxy:set ruby-app type caddy', 'dokku proxy:set ruby-app type'])

  const job = await c.post('/apps/ruby-app/settings/ports/proxy-disable')
  t.equal(job.statusCode, 202, 'dokku restarts the app: a job')
  t.equal(job.headers['hx-retarget'], '#job-area')
  const id = jobId(job)
  await c.app.jobs.drain()
  const row = c.app.history.get(id)!
  t.match(row, { status: 'success', command: 'dokku proxy:disable ruby-app' })
  t.match(row.stdout, /Disabling proxy for app[\s\S]*Deploying web/, 'the restart\'s output in the job')
  const after = await c.get('/apps/ruby-app/settings/ports', true)
  t.match(after.body, /No port map configured/, 'the http:80 map was wiped, as dokku does')
  t.match(after.body, /Enable the proxy \(restarts the app\)/)
  t.match((await c.get('/apps/ruby-app/settings/summary', true)).body, /settings#settings-ports">proxy off<\/a>/)
  const enabled = await c.post('/apps/ruby-app/settings/ports/proxy-enable')
  t.equal(enabled.statusCode, 202, 'enabling restarts it too: a job')
  const enabledId = jobId(enabled)
  await c.app.jobs.drain()
  t.match(c.app.history.get(enabledId), { status: 'success', command: 'dokku proxy:enable ruby-app' })
  await c.post('/apps/ruby-app/settings/ports/add', { scheme: 'http', host_port: '8081', container_port: '5000' })
  const cleared = await c.post('/apps/ruby-app/settings/ports/clear')
  t.match(toast(cleared), { message: /Cleared the port map: the detected one \(or http:80:5000\) applies\./ })
  t.match(section(cleared.body, 'ports'), /No port map configured/)
  t.same(c.changes().slice(-2), ['dokku ports:add ruby-app http:8081:5000', 'dokku ports:clear ruby-app'])
  t.match(toast(await c.post('/apps/ruby-app/settings/ports/nope')) ?? { message: '' }, {})
  t.equal((await c.post('/apps/ruby-app/settings/ports/nope')).statusCode, 422, 'an unknown action')
})

t.test('without JavaScript: 303 back to the section, or the whole page with its error', async (t) => {
  const c = await shared()
  const ok = await c.post('/apps/python-app/settings/maintenance/enable', {}, false)
  t.equal(ok.statusCode, 303)
  t.equal(ok.headers.location, '/apps/python-app/settings#settings-maintenance')
  const bad = await c.post('/apps/python-app/settings/storage/mount', { source: 'path', host_path: '/srv/../etc', container_path: '/app' }, false)
  t.equal(bad.statusCode, 422)
  t.match(bad.body, /<html/)
  t.match(section(bad.body, 'storage'), /The host path must not contain &quot;\.\.&quot;/)
  t.match(section(bad.body, 'storage'), /value="\/srv\/\.\.\/etc"/)
  const job = await c.post('/apps/python-app/settings/ports/proxy-disable', {}, false)
  t.equal(job.statusCode, 303)
  t.match(job.headers.location, /^\/jobs\/\d+$/, 'a job goes to its page')
  await c.app.jobs.drain()
})

t.test('checks, resources, storage, process settings: argv and refusals', async (t) => {
  const c = await shared()
  const start = c.changes().length
  t.match(toast(await c.post('/apps/go-worker/settings/checks/disable', { process: 'web, worker' })), { message: 'Disabled zero-downtime checks for web, worker: applies at the next deploy.' })
  await c.post('/apps/go-worker/settings/checks/enable', { process: '' })
  await c.post('/apps/go-worker/settings/checks/wait-to-retire', { wait_to_retire: '30' })
  t.equal((await c.post('/apps/go-worker/settings/checks/skip', { process: 'web;id' })).statusCode, 422)

  const limits = await c.post('/apps/go-worker/settings/resources/set', { kind: 'limit', process: '_default_', memory: '512m', cpu: '0.5' })
  t.match(toast(limits), { message: /Limits of every process type: cpu 0\.5, memory 512m\. Rebuild to apply\./ })
  t.match(limits.body, /data-follow-up="rebuild"/)
  t.match(section(limits.body, 'resources'), /<td>cpu 0\.5, memory 512m<\/td>/)
  await c.post('/apps/go-worker/settings/resources/set', { kind: 'limit', process: '_default_', memory: '1g', cpu: '' })
  await c.post('/apps/go-worker/settings/resources/set', { kind: 'reserve', process: 'web', memory: '256m' })
  t.match((await c.get('/apps/go-worker/settings/summary', true)).body, /settings#settings-resources">memory 1g<\/a>, <a [^>]*settings#settings-resources">reserve memory 256m \(web\)<\/a>/, 'the overview line')
  for (const bad of [...HOSTILE, '512Mi', '1 g']) t.equal((await c.post('/apps/go-worker/settings/resources/set', { kind: 'limit', process: 'web', memory: bad })).statusCode, 422, `memory ${JSON.stringify(bad.slice(0, 10))}`)
  t.match((await c.post('/apps/go-worker/settings/resources/set', { kind: 'limit', process: '_default_', memory: '1g' })).body, /Nothing changed/)
  await c.post('/apps/go-worker/settings/resources/clear', { kind: 'limit', process: 'web' })
  const wiped = await c.post('/apps/go-worker/settings/resources/clear', { everything: 'yes' })
  t.match(toast(wiped), { message: 'Cleared every limit and reservation of every process type. Rebuild to apply.' })
  t.notMatch(section(wiped.body, 'resources'), /256m/, 'the reservation went with it, as dokku does')

  const mounted = await c.post('/apps/go-worker/settings/storage/mount', { source: 'directory', directory: 'go-worker', chown: 'heroku', container_path: '/app/storage' })
  t.match(toast(mounted), { level: 'success', message: 'Created /var/lib/dokku/data/storage/go-worker (owner heroku) and mounted it at /app/storage. Restart to use it.' }, 'dokku\'s deprecation warning is not the user\'s problem')
  t.match(mounted.body, /data-follow-up="restart"/)
  await c.post('/apps/go-worker/settings/storage/mount', { source: 'path', host_path: 'uploads-vol', container_path: '/app/uploads', readonly: 'yes' })
  const dup = await c.post('/apps/go-worker/settings/storage/mount', { source: 'path', host_path: 'uploads-vol', container_path: '/app/uploads' })
  t.match(dup.body, /Dokku refused it: Mount path already exists\./)
  await c.post('/apps/go-worker/settings/storage/unmount', { mount: 'uploads-vol:/app/uploads:ro', entry: 'legacy-0000000000', container_path: '/app/uploads' })
  for (const [host, container] of [['rel/x', '/x'], ['v', '/x'], ['/a', 'relative'], ['/a', '/b;id'], ['/a/$(id)', '/b'], ['-v', '/b']]) {
    t.equal((await c.post('/apps/go-worker/settings/storage/mount', { source: 'path', host_path: host!, container_path: container! })).statusCode, 422, `${host} → ${container}`)
  }

  const ps = await c.post('/apps/go-worker/settings/process/set', { restart_policy: 'on-failure:3', procfile_path: '', stop_timeout_seconds: '45' })
  t.match(toast(ps), { message: 'restart-policy on-failure:3, stop-timeout-seconds 45: applies at the next deploy or restart.' })
  t.match(section(ps.body, 'process'), /value="on-failure:3"/)
  t.equal((await c.post('/apps/go-worker/settings/process/set', { restart_policy: 'sometimes' })).statusCode, 422)
  t.equal((await c.post('/apps/go-worker/settings/process/set', { procfile_path: '../Procfile' })).statusCode, 422)

  t.same(c.changes().slice(start), [
    'dokku checks:disable go-worker web,worker',
    'dokku checks:enable go-worker',
    'dokku checks:set go-worker wait-to-retire 30',
    'dokku resource:limit --process-type _default_ --cpu 0.5 --memory 512m go-worker',
    'dokku resource:limit --process-type _default_ --cpu clear --memory 1g go-worker',
    'dokku resource:reserve --process-type web --memory 256m go-worker',
    'dokku resource:limit-clear --process-type web go-worker',
    'dokku resource:limit-clear go-worker',
    'dokku storage:ensure-directory --chown heroku go-worker',
    'dokku storage:mount go-worker /var/lib/dokku/data/storage/go-worker:/app/storage',
    'dokku storage:mount go-worker uploads-vol:/app/uploads:ro',
    'dokku storage:mount go-worker uploads-vol:/app/uploads',
    'dokku storage:unmount go-worker uploads-vol:/app/uploads:ro',
    'dokku ps:set go-worker restart-policy on-failure:3',
    'dokku ps:set go-worker stop-timeout-seconds 45'
  ])
  t.match((await c.post('/apps/go-worker/settings/process/set', { restart_policy: 'on-failure:3', stop_timeout_seconds: '45' })).body, /Nothing changed/)
  t.match(toast(await c.post('/apps/go-worker/settings/process/set', { restart_policy: '' })), { message: 'restart-policy reset: applies at the next deploy or restart.' })
  t.equal(c.changes().at(-1), 'dokku ps:set go-worker restart-policy', 'emptied: unset')
})

t.test('nginx: each changed key, then one build-config; Docklight refuses what dokku would not', async (t) => {
  const c = await shared()
  const start = c.changes().length
  const saved = await c.post('/apps/ruby-app/settings/nginx/set', { 'client-max-body-size': '10m', 'proxy-read-timeout': '', hsts: 'false', 'hsts-max-age': '' })
  t.match(toast(saved), { message: 'Nginx: client-max-body-size 10m, hsts false. Config rebuilt and reloaded.' })
  t.match(section(saved.body, 'nginx'), /name="client-max-body-size" value="10m"/)
  t.same(c.changes().slice(start), ['dokku nginx:set ruby-app client-max-body-size 10m', 'dokku nginx:set ruby-app hsts false', 'dokku proxy:build-config ruby-app'])
  await c.post('/apps/ruby-app/settings/nginx/set', { 'client-max-body-size': '' })
  t.equal(c.changes().at(-2), 'dokku nginx:set ruby-app client-max-body-size', 'emptied: unset')
  const count = c.changes().length
  for (const [key, bad] of [['client-max-body-size', '10m;'], ['proxy-read-timeout', '60s; return 200'], ['hsts', 'yes'], ['access-log-path', 'relative.log'], ['error-log-path', '/var/log/../x'], ['client-max-body-size', '1m\n}']]) {
    t.equal((await c.post('/apps/ruby-app/settings/nginx/set', { [key!]: bad! })).statusCode, 422, `${key} ${JSON.stringify(bad)}`)
  }
  t.equal(c.changes().length, count, 'nothing ran')
  const logs = await c.get('/apps/ruby-app/settings/nginx-logs?log=error')
  t.equal(logs.statusCode, 200)
  t.match(logs.body, /Nginx error log/)
  t.match(logs.body, /\[warn\]/)
  t.equal((await c.get('/apps/ruby-app/settings/nginx-logs?log=../etc')).statusCode, 400)
  await c.post('/apps/ruby-app/settings/nginx/set', { 'access-log-path': 'off' })
  const off = await c.get('/apps/ruby-app/settings/nginx-logs?log=access')
  t.equal(off.statusCode, 502)
  t.match(off.body, /access logs are disabled for this app/, 'dokku\'s own words')
})

t.test('builder: builder, Dockerfile path, buildpacks added, moved, removed, cleared', async (t) => {
  const c = await shared()
  const start = c.changes().length
  await c.post('/apps/static-site/settings/builder/builder', { builder: 'dockerfile' })
  await c.post('/apps/static-site/settings/builder/dockerfile', { dockerfile_path: 'docker/web.Dockerfile' })
  await c.post('/apps/static-site/settings/builder/buildpack-add', { buildpack: 'heroku/ruby', index: '' })
  await c.post('/apps/static-site/settings/builder/buildpack-add', { buildpack: 'https://github.com/heroku/heroku-buildpack-nodejs.git', index: '1' })
  const moved = await c.post('/apps/static-site/settings/builder/buildpack-move', { buildpack: 'https://github.com/heroku/heroku-buildpack-ruby.git', direction: 'up' })
  t.match(toast(moved), { message: /Moved .* up: 1\. https:\/\/github\.com\/heroku\/heroku-buildpack-ruby\.git 2\. https:\/\/github\.com\/heroku\/heroku-buildpack-nodejs\.git/ })
  t.match(section(moved.body, 'builder'), /<li><code>https:\/\/github\.com\/heroku\/heroku-buildpack-ruby\.git<\/code>[\s\S]*<li><code>https:\/\/github\.com\/heroku\/heroku-buildpack-nodejs\.git/)
  t.equal((await c.post('/apps/static-site/settings/builder/buildpack-move', { buildpack: 'https://github.com/heroku/heroku-buildpack-ruby.git', direction: 'up' })).statusCode, 422, 'already first')
  await c.post('/apps/static-site/settings/builder/buildpack-remove', { buildpack: 'https://github.com/heroku/heroku-buildpack-nodejs.git' })
  await c.post('/apps/static-site/settings/builder/buildpack-clear')
  for (const bad of ['ftp://x/y', 'heroku/ruby;id', '$(id)/x', '-x/y']) t.equal((await c.post('/apps/static-site/settings/builder/buildpack-add', { buildpack: bad })).statusCode, 422, bad)
  t.equal((await c.post('/apps/static-site/settings/builder/builder', { builder: 'make' })).statusCode, 422)
  t.same(c.changes().slice(start), [
    'dokku builder:set static-site selected dockerfile',
    'dokku builder-dockerfile:set static-site dockerfile-path docker/web.Dockerfile',
    'dokku buildpacks:add static-site heroku/ruby',
    'dokku buildpacks:add --index 1 static-site https://github.com/heroku/heroku-buildpack-nodejs.git',
    'dokku buildpacks:set --replace static-site https://github.com/heroku/heroku-buildpack-ruby.git https://github.com/heroku/heroku-buildpack-nodejs.git',
    'dokku buildpacks:remove static-site https://github.com/heroku/heroku-buildpack-nodejs.git',
    'dokku buildpacks:clear static-site'
  ])
  t.match(toast(await c.post('/apps/static-site/settings/builder/builder', { builder: '' })), { message: 'Builder: auto-detect at the next build.' })
  t.match(toast(await c.post('/apps/static-site/settings/builder/dockerfile', { dockerfile_path: '' })), { message: 'Dockerfile path: Dockerfile at the next build.' })
  t.same(c.changes().slice(-2), ['dokku builder:set static-site selected', 'dokku builder-dockerfile:set static-site dockerfile-path'], 'emptied: unset')
  await c.post('/apps/static-site/settings/builder/buildpack-add', { buildpack: 'heroku/ruby' })
  await c.post('/apps/static-site/settings/builder/buildpack-add', { buildpack: 'heroku/nodejs' })
  const down = await c.post('/apps/static-site/settings/builder/buildpack-move', { buildpack: 'https://github.com/heroku/heroku-buildpack-ruby.git', direction: 'down' })
  t.match(toast(down), { message: /1\. https:\/\/github\.com\/heroku\/heroku-buildpack-nodejs\.git 2\. https:\/\/github\.com\/heroku\/heroku-buildpack-ruby\.git/ })
  t.match((await c.post('/apps/static-site/settings/builder/buildpack-move', { buildpack: 'https://github.com/heroku/heroku-buildpack-ruby.git', direction: 'down' })).body, /It is already last/)
  t.match((await c.post('/apps/static-site/settings/builder/buildpack-move', { buildpack: 'heroku/python', direction: 'up' })).body, /That buildpack is not in the list/)
  t.match((await c.post('/apps/static-site/settings/builder/buildpack-move', { buildpack: 'heroku/ruby', direction: 'sideways' })).body, /Move up or down/)
})

t.test('buildpacks reordered before 0.38.22: remove, then add at the new index', async (t) => {
  const c = await client(t, { DOKKU_SIM_VERSION: '0.38.21' })
  await c.post('/apps/ruby-app/settings/builder/buildpack-add', { buildpack: 'heroku/ruby' })
  await c.post('/apps/ruby-app/settings/builder/buildpack-add', { buildpack: 'heroku/nodejs' })
  await c.post('/apps/ruby-app/settings/builder/buildpack-move', { buildpack: 'https://github.com/heroku/heroku-buildpack-nodejs.git', direction: 'up' })
  t.same(c.changes().slice(-2), ['dokku buildpacks:remove ruby-app https://github.com/heroku/heroku-buildpack-nodejs.git', 'dokku buildpacks:add --index 1 ruby-app https://github.com/heroku/heroku-buildpack-nodejs.git'])
})

t.test('maintenance and http-auth: on and off, users without their passwords, IPs, and dokku\'s refusals', async (t) => {
  const c = await shared()
  const on = await c.post('/apps/python-app/settings/maintenance/enable')
  t.match(toast(on), { message: 'Maintenance mode is on: visitors of python-app get the maintenance page (503).' })
  t.match(section(on.body, 'maintenance'), /maintenance-state">on</)
  t.match((await c.get('/apps/python-app/settings/summary', true)).body, /settings#settings-maintenance">maintenance on<\/a>/)
  t.match(section((await c.post('/apps/python-app/settings/maintenance/disable')).body, 'maintenance'), /maintenance-state">off</)

  const secret = 'correct horse battery staple'
  t.match((await c.post('/apps/python-app/settings/http-auth/enable', {})).body, /Add a first user/, 'no way to lock everyone out by accident')
  const enabled = await c.post('/apps/python-app/settings/http-auth/enable', { user: 'alice', password: secret })
  t.match(toast(enabled), { message: 'HTTP auth is on for python-app (user alice).' })
  t.match(section(enabled.body, 'http-auth'), /<li><code>alice<\/code>/)
  t.match((await c.get('/apps/python-app/settings/summary', true)).body, /settings#settings-http-auth">HTTP auth on<\/a>/)
  await c.post('/apps/python-app/settings/http-auth/add-user', { user: 'bob', password: 'another long one' })
  const short = await c.post('/apps/python-app/settings/http-auth/add-user', { user: 'carol', password: 'short' })
  t.equal(short.statusCode, 422)
  t.notMatch(short.body, /value="short"/, 'a password is never echoed into the form')
  for (const user of ['bo.b', 'a;b', '$(id)', '-x']) t.equal((await c.post('/apps/python-app/settings/http-auth/add-user', { user, password: 'long enough' })).statusCode, 422, user)
  await c.post('/apps/python-app/settings/http-auth/add-ip', { ip: '10.0.0.0/8' })
  for (const ip of ['10.0.0.0/8; deny all', '300.1.1.1', 'localhost', '::1/129']) t.equal((await c.post('/apps/python-app/settings/http-auth/add-ip', { ip })).statusCode, 422, ip)
  const missing = await c.post('/apps/python-app/settings/http-auth/remove-ip', { ip: '1.2.3.4' })
  t.equal(missing.statusCode, 422)
  t.match(missing.body, /Dokku refused it: Property not found, nothing was removed/)
  await c.post('/apps/python-app/settings/http-auth/remove-user', { user: 'bob' })
  await c.post('/apps/python-app/settings/http-auth/disable')
  const disabled = await c.post('/apps/python-app/settings/http-auth/add-user', { user: 'dave', password: 'long enough' })
  t.match(disabled.body, /Dokku refused it: Authentication is disabled/)
  const everything = JSON.stringify(c.app.history.list({ limit: 500 }).map((r) => [r.command, r.label, c.app.history.get(r.id)?.stdout, c.app.history.get(r.id)?.stderr]))
  t.notMatch(everything, /correct horse battery staple|another long one/, 'no password in history')
  t.match(everything, /http-auth:enable python-app alice <redacted>/)
})

t.test('docker options: read-only, then editing behind the typed app name', async (t) => {
  const c = await shared()
  const page = await c.get('/apps/go-worker/settings')
  t.match(section(page.body, 'docker-options'), /give <strong>full control of the host<\/strong>/)
  const start = c.changes().length
  t.match((await c.post('/apps/go-worker/settings/docker-options/add', { phase_deploy: 'yes', option: '--ulimit nofile=1024' })).body, /Type &quot;go-worker&quot; to confirm/)
  t.match((await c.post('/apps/go-worker/settings/docker-options/add', { phase_deploy: 'yes', option: '--ulimit nofile=1024', confirm: 'node-js-app' })).body, /Type &quot;go-worker&quot; to confirm/)
  for (const option of ['--label a=$(id)', '--privileged;id', '--label `id`', '--process web', 'a\nb']) {
    t.equal((await c.post('/apps/go-worker/settings/docker-options/add', { phase_deploy: 'yes', option, confirm: 'go-worker' })).statusCode, 422, option)
  }
  t.equal(c.changes().length, start, 'nothing ran without the confirmation or with hostile options')
  const added = await c.post('/apps/go-worker/settings/docker-options/add', { phase_deploy: 'yes', phase_run: 'yes', option: '--ulimit nofile=1024', confirm: 'go-worker' })
  t.match(toast(added), { message: 'Added --ulimit nofile=1024 (deploy, run). Rebuild to apply.' })
  t.match(section(added.body, 'docker-options'), /<dt>deploy<\/dt><dd><code>--ulimit nofile=1024<\/code>/)
  await c.post('/apps/go-worker/settings/docker-options/remove', { phase: 'run', option: '--ulimit nofile=1024', confirm: 'go-worker' })
  await c.post('/apps/go-worker/settings/docker-options/clear', { confirm: 'go-worker' })
  t.same(c.changes().slice(start), [
    "dokku docker-options:add go-worker deploy,run '--ulimit nofile=1024'",
    "dokku docker-options:remove go-worker run '--ulimit nofile=1024'",
    'dokku docker-options:clear go-worker'
  ], 'the option is one argv word (history quotes it)')
  t.match((await c.post('/apps/go-worker/settings/docker-options/add', { phase: 'boot', option: '--ulimit nofile=1024', confirm: 'go-worker' })).body, /The phase is one of build, deploy, run/)
  t.match((await c.post('/apps/go-worker/settings/docker-options/add', { option: '--ulimit nofile=1024', confirm: 'go-worker' })).body, /Choose at least one phase/)
  const web = await c.post('/apps/go-worker/settings/docker-options/add', { phase: 'deploy', process: 'web', option: '--shm-size 256m', confirm: 'go-worker' })
  t.match(toast(web), { message: 'Added --shm-size 256m (deploy). Rebuild to apply.' })
  t.match(toast(await c.post('/apps/go-worker/settings/docker-options/clear', { phase: 'build', confirm: 'go-worker' })), { message: 'Cleared the docker options (build). Rebuild to apply.' })
  t.same(c.changes().slice(-2), ["dokku docker-options:add --process web go-worker deploy '--shm-size 256m'", 'dokku docker-options:clear go-worker build'])
})

t.test('docker options below 0.38.25: shown, never edited', async (t) => {
  const c = await client(t, { DOKKU_SIM_VERSION: '0.38.24' })
  const page = await c.get('/apps/ruby-app/settings')
  t.match(section(page.body, 'docker-options'), /Read only: .* This host runs 0\.38\.24/)
  t.notMatch(section(page.body, 'docker-options'), /Edit docker options/)
  const res = await c.post('/apps/ruby-app/settings/docker-options/add', { phase_deploy: 'yes', option: '--ulimit nofile=1024', confirm: 'ruby-app' })
  t.equal(res.statusCode, 422)
  t.match(res.body, /only on dokku 0\.38\.25 or newer: older releases pass them through a shell eval/)
  t.same(c.changes(), [], 'nothing ran')
})

t.test('plugins not installed: the install command an admin runs as root', async (t) => {
  const c = await shared()
  await editSimState(c.dataDir, (s) => { s.plugins = s.plugins.filter((p) => p.name !== 'maintenance' && p.name !== 'http-auth') })
  c.app.hosts.default.cache.invalidateApp('node-js-app') // the state changed behind dokku's back
  const res = await c.get('/apps/node-js-app/settings')
  t.equal(res.statusCode, 200)
  t.match(section(res.body, 'maintenance'), /not installed on this host[\s\S]*sudo dokku plugin:install https:\/\/github\.com\/dokku\/dokku-maintenance\.git maintenance/)
  t.match(section(res.body, 'http-auth'), /sudo dokku plugin:install https:\/\/github\.com\/dokku\/dokku-http-auth\.git http-auth/)
  t.match(section(res.body, 'ports'), /<td>http<\/td>/, 'the other sections are unaffected')
  const refused = await c.post('/apps/node-js-app/settings/maintenance/enable')
  t.equal(refused.statusCode, 422)
  t.match(refused.body, /is not a dokku command/)
})

