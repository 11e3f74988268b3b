/**
 * Deploy webhooks: the signature right, wrong and missing (401, a history row, nothing run),
 * a replayed delivery, another branch or event (202 ignored), the per-app rate limit, the
 * generic form, and no session or Origin check.
 */
import t from 'tap'
import { createHmac } from 'node:crypto'
import { SIGNED_PER_MINUTE, UNSIGNED_PER_MINUTE } from '../../src/routes/hooks/index.js'
import { build, login } from '../helpers/build.js'
import { commandsRun } from '../helpers/history.js'

const REPO = 'https://github.com/org/app.git'
const SHA = 'c'.repeat(40)
const sign = (secret: string, payload: string) => 'sha256=' + createHmac('sha256', secret).update(payload).digest('hex')

t.test('webhooks', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const setup = await app.inject({ method: 'POST', url: '/apps/python-app/deploy/webhook', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ repo: REPO, branch: 'main' }).toString() })
  const secret = /<code class="secret-once">([0-9a-f]{64})<\/code>/.exec(setup.body)![1]!
  let delivery = 0
  const github = (payload: object | string, opts: { event?: string; signature?: string | null; id?: string; url?: string; headers?: Record<string, string> } = {}) => {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload)
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-github-event': opts.event ?? 'push', 'x-github-delivery': opts.id ?? `d-${++delivery}`, ...opts.headers }
    if (opts.signature !== null) headers['x-hub-signature-256'] = opts.signature ?? sign(secret, text)
    return app.inject({ method: 'POST', url: opts.url ?? '/hooks/github/python-app', headers, payload: text })
  }
  const push = (ref = 'refs/heads/main', sha = SHA) => ({ ref, after: sha, deleted: false, pusher: { name: 'octocat' }, repository: { clone_url: 'https://evil.example.com/other.git' } })

  await t.test('a push to the branch: git:sync --build of that sha, from the configured repository, no session needed', async (t) => {
    const res = await github(push(), { id: 'first-delivery', headers: { origin: 'https://github.com', 'sec-fetch-site': 'cross-site' } })
    t.equal(res.statusCode, 202, res.body)
    const answer = res.json()
    t.match(answer, { status: 'started', job: { id: Number, url: /^\/jobs\/\d+$/ } })
    await app.jobs.drain()
    t.equal(app.jobs.get(answer.job.id)!.status, 'success')
    t.same(commandsRun(app, /git:sync/), [`dokku git:sync --build python-app ${REPO} ${SHA}`], 'the payload never chooses the repository')
    t.equal(app.history.getRow(answer.job.id)!.origin, 'webhook')
    t.match(app.deployStore.releases.byJob(answer.job.id), { actorKind: 'webhook', actor: 'GitHub webhook (push by octocat)', metadata: `${REPO}#${SHA}` })
  })

  await t.test('a delivery seen before is a no-op', async (t) => {
    const res = await github(push(), { id: 'first-delivery' })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { status: 'duplicate' })
    t.equal(commandsRun(app, /git:sync/).length, 1, 'no second deploy')
  })

  await t.test('wrong and missing signatures: 401, a history row, nothing run', async (t) => {
    const before = commandsRun(app, /git:sync/).length
    for (const signature of [sign('not-the-secret', JSON.stringify(push())), null, 'sha256=zz', 'sha1=' + 'a'.repeat(40), sign(secret, 'another body')]) {
      const res = await github(push(), { signature })
      t.equal(res.statusCode, 401, String(signature))
      t.match(res.json(), { status: 'unauthorized' })
    }
    t.equal(commandsRun(app, /git:sync/).length, before)
    const rows = app.history.list({ kind: 'all', limit: 500 }).filter((r) => r.command === 'webhook github python-app')
    t.equal(rows.length, 5)
    t.match(rows[0], { origin: 'webhook', status: 'failed', app: 'python-app', error: /Nothing ran/ })
    const none = await app.inject({ method: 'POST', url: '/hooks/github/ruby-app', headers: { 'content-type': 'application/json', 'x-github-event': 'push', 'x-hub-signature-256': sign(secret, '{}') }, payload: '{}' })
    t.equal(none.statusCode, 401, 'an app without a webhook: the same answer')
  })

  await t.test('other branches and events: 202 ignored, with the reason', async (t) => {
    const other = await github(push('refs/heads/feature'))
    t.equal(other.statusCode, 202)
    t.same(other.json(), { status: 'ignored', reason: 'a push to refs/heads/feature, not to main' })
    const tag = await github(push('refs/tags/v1.0'))
    t.match(tag.json(), { status: 'ignored' })
    t.match((await github({ zen: 'hi' }, { event: 'ping' })).json(), { status: 'ignored', reason: /^ping: the webhook reaches Docklight/ })
    t.match((await github({ action: 'opened' }, { event: 'issues' })).json(), { status: 'ignored', reason: 'a "issues" event is not a push' })
    t.match((await github({ ...push(), deleted: true, after: '0'.repeat(40) })).json(), { status: 'ignored', reason: /was deleted/ })
    const bad = await github('{not json')
    t.equal(bad.statusCode, 400)
    t.match(bad.json(), { status: 'invalid' })
  })

  await t.test('GitHub\'s form-encoded payloads, and the /hosts/:host/ address', async (t) => {
    const form = new URLSearchParams({ payload: JSON.stringify(push('refs/heads/feature')) }).toString()
    const res = await app.inject({
      method: 'POST', url: '/hosts/local/hooks/github/python-app',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-github-event': 'push', 'x-github-delivery': 'form-1', 'x-hub-signature-256': sign(secret, form) },
      payload: form
    })
    t.equal(res.statusCode, 202)
    t.match(res.json(), { status: 'ignored', reason: /refs\/heads\/feature/ })
    t.equal((await github(push(), { url: '/hosts/nope/hooks/github/python-app' })).statusCode, 404)
  })

  await t.test('the generic webhook: X-Docklight-Signature-256 over {ref, sha}', async (t) => {
    const text = JSON.stringify({ ref: 'main', sha: 'd'.repeat(40) })
    const res = await app.inject({ method: 'POST', url: '/hooks/generic/python-app', headers: { 'content-type': 'application/json', 'x-docklight-signature-256': sign(secret, text), 'x-docklight-delivery': 'ci-42' }, payload: text })
    t.equal(res.statusCode, 202, res.body)
    t.match(res.json(), { status: 'started' })
    await app.jobs.drain()
    t.match(commandsRun(app, /git:sync/)[0], `dokku git:sync --build python-app ${REPO} ${'d'.repeat(40)}`)
    const replay = await app.inject({ method: 'POST', url: '/hooks/generic/python-app', headers: { 'content-type': 'application/json', 'x-docklight-signature-256': sign(secret, text), 'x-docklight-delivery': 'ci-42' }, payload: text })
    t.match(replay.json(), { status: 'duplicate' })
    const short = JSON.stringify({ ref: 'refs/heads/main', sha: 'abc' })
    const invalid = await app.inject({ method: 'POST', url: '/hooks/generic/python-app', headers: { 'content-type': 'application/json', 'x-docklight-signature-256': sign(secret, short) }, payload: short })
    t.equal(invalid.statusCode, 400)
    t.match(invalid.json(), { status: 'invalid', reason: /full id/ })
  })

  await t.test('a name that is no app: 404; an app busy with another job: 409 busy, listed', async (t) => {
    t.equal((await github(push(), { url: '/hooks/github/-python-app' })).statusCode, 404)
    let release: () => void = () => {}
    app.hosts.default.startJob({ app: 'python-app', label: 'Hold python-app', run: () => new Promise((resolve) => { release = () => resolve(undefined) }) })
    const busy = await github(push())
    t.equal(busy.statusCode, 409)
    t.match(busy.json(), { status: 'busy', reason: /Hold python-app/ })
    release()
    await app.jobs.drain()
  })

  await t.test('every delivery is listed on the deploy page with its outcome', async (t) => {
    const page = await app.inject({ url: '/apps/python-app/deploy', headers: { cookie } })
    for (const outcome of ['started', 'duplicate', 'unauthorized', 'ignored', 'invalid', 'busy']) t.match(page.body, new RegExp(`<span class="badge [a-z]+">${outcome}</span>`), outcome)
    t.notMatch(page.body, secret, 'the secret is not on the page')
  })

  await t.test('rate limits per app: signed deliveries, and refused ones (which then leave no row)', async (t) => {
    const statuses: number[] = []
    for (let i = 0; i < SIGNED_PER_MINUTE + 2; i++) statuses.push((await github(push('refs/heads/feature'))).statusCode)
    t.equal(statuses.at(-1), 429)
    t.ok(statuses.filter((s) => s === 202).length < SIGNED_PER_MINUTE, 'some went through, the rest were limited')
    t.match((await github(push('refs/heads/feature'))).json(), { status: 'rate-limited' })
    const rowsBefore = app.history.list({ kind: 'all', limit: 500 }).filter((r) => r.command === 'webhook github python-app').length
    const refused: number[] = []
    for (let i = 0; i < UNSIGNED_PER_MINUTE + 2; i++) refused.push((await github(push(), { signature: null })).statusCode)
    t.equal(refused.at(-1), 429)
    const rowsAfter = app.history.list({ kind: 'all', limit: 500 }).filter((r) => r.command === 'webhook github python-app').length
    t.ok(rowsAfter - rowsBefore <= UNSIGNED_PER_MINUTE, 'a flood of bad signatures writes a bounded number of rows')
    const elsewhere = await app.inject({ method: 'POST', url: '/hooks/github/node-js-app', headers: { 'content-type': 'application/json', 'x-github-event': 'push' }, payload: '{}' })
    t.equal(elsewhere.statusCode, 401, 'another app has its own count')
  })
})
