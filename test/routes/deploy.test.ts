/**
 * The deploy tab: each form with good and hostile input, the job it starts (live output, the
 * app lock, dokku's deploy-lock refusal said as such, cancel), the release recorded after it,
 * the build log, rollback (the argv for image and git-sync apps, the push instructions), and
 * the webhook secret shown once.
 */
import t from 'tap'
import { build, login } from '../helpers/build.js'
import { commandsRun, jobId } from '../helpers/history.js'
import { editSimState } from '../helpers/simulator-state.js'

const form = (cookie: string) => ({ cookie, 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' })
const body = (fields: Record<string, string>) => new URLSearchParams(fields).toString()
const IMAGE_A = 'registry.example.com/team/api@sha256:' + 'a'.repeat(64)
const IMAGE_B = 'registry.example.com/team/api@sha256:' + 'b'.repeat(64)
const REPO = 'https://github.com/heroku/node-js-getting-started.git'
const SHA1 = '1'.repeat(40)
const SHA2 = '2'.repeat(40)

t.test('the deploy tab, its forms and what they run', async (t) => {
  const { app, dataDir } = await build(t)
  const cookie = await login(app)
  const post = (path: string, fields: Record<string, string>) => app.inject({ method: 'POST', url: `/apps/node-js-app/deploy/${path}`, headers: form(cookie), payload: body(fields) })

  await t.test('the page: the three forms, releases, the webhook; a Deploy tab', async (t) => {
    const res = await app.inject({ url: '/apps/node-js-app/deploy', headers: { cookie } })
    t.equal(res.statusCode, 200)
    t.match(res.body, /<a href="\/apps\/node-js-app\/deploy" class="active" aria-current="page">Deploy<\/a>/)
    t.match(res.body, /<a href="\/apps\/node-js-app\/activity" class="">Activity<\/a>/)
    for (const path of ['git', 'image', 'archive']) t.match(res.body, `action="/apps/node-js-app/deploy/${path}"`)
    t.match(res.body, /A digest \(<code>repo@sha256:…<\/code>\) pins one image/)
    t.match(res.body, /admin \(SSH key\)/, 'the seeded push, known from the events log, with its key name')
  })

  await t.test('hostile input: 422 with the form and its message, and nothing run', async (t) => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['git', { repo: 'https://github.com/org/app.git;id', ref: 'main' }, /may only contain/],
      ['git', { repo: 'https://github.com/org/$(id).git', ref: 'main' }, /may only contain/],
      ['git', { repo: '-uhttps://x', ref: '' }, /must not start with &quot;-&quot;/],
      ['git', { repo: '--upload-pack=touch%20x', ref: '' }, /must not start with/],
      ['git', { repo: 'https://github.com/org/app.git', ref: '--upload-pack=id' }, /must not start with/],
      ['git', { repo: 'https://github.com/--upload-pack=id', ref: 'main' }, /looks like an option/],
      ['git', { repo: 'https://github.com/org/app.git', ref: 'a..b' }, /not a valid git ref/],
      ['git', { repo: 'file:///etc/passwd', ref: '' }, /https:\/\/, ssh:\/\/ or the git@host:path form/],
      ['image', { image: 'Registry/App' }, /lowercase repository path/],
      ['image', { image: 'nginx;reboot' }, /may only contain/],
      ['image', { image: '-nginx' }, /must not start with/],
      ['image', { image: 'nginx@sha256:1234' }, /lowercase repository path|sha256/],
      ['archive', { url: 'https://example.com/a.tar?token=x', type: 'tar' }, /query string/],
      ['archive', { url: 'https://example.com/a.tar', type: 'rar' }, /one of tar, tar.gz, zip/]
    ]
    for (const [path, fields, message] of cases) {
      const res = await post(path, fields)
      t.equal(res.statusCode, 422, `${path} ${JSON.stringify(fields)}`)
      t.match(res.body, message)
      t.match(res.body, new RegExp(`<form id="deploy-${path}"`), 'the form comes back, to replace itself')
      t.match(res.body, /aria-invalid="true"/)
    }
    t.same(commandsRun(app, /git:(sync|from-image|from-archive)|builds:cancel/), [], 'not one deploy command ran')
    const plain = await app.inject({ method: 'POST', url: '/apps/node-js-app/deploy/image', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: body({ image: 'Bad' }) })
    t.equal(plain.statusCode, 422)
    t.match(plain.body, /<html/, 'without htmx: the whole page with the refused form')
  })

  await t.test('an image deploy: a job with live output, then a release with its digest and build log', async (t) => {
    const res = await post('image', { image: IMAGE_A })
    t.equal(res.statusCode, 202)
    t.equal(res.headers['hx-retarget'], '#job-area')
    const id = jobId(res)
    const busy = await post('image', { image: IMAGE_B })
    t.equal(busy.statusCode, 409, 'the app lock: one job per app')
    t.match(busy.body, /is still running on node-js-app/)
    await app.jobs.drain()
    const job = app.jobs.get(id)!
    t.equal(job.status, 'success')
    t.match(job.output, /-----> Pulling image\n[\s\S]*=====> Application deployed:/)
    t.same(commandsRun(app, /git:from-image/), [`dokku git:from-image node-js-app ${IMAGE_A}`])
    const release = app.deployStore.releases.byJob(id)!
    const panel = await app.inject({ url: '/apps/node-js-app/deploy/releases', headers: { cookie, 'hx-request': 'true' } })
    t.match(panel.body, /^\s*<div id="deploy-releases"/, 'the releases panel alone, as it refreshes after a job')
    t.notMatch(panel.body, /<html/)
    t.match(panel.body, new RegExp(`data-release-id="${release.id}" class="current-release"`))
    const page = await app.inject({ url: '/apps/node-js-app/deploy', headers: { cookie } })
    t.match(page.body, new RegExp(`data-release-id="${release.id}" class="current-release"`))
    t.match(page.body, /pinned by digest/)
    const detail = await app.inject({ url: `/apps/node-js-app/deploy/releases/${release.id}`, headers: { cookie } })
    t.equal(detail.statusCode, 200)
    t.match(detail.body, new RegExp(`dokku&#39;s build log \\(builds:output ${release.buildId}\\)`))
    t.match(detail.body, /-----&gt; Pulling image/)
    t.equal((await app.inject({ url: '/apps/node-js-app/deploy/releases/99999', headers: { cookie } })).statusCode, 404)
    t.equal((await app.inject({ url: `/apps/ruby-app/deploy/releases/${release.id}`, headers: { cookie } })).statusCode, 404, 'another app\'s release is not this app\'s')
  })

  await t.test('dokku\'s deploy-lock refusal is said as such', async (t) => {
    await editSimState(dataDir, (s) => { s.apps['ruby-app']!.lock = { kind: 'manual', pid: 1, token: 'manual', at: 0 } })
    const res = await app.inject({ method: 'POST', url: '/apps/ruby-app/deploy/image', headers: form(cookie), payload: body({ image: 'nginx:1.27' }) })
    const id = jobId(res)
    await app.jobs.drain()
    const job = app.jobs.get(id)!
    t.equal(job.status, 'failed')
    t.match(job.error, /^Another deploy holds ruby-app's deploy lock, so dokku refused this one \("ruby-app currently has a deploy lock in place\. Exiting\.\.\."\)\. Wait for that deploy to finish/)
    t.match(app.deployStore.releases.byJob(id), { status: 'failed', error: /deploy lock/ })
    const panel = await app.inject({ url: `/jobs/${id}`, headers: { cookie, 'hx-request': 'true' } })
    t.match(panel.body, /Another deploy holds ruby-app&#39;s deploy lock/)
    await editSimState(dataDir, (s) => { s.apps['ruby-app']!.lock = null })
  })

  await t.test('rollback of an image app: the confirmation says what is rebuilt; the argv is git:from-image of the old digest', async (t) => {
    await post('image', { image: IMAGE_B })
    await app.jobs.drain()
    const a = app.deployStore.releases.list('local', 'node-js-app').find((r) => r.metadata === IMAGE_A)!
    const confirm = await app.inject({ url: `/apps/node-js-app/deploy/releases/${a.id}/rollback`, headers: { cookie } })
    t.equal(confirm.statusCode, 200)
    t.match(confirm.body, /What will be rebuilt:/)
    t.match(confirm.body, `dokku builds a new image FROM ${IMAGE_A} and deploys it.`)
    t.match(confirm.body, /Config vars are not rolled back/)
    t.match(confirm.body, `<code>dokku git:from-image node-js-app ${IMAGE_A}</code>`)
    const unconfirmed = await app.inject({ method: 'POST', url: `/apps/node-js-app/deploy/releases/${a.id}/rollback`, headers: form(cookie), payload: body({ confirm: '' }) })
    t.equal(unconfirmed.statusCode, 422)
    const res = await app.inject({ method: 'POST', url: `/apps/node-js-app/deploy/releases/${a.id}/rollback`, headers: form(cookie), payload: body({ confirm: String(a.id) }) })
    t.equal(res.statusCode, 202)
    const id = jobId(res)
    await app.jobs.drain()
    t.equal(app.jobs.get(id)!.status, 'success')
    t.same(commandsRun(app, /git:from-image node-js-app/), [`dokku git:from-image node-js-app ${IMAGE_A}`, `dokku git:from-image node-js-app ${IMAGE_B}`, `dokku git:from-image node-js-app ${IMAGE_A}`])
    t.match(app.deployStore.releases.byJob(id), { rollbackOf: a.id, metadata: IMAGE_A, status: 'succeeded' })
    const again = await app.inject({ url: `/apps/node-js-app/deploy/releases/${a.id}/rollback`, headers: { cookie } })
    t.notMatch(again.body, /What will be rebuilt/, 'nothing to roll back to: it is what runs now')
  })

  await t.test('rollback of a git-sync app: git:sync --build of the repository at the old sha', async (t) => {
    for (const ref of [SHA1, SHA2]) {
      await app.inject({ method: 'POST', url: '/apps/python-app/deploy/git', headers: form(cookie), payload: body({ repo: REPO, ref }) })
      await app.jobs.drain()
    }
    const old = app.deployStore.releases.list('local', 'python-app').find((r) => r.metadata === `${REPO}#${SHA1}`)!
    t.ok(old, 'each git deploy is a release')
    const res = await app.inject({ method: 'POST', url: `/apps/python-app/deploy/releases/${old.id}/rollback`, headers: form(cookie), payload: body({ confirm: String(old.id) }) })
    await app.jobs.drain()
    t.equal(app.jobs.get(jobId(res))!.status, 'success')
    t.same(commandsRun(app, /git:sync/).reverse(), [`dokku git:sync --build python-app ${REPO} ${SHA1}`, `dokku git:sync --build python-app ${REPO} ${SHA2}`, `dokku git:sync --build python-app ${REPO} ${SHA1}`])
  })

  await t.test('a pushed app: the exact git push to run, and no rollback job', async (t) => {
    const pushed = app.deployStore.releases.list('local', 'ruby-app').find((r) => r.source === 'git-push' && r.status === 'succeeded' && r.learnedFrom === 'events')
    t.ok(pushed, 'the seeded push of ruby-app')
    // Not the current one: a newer image deploy runs now.
    await app.inject({ method: 'POST', url: '/apps/ruby-app/deploy/image', headers: form(cookie), payload: body({ image: 'nginx:1.27' }) })
    await app.jobs.drain()
    const confirm = await app.inject({ url: `/apps/ruby-app/deploy/releases/${pushed!.id}/rollback`, headers: { cookie } })
    t.match(confirm.body, new RegExp(`<pre class="output rollback-command">git push --force dokku@&lt;your-dokku-host&gt;:ruby-app ${pushed!.metadata}:refs/heads/master</pre>`))
    t.notMatch(confirm.body, /name="confirm"/)
    const res = await app.inject({ method: 'POST', url: `/apps/ruby-app/deploy/releases/${pushed!.id}/rollback`, headers: form(cookie), payload: body({ confirm: String(pushed!.id) }) })
    t.equal(res.statusCode, 422)
    t.match(res.body, /dokku cannot fetch a pushed commit by itself/)
  })

  await t.test('the webhook secret is shown once, then only masked', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/apps/node-js-app/deploy/webhook', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: body({ repo: REPO, branch: 'main' }) })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['cache-control'], 'no-store')
    const secret = /<code class="secret-once">([0-9a-f]{64})<\/code>/.exec(res.body)?.[1]
    t.ok(secret, 'the secret, this once')
    t.match(res.body, /http:\/\/localhost:80\/hooks\/github\/node-js-app|http:\/\/localhost\/hooks\/github\/node-js-app/)
    const page = await app.inject({ url: '/apps/node-js-app/deploy', headers: { cookie } })
    t.notMatch(page.body, secret!, 'never again in full')
    t.match(page.body, new RegExp(`${secret!.slice(0, 4)}…`))
    t.notMatch(JSON.stringify(app.history.list({ kind: 'all', limit: 500 })), secret!)
    const stored = app.db.prepare('SELECT sealedSecret FROM webhooks').get() as { sealedSecret: string }
    t.notMatch(stored.sealedSecret, secret!, 'sealed at rest')
    const bad = await app.inject({ method: 'POST', url: '/apps/node-js-app/deploy/webhook', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: body({ repo: 'ext::sh', branch: 'main' }) })
    t.equal(bad.statusCode, 422)
    const removed = await app.inject({ method: 'POST', url: '/apps/node-js-app/deploy/webhook/remove', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
    t.equal(removed.statusCode, 303)
    t.equal(removed.headers.location, '/apps/node-js-app/deploy')
    t.equal((app.db.prepare('SELECT count(*) AS n FROM webhooks').get() as { n: number }).n, 0, 'gone: its deliveries are refused from now on')
    const after = await app.inject({ url: '/apps/node-js-app/deploy', headers: { cookie } })
    t.match(after.body, /Make the webhook/)
    const again = await app.inject({ method: 'POST', url: '/apps/node-js-app/deploy/webhook/remove', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true' }, payload: '' })
    t.match(JSON.parse(again.headers['hx-trigger'] as string).toast.message, /There was no webhook/)
  })
})

t.test('cancel: builds:cancel stops the deploy on dokku 0.38+, and the release says canceled', async (t) => {
  const { app } = await build(t, { simulator: { DOKKU_SIM_STEP_MS: '100' } })
  const cookie = await login(app)
  const res = await app.inject({ method: 'POST', url: '/apps/node-js-app/deploy/image', headers: form(cookie), payload: body({ image: IMAGE_A }) })
  const id = jobId(res)
  for (let i = 0; i < 200 && !/Building node-js-app/.test(app.jobs.get(id)!.output); i++) await new Promise((resolve) => setTimeout(resolve, 20))
  const running = app.deployStore.releases.byJob(id)!
  t.equal(running.status, 'running')
  const live = await app.inject({ url: `/apps/node-js-app/deploy/releases/${running.id}`, headers: { cookie } })
  t.match(live.body, /The job is still running: its output so far\./)
  t.match(live.body, /Building node-js-app/)
  const cancel = await app.inject({ method: 'POST', url: `/jobs/${id}/cancel`, headers: { cookie, 'hx-request': 'true', 'content-type': 'application/x-www-form-urlencoded' }, payload: '' })
  t.match(JSON.parse(cancel.headers['hx-trigger'] as string).toast.message, /dokku stopped Deploy node-js-app from image .* on the server \(builds:cancel: Killing app deploy\)/)
  await app.jobs.drain()
  t.equal(app.jobs.get(id)!.status, 'cancelled')
  t.same(commandsRun(app, /builds:cancel/), ['dokku builds:cancel node-js-app'])
  t.match(app.deployStore.releases.byJob(id), { status: 'canceled' })
})

t.test('before dokku 0.38: no build records, the job\'s own output is the build log', async (t) => {
  const { app } = await build(t, { simulator: { DOKKU_SIM_VERSION: '0.37.9' } })
  const cookie = await login(app)
  const res = await app.inject({ method: 'POST', url: '/apps/go-worker/deploy/image', headers: form(cookie), payload: body({ image: IMAGE_A }) })
  const id = jobId(res)
  await app.jobs.drain()
  const release = app.deployStore.releases.byJob(id)!
  t.equal(release.buildId, null)
  const detail = await app.inject({ url: `/apps/go-worker/deploy/releases/${release.id}`, headers: { cookie } })
  t.match(detail.body, /The output of the Docklight job that ran it\./)
  t.match(detail.body, /Building go-worker from Dockerfile/)
  t.same(commandsRun(app, /builds:/), [], 'no builds:* command on a dokku that has none')
  const form0334 = await app.inject({ url: '/apps/go-worker/deploy', headers: { cookie } })
  t.match(form0334.body, /no build records before 0\.38/)
})
