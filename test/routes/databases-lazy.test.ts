import t from 'tap'
import { join } from 'node:path'
import { InProcessSimulatorTransport } from '../../src/dokku/simulator/in-process.js'
import { servicePassword } from '../../src/dokku/simulator/seed.js'
import { build, login } from '../helpers/build.js'
import { editSimState } from '../helpers/simulator-state.js'

/** 50 more postgres services, linked to nothing. */
async function fiftyServices (dataDir: string): Promise<void> {
  await editSimState(dataDir, (s, now) => {
    for (let i = 1; i <= 50; i++) {
      const name = `svc-${String(i).padStart(2, '0')}`
      s.services.postgres![name] = {
        password: servicePassword('postgres', name),
        createdAt: now,
        status: 'running',
        image: 'postgres:17.6',
        id: 'f'.repeat(64),
        ip: '172.17.0.99',
        exposedPorts: '-',
        configOptions: '',
        links: []
      }
    }
  })
}

t.test('the list costs one round of bulk calls, whatever the number of services', async (t) => {
  const { app, dataDir } = await build(t)
  const cookie = await login(app)
  await fiftyServices(dataDir)
  const before = app.history.list({ limit: 1, kind: 'all' })[0]?.id ?? 0
  const res = await app.inject({ url: '/databases', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.match(res.body, /53 services/)
  const ran = app.history.list({ limit: 500, kind: 'all' }).filter((r) => r.id > before && r.origin === 'page' && r.command !== 'dokku version').map((r) => r.command).sort()
  t.same(ran, ['mariadb', 'mongo', 'mysql', 'postgres', 'redis'].map((p) => `dokku --quiet ${p}:list`),
    'one <db>:list per plugin, in one round: no plugin:list first, no <db>:info per service')
  t.equal((res.body.match(/class="db-row db-lazy"/g) ?? []).length, 55, 'each service loads its own facts once shown')
})

t.test('a lazy row, with and without JavaScript', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const list = await app.inject({ url: '/databases', headers: { cookie } })
  const row = list.body.match(/<tr class="db-row db-lazy" id="db-row-redis-cache"[\s\S]*?<\/tr>/)?.[0] ?? ''
  t.match(row, /hx-get="\/databases\/redis\/cache\/summary" hx-trigger="intersect once" hx-swap="outerHTML"/, 'htmx loads it once it is shown')
  t.match(row, /<a href="\/databases\/redis\/cache"><strong>cache<\/strong><\/a>/)
  t.match(row, /<a class="muted" href="\/databases\/redis\/cache">Status, version and linked apps<\/a>/, 'without JavaScript, a link to where the facts are')

  // A browser without JavaScript that opens the panel's own URL lands on the service's page.
  const plain = await app.inject({ url: '/databases/redis/cache/summary', headers: { cookie } })
  t.equal(plain.statusCode, 303)
  t.equal(plain.headers.location, '/databases/redis/cache')
  const page = await app.inject({ url: '/databases/redis/cache', headers: { cookie } })
  t.equal(page.statusCode, 200)
  t.match(page.body, /running/)
  t.match(page.body, /go-worker/)

  // With htmx: the row itself, facts filled in, replacing the placeholder.
  const loaded = await app.inject({ url: '/databases/redis/cache/summary', headers: { cookie, 'hx-request': 'true' } })
  t.equal(loaded.statusCode, 200)
  t.notMatch(loaded.body, /<html|db-lazy|hx-get/)
  t.match(loaded.body, /^\s*<tr class="db-row" id="db-row-redis-cache">[\s\S]*badge running">running<[\s\S]*href="\/apps\/go-worker">go-worker<\/a>/)

  const gone = await app.inject({ url: '/databases/postgres/nope/summary', headers: { cookie, 'hx-request': 'true' } })
  t.equal(gone.statusCode, 200, 'swapped in like any row')
  t.match(gone.body, /This service no longer exists/)

  const hostile = await app.inject({ url: '/databases/postgres/-x/summary', headers: { cookie, 'hx-request': 'true' } })
  t.equal(hostile.statusCode, 400, 'a name dokku would read as a flag runs nothing')
})

t.test('on a named host, the lazy rows and their fallback stay on that host', async (t) => {
  const dir = t.testdir({})
  const sim = (name: string) => new InProcessSimulatorTransport({ DOKKU_SIM_STATE: join(dir, `${name}.json`), DOKKU_SIM_STEP_MS: '0' })
  const { app } = await build(t, { env: { DOCKLIGHT_HOSTS: 'alpha=local beta=local' }, transports: { alpha: sim('alpha'), beta: sim('beta') } })
  const cookie = await login(app)
  const list = await app.inject({ url: '/hosts/beta/databases', headers: { cookie } })
  t.match(list.body, /hx-get="\/hosts\/beta\/databases\/postgres\/lollipop\/summary"/)
  t.match(list.body, /<a class="muted" href="\/hosts\/beta\/databases\/postgres\/lollipop">/)
  const plain = await app.inject({ url: '/hosts/beta/databases/postgres/lollipop/summary', headers: { cookie } })
  t.equal(plain.statusCode, 303)
  t.equal(plain.headers.location, '/hosts/beta/databases/postgres/lollipop')
})
