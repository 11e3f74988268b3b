import t from 'tap'
import { DokkuError } from '../../src/dokku/errors.js'
import type { PluginState } from '../../src/dokku/simulator/index.js'
import { LocalTransport } from '../../src/dokku/transport.js'
import { build, login } from '../helpers/build.js'
import { editSimState } from '../helpers/simulator-state.js'

t.test('the plugins page lists installed plugins, third-party first, core apart', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ url: '/plugins', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.match(res.body, /<html/)
  t.match(res.body, /<h1>Plugins<\/h1>/)
  const thirdParty = res.body.indexOf('Third-party plugins')
  const core = res.body.indexOf('Core plugins')
  t.ok(thirdParty > 0 && core > thirdParty, 'two sections, third-party first')
  const third = res.body.slice(thirdParty, core)
  t.match(third, /<strong>postgres<\/strong>/)
  t.match(third, /<code>1\.48\.0<\/code>/)
  t.match(third, /dokku postgres service plugin/)
  t.match(third, /Automated installation of let&#39;s encrypt TLS certificates/, 'the description, escaped')
  t.notMatch(third, /<strong>apps<\/strong>/, 'core plugins are not among the third-party ones')
  t.match(res.body.slice(core), /<strong>apps<\/strong>[\s\S]*?dokku core apps plugin/)
  t.match(res.body, /badge ok">enabled</)
  t.match(res.body, /badge core">core</)
  t.match(res.body, /badge third-party">third-party</)
  t.match(res.body, /<form class="filters" method="get" action="\/plugins"/, 'the filter works without JavaScript')

  const frag = await app.inject({ url: '/plugins', headers: { cookie, 'hx-request': 'true' } })
  t.equal(frag.statusCode, 200)
  t.notMatch(frag.body, /<html/, 'htmx gets the fragment')
  t.match(frag.body, /id="plugins-results"/)
})

t.test('?q= filters by name and description, case-insensitively', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const res = await app.inject({ url: '/plugins?q=Service', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.match(res.body, /<strong>postgres<\/strong>/)
  t.match(res.body, /<strong>redis<\/strong>/)
  t.match(res.body, /<strong>mysql<\/strong>/)
  t.notMatch(res.body, /<strong>letsencrypt<\/strong>/)
  t.notMatch(res.body, /Core plugins/, 'no core plugin mentions "service"')
  t.match(res.body, /3 of \d+ plugins match “Service”/)
  t.match(res.body, /name="q"[^>]*value="Service"/, 'the box keeps the query')

  const byName = await app.inject({ url: '/plugins?q=scheduler-k3s', headers: { cookie } })
  t.match(byName.body, /<strong>scheduler-k3s<\/strong>/)
  t.notMatch(byName.body, /<strong>postgres<\/strong>/)

  const none = await app.inject({ url: '/plugins?q=nothing-like-this', headers: { cookie } })
  t.equal(none.statusCode, 200)
  t.match(none.body, /No plugin matches “nothing-like-this”/)
})

t.test('a hostile query is shown escaped and runs nothing of its own', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const q = '"><script>alert(1)</script>&$(reboot)'
  const res = await app.inject({ url: `/plugins?q=${encodeURIComponent(q)}`, headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.notMatch(res.body, /<script>alert/)
  t.match(res.body, /value="&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&amp;\$\(reboot\)"/)
  t.ok(app.history.list({}).every((r) => !r.command.includes('reboot')), 'the query never reaches dokku')

  const long = await app.inject({ url: `/plugins?q=${'x'.repeat(300)}`, headers: { cookie } })
  t.equal(long.statusCode, 400, 'an oversized query is refused')
})

t.test('plugin text from dokku is escaped', async (t) => {
  const { app, dataDir } = await build(t)
  const cookie = await login(app)
  await app.inject({ url: '/plugins', headers: { cookie } }) // seeds the simulator state
  await editSimState(dataDir, (s) => {
    s.plugins.push({
      name: 'evil', version: '<b>1</b>', enabled: false, core: false,
      description: '<script>alert("x")</script> & "friends"',
      sourceUrl: 'javascript:alert(1)', committish: '0123456789abcdef', branch: '<main>'
    }, {
      name: 'good', version: '0.1.0', enabled: true, core: false, description: 'fine',
      sourceUrl: 'https://example.com/good.git?a=1&b=2', committish: '', branch: ''
    })
  })
  app.hosts.default.cache.clear()
  const res = await app.inject({ url: '/plugins', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.notMatch(res.body, /<script>alert/)
  t.match(res.body, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &quot;friends&quot;/)
  t.match(res.body, /<code>&lt;b&gt;1&lt;\/b&gt;<\/code>/)
  t.match(res.body, /&lt;main&gt; @ 0123456/)
  t.notMatch(res.body, /href="javascript:/, 'a non-web source URL is not a link')
  t.match(res.body, /<code class="plugins-small">javascript:alert\(1\)<\/code>/)
  t.match(res.body, /href="https:\/\/example.com\/good.git\?a=1&amp;b=2"/)
  t.match(res.body, /<tr class="is-disabled">[\s\S]*?<strong>evil<\/strong>[\s\S]*?badge stopped">disabled</)
  t.match(res.body, /1 disabled/)
})

t.test('older dokku: the text plugin list, core told by its description', async (t) => {
  const { app } = await build(t, { simulator: { DOKKU_SIM_VERSION: '0.30.0' } })
  const cookie = await login(app)
  const res = await app.inject({ url: '/plugins', headers: { cookie } })
  t.equal(res.statusCode, 200)
  t.ok(app.history.list({}).some((r) => r.command === 'dokku plugin:list'), 'no --format json before 0.38.22')
  const core = res.body.indexOf('Core plugins')
  t.match(res.body.slice(0, core), /<strong>postgres<\/strong>/)
  t.match(res.body.slice(core), /<strong>apps<\/strong>/)
})

t.test('dokku failures: missing binary, timeout, garbage output', async (t) => {
  t.test('missing binary', async (t) => {
    const { app } = await build(t, { transport: new LocalTransport('/nonexistent/dokku') })
    const cookie = await login(app)
    const res = await app.inject({ url: '/plugins', headers: { cookie } })
    t.equal(res.statusCode, 503)
    t.match(res.body, /dokku is unavailable/)
    t.notMatch(res.body, /at .*\.js:\d+/, 'no stack trace')
    const frag = await app.inject({ url: '/plugins', headers: { cookie, 'hx-request': 'true' } })
    t.equal(frag.statusCode, 503)
    t.notMatch(frag.body, /<html/)
    t.match(String(frag.headers['hx-trigger']), /dokku is unavailable/)
  })

  t.test('timeout', async (t) => {
    const { app } = await build(t)
    const cookie = await login(app)
    // Every dokku read carries its own 60 s timeout (the runner's default does not shorten it),
    // so the timeout is the client's answer here.
    app.hosts.default.dokku.listPlugins = async () => { throw new DokkuError('timeout', 'timed out after 60 s', { historyId: 7 }) }
    const res = await app.inject({ url: '/plugins', headers: { cookie } })
    t.equal(res.statusCode, 504)
    t.match(res.body, /timed out after 60 s/)
    t.match(res.body, /href="\/history\/7"/)
  })

  t.test('unreadable output', async (t) => {
    const { app, dataDir } = await build(t)
    const cookie = await login(app)
    await app.inject({ url: '/plugins', headers: { cookie } })
    await editSimState(dataDir, (s) => { s.plugins = [{ name: 42 } as unknown as PluginState] })
    app.hosts.default.cache.clear()
    const res = await app.inject({ url: '/plugins', headers: { cookie } })
    t.equal(res.statusCode, 502)
    t.match(res.body, /Unexpected output from dokku plugin:list/)
  })
})

t.test('the page needs a session', async (t) => {
  const { app } = await build(t)
  const res = await app.inject({ url: '/plugins' })
  t.equal(res.statusCode, 303)
  t.match(res.headers.location, /^\/login/)
})
