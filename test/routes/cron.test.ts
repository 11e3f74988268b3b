/**
 * The Cron tab: the tasks of the deployed app.json with schedule, command and state; "Run now"
 * as a job with live output (and the plain word that dokku loses the task's exit code);
 * suspend and resume where the version has them; refused ids run nothing; dokku's own refusals
 * shown as they come; every form works without JavaScript.
 */
import t from 'tap'
import { client, sharedClient, toast } from '../helpers/app-client.js'
import { jobId } from '../helpers/history.js'
import { editSimState } from '../helpers/simulator-state.js'

/** The task ids on the page, in table order. */
function ids (body: string): string[] {
  return [...body.matchAll(/<tr data-cron-id="([a-z0-9]+)">/g)].map((m) => m[1]!)
}

/** The table row of one task. */
function row (body: string, id: string): string {
  const start = body.indexOf(`<tr data-cron-id="${id}">`)
  if (start < 0) throw new Error(`no task ${id}`)
  return body.slice(start, body.indexOf('</tr>', start))
}

/** One server for every subtest at the current dokku version; each subtest works on its own app. */
const shared = sharedClient(t)

t.test('the tab: schedule, command, concurrency, state, and what dokku will not tell', async (t) => {
  const c = await shared()
  const res = await c.get('/apps/node-js-app/cron')
  t.equal(res.statusCode, 200)
  t.match(res.body, /aria-current="page">Cron</)
  const [daily, often] = ids(res.body)
  t.ok(daily && often, 'the seed\'s two tasks')
  t.match(row(res.body, daily!), /<code>@daily<\/code>[\s\S]*<code>npm run send-email<\/code>[\s\S]*allow[\s\S]*scheduled/)
  t.match(row(res.body, often!), /<code>\*\/5 \* \* \* \*<\/code>[\s\S]*node scripts\/cleanup\.js[\s\S]*forbid/)
  t.match(res.body, /Dokku does not report the task's exit code/)
  t.ok(c.reads().includes('dokku cron:list node-js-app --format json'), 'read as JSON')
  t.match((await c.get('/apps/static-site/cron')).body, /No cron tasks: the app has not been deployed/)
  t.equal((await c.get('/apps/nope/cron')).statusCode, 404)
})

t.test('run now: a job with the task\'s output; a failure is only "exit 1"', async (t) => {
  const c = await shared()
  const [daily] = ids((await c.get('/apps/node-js-app/cron')).body)
  const before = c.changes().length
  const res = await c.post('/apps/node-js-app/cron/run', { id: daily! })
  t.equal(res.statusCode, 202)
  t.equal(res.headers['hx-retarget'], '#job-area')
  const id = jobId(res)
  await c.app.jobs.drain()
  const done = c.app.history.get(id)!
  t.match(done, { status: 'success', command: `dokku cron:run node-js-app ${daily!}`, kind: 'job' })
  t.match(done.stdout, /Sent 3 e-mails/)
  t.equal(c.changes().length, before + 1)

  // The task fails: dokku exits 1 whatever the task's own code was.
  await editSimState(c.dataDir, (s) => { s.apps['node-js-app']!.settings!.cron![0]!.fails = true })
  const failed = await c.post('/apps/node-js-app/cron/run', { id: daily! })
  const failedId = jobId(failed)
  await c.app.jobs.drain()
  t.match(c.app.history.get(failedId), { status: 'failed', exitCode: 1 })
  await editSimState(c.dataDir, (s) => { s.apps['node-js-app']!.settings!.cron![0]!.fails = false })

  const plain = await c.post('/apps/node-js-app/cron/run', { id: daily! }, false)
  t.equal(plain.statusCode, 303, 'without JavaScript: to the job\'s page')
  t.match(plain.headers.location, /^\/jobs\/\d+$/)
  await c.app.jobs.drain()
})

t.test('refused ids run nothing', async (t) => {
  const c = await shared()
  const before = c.changes().length
  for (const bad of ['$(id)', '-x', 'a;b', 'abc\ndef', 'x'.repeat(257), '']) {
    const res = await c.post('/apps/node-js-app/cron/run', { id: bad })
    t.equal(res.statusCode, 400, JSON.stringify(bad.slice(0, 12)))
  }
  const unknown = await c.post('/apps/node-js-app/cron/run', { id: 'abc123' })
  t.equal(unknown.statusCode, 400)
  t.match(unknown.body, /There is no such task/)
  const suspend = await c.post('/apps/node-js-app/cron/suspend', { id: '$(id)' })
  t.equal(suspend.statusCode, 422)
  t.match(suspend.body, /A task id is lower-case letters and digits/)
  t.equal(c.changes().length, before, 'nothing ran')
})

t.test('suspend and resume: the crontab rewritten at once, the list back with a toast', async (t) => {
  const c = await shared()
  const [, often] = ids((await c.get('/apps/node-js-app/cron')).body)
  const before = c.changes().length
  const suspended = await c.post('/apps/node-js-app/cron/suspend', { id: often! })
  t.equal(suspended.statusCode, 200)
  t.match(toast(suspended), { level: 'success', message: 'Suspended "node scripts/cleanup.js": the crontab was rewritten.' })
  t.match(row(suspended.body, often!), /badge warn">suspended<[\s\S]*>Resume</)
  t.match((await c.get('/apps/node-js-app/cron')).body, /badge warn">suspended</, 'read afresh')
  const resumed = await c.post('/apps/node-js-app/cron/resume', { id: often! }, false)
  t.equal(resumed.statusCode, 303, 'without JavaScript: back to the tab')
  t.equal(resumed.headers.location, '/apps/node-js-app/cron')
  t.match(row((await c.get('/apps/node-js-app/cron')).body, often!), /badge ok">scheduled<[\s\S]*>Suspend</)
  t.same(c.changes().slice(before), [`dokku cron:suspend node-js-app ${often!}`, `dokku cron:resume node-js-app ${often!}`])

  // The app.json changed behind the cached list: dokku's own refusal, as it comes.
  await editSimState(c.dataDir, (s) => { s.apps['node-js-app']!.settings!.cron![1]!.schedule = '@hourly' })
  const stale = await c.post('/apps/node-js-app/cron/suspend', { id: often! })
  t.equal(stale.statusCode, 422)
  t.match(stale.body, /Invalid task maintenance property, no matching task ID found: maintenance\./)
  t.match(stale.body, /id="cron-tasks"/, 'the list again')
})

t.test('older dokku: no suspend before 0.37.0, the text table before 0.31.0', async (t) => {
  const c036 = await client(t, { DOKKU_SIM_VERSION: '0.36.0' })
  const page = await c036.get('/apps/node-js-app/cron')
  t.match(page.body, /Suspend and resume need dokku 0\.37\.0 or newer/)
  t.notMatch(page.body, />Suspend</)
  const [daily] = ids(page.body)
  const refused = await c036.post('/apps/node-js-app/cron/suspend', { id: daily! })
  t.equal(refused.statusCode, 422)
  t.match(refused.body, /Suspending a task needs dokku 0\.37\.0 or newer/)
  t.same(c036.changes(), [], 'nothing ran')

  const c030 = await client(t, { DOKKU_SIM_VERSION: '0.30.0' })
  const old = await c030.get('/apps/node-js-app/cron')
  t.equal(old.statusCode, 200)
  t.ok(c030.reads().includes('dokku cron:list node-js-app'), 'the text table')
  t.equal(ids(old.body).length, 2)
  t.match(old.body, /Running a task now needs dokku 0\.31\.0 or newer/)
  t.notMatch(old.body, />Run now</)
})
