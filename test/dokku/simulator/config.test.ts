import t from 'tap'
import { goBase64Decode, godotenvMarshal } from '../../../src/dokku/simulator/commands/config.js'
import type { SimState } from '../../../src/dokku/simulator/state.js'
import { fixture, makeSim, matchesTemplate } from './helpers.js'

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')

function referenceEnv (s: SimState): void {
  s.apps['node-js-app']!.env = { zKey: 'true', bKey: 'true', BKEY: 'true', aKey: 'true' }
}

t.test('config:show', async (t) => {
  const sim = await makeSim(t, { setup: referenceEnv })
  t.same(await sim.run('config:show', 'node-js-app'), { code: 0, stdout: fixture('config-show.txt'), stderr: '' })
  t.same(await sim.run('config', 'node-js-app'), { code: 0, stdout: fixture('config-show.txt'), stderr: '' })
  t.same(await sim.run('--quiet', 'config:show', 'node-js-app'), { code: 0, stdout: fixture('config-show.txt').split('\n').slice(1).join('\n'), stderr: '' })
  t.same(await sim.run('config:show', 'static-site'), { code: 0, stdout: '=====> static-site env vars\n\n', stderr: '' })
  t.same(await sim.run('config:show', '--global'), { code: 0, stdout: '=====> global env vars\nCURL_CONNECT_TIMEOUT:  90\nCURL_TIMEOUT:          600\n', stderr: '' })
  t.match((await sim.run('config:show', '--merged', 'node-js-app')).stdout, /CURL_TIMEOUT: {10}600\n/)
  t.same(await sim.run('config:show'), { code: 1, stdout: '', stderr: ' !     Please specify an app to run the command on\n' })
  t.same(await sim.run('config:show', 'nope'), { code: 20, stdout: '', stderr: ' !     App nope does not exist\n' })
  const bad = await sim.run('config:show', 'node-js-app', '--shell')
  t.equal(bad.code, 2)
  t.equal(bad.stderr, "Usage of config:show:\n      --global   --global: use the global environment\n      --merged   --merged: display the app's environment merged with the global environment\nunknown flag: --shell\n")

  const mixed = await makeSim(t, {
    setup: (s) => {
      s.apps['node-js-app']!.env = {
        DATABASE_URL: 'postgres://postgres:pw@dokku-postgres-db:5432/db',
        GIT_REV: 'cd7b8afccb202f222e7dc7b427553e71ba5ddafd',
        NO_VHOST: '0'
      }
    }
  })
  t.same(await mixed.run('config:show', 'node-js-app'), { code: 0, stdout: fixture('config-show-mixed.txt'), stderr: '' })
})

t.test('config:export formats', async (t) => {
  const sim = await makeSim(t, { setup: referenceEnv })
  const exp = (fmt: string) => sim.run('config:export', '--format', fmt, 'node-js-app')
  t.same(await exp('docker-args'), { code: 0, stdout: fixture('config-export-docker-args.txt'), stderr: '' })
  t.same(await exp('shell'), { code: 0, stdout: fixture('config-export-shell.txt').replace(/\n$/, ''), stderr: '' }, 'shell ends in a space, no newline')
  t.same(await exp('json'), { code: 0, stdout: fixture('config-export.json'), stderr: '' })
  t.same(await exp('json-list'), { code: 0, stdout: fixture('config-export-list.json'), stderr: '' })
  t.equal((await sim.run('config:export', 'node-js-app')).stdout, "export BKEY='true'\nexport aKey='true'\nexport bKey='true'\nexport zKey='true'\n")
  t.equal((await exp('exports')).stdout, "export BKEY='true'\nexport aKey='true'\nexport bKey='true'\nexport zKey='true'\n")
  t.equal((await exp('envfile')).stdout, 'BKEY="true"\naKey="true"\nbKey="true"\nzKey="true"\n')
  t.equal((await exp('docker-args-keys')).stdout, '--env=BKEY --env=aKey --env=bKey --env=zKey\n')
  t.equal((await exp('pack-keys')).stdout, '--env BKEY --env aKey --env bKey --env zKey\n')
  t.equal((await exp('pretty')).stdout, 'BKEY:  true\naKey:  true\nbKey:  true\nzKey:  true\n')
  t.same(await exp('xml'), { code: 1, stdout: '', stderr: ' !     Unknown export format: xml\n' })
  t.equal((await sim.run('config:export', '--format', 'json', 'static-site')).stdout, '{}\n')
  t.equal((await sim.run('config:export', '--format', 'json-list', 'static-site')).stdout, 'null\n')
  t.equal((await sim.run('config:export', '--format', 'exports', 'static-site')).stdout, '\n')
  t.equal((await sim.run('config:export', '--format', 'json', '--global')).stdout, '{"CURL_CONNECT_TIMEOUT":"90","CURL_TIMEOUT":"600"}\n')
  t.match((await sim.run('config:export', '--format', 'json', '--merged', 'node-js-app')).stdout, /^\{"BKEY":"true","CURL_CONNECT_TIMEOUT":"90",/)
  const missing = await sim.run('config:export', '--format')
  t.equal(missing.code, 2)
  t.match(missing.stderr, /flag needs an argument: --format\n$/)
})

t.test('config:get and config:keys', async (t) => {
  const sim = await makeSim(t, { setup: (s) => { s.apps['node-js-app']!.env.QUOTE = "it's" } })
  t.same(await sim.run('config:get', 'node-js-app', 'NODE_ENV'), { code: 0, stdout: 'production\n', stderr: '' })
  t.same(await sim.run('config:get', '--quoted', 'node-js-app', 'QUOTE'), { code: 0, stdout: "'it'\\''s'\n", stderr: '' })
  t.same(await sim.run('config:get', 'node-js-app', 'NOT_SET'), { code: 1, stdout: '', stderr: '' })
  t.same(await sim.run('config:get', 'node-js-app'), { code: 1, stdout: '', stderr: ' !     Expected: key\n' })
  t.same(await sim.run('config:get', 'node-js-app', 'a', 'b', 'c'), { code: 1, stdout: '', stderr: ' !     Unexpected argument(s): [b c]\n' })
  t.same(await sim.run('config:get'), { code: 1, stdout: '', stderr: ' !     Please specify an app to run the command on\n' })
  t.same(await sim.run('config:get', '--global', 'CURL_TIMEOUT'), { code: 0, stdout: '600\n', stderr: '' })
  t.same(await sim.run('config:keys', 'node-js-app'), { code: 0, stdout: 'DATABASE_URL\nGIT_REV\nLOG_LEVEL\nNODE_ENV\nQUOTE\nREDIS_URL\nSECRET_KEY_BASE\n', stderr: '' })
  t.equal((await sim.run('config:keys', '--global')).stdout, 'CURL_CONNECT_TIMEOUT\nCURL_TIMEOUT\n')
  t.equal((await sim.run('config:keys', 'static-site')).stdout, '')
})

t.test('config:set', async (t) => {
  const sim = await makeSim(t, {
    setup: (s) => {
      const a = s.apps['node-js-app']!
      a.vhosts = ['node-js-app.dokku.me']
      a.cert = null
      a.letsencrypt.active = false
    }
  })
  const out = await sim.run('config:set', 'node-js-app', 'APP_ENV=prod', 'COMPILE_ASSETS=1')
  t.equal(out.code, 0)
  t.equal(out.stderr, '')
  t.ok(matchesTemplate(out.stdout, fixture('config-set.txt')), 'matches the reference example', { found: out.stdout })
  t.equal((await sim.run('config:get', 'node-js-app', 'APP_ENV')).stdout, 'prod\n')

  t.same(await sim.run('config:set', '--no-restart', 'node-js-app', 'A=1'), { code: 0, stdout: '-----> Setting config vars\n       A:  1\n', stderr: '' })
  t.same(await sim.run('--quiet', 'config:set', '--no-restart', 'node-js-app', 'A=2'), { code: 0, stdout: '', stderr: '' })
  t.same(await sim.run('config:set', 'static-site', 'B=  padded  '), { code: 0, stdout: '-----> Setting config vars\n       B:  padded\n', stderr: '' }, 'undeployed: no restart, value trimmed for display')
  t.equal((await sim.run('config:get', 'static-site', 'B')).stdout, '  padded  \n')
  t.same(await sim.run('config:set', 'python-app', 'C=1'), { code: 0, stdout: '-----> Setting config vars\n       C:  1\n', stderr: '' }, 'restore=false: no restart')
  t.same(await sim.run('config:set', '--global', 'G=1'), { code: 0, stdout: '-----> Setting config vars\n       G:  1\n', stderr: '' })
  t.equal((await sim.run('config:get', '--global', 'G')).stdout, '1\n')

  t.same(await sim.run('config:set', 'node-js-app'), { code: 1, stdout: '', stderr: ' !     At least one env pair must be given\n' })
  t.same(await sim.run('config:set', 'node-js-app', 'FOO'), { code: 1, stdout: '', stderr: ' !     Invalid env pair: FOO\n' })
  t.same(await sim.run('config:set', 'node-js-app', 'foo-bar=1'), { code: 1, stdout: '', stderr: " !     Invalid key name: 'foo-bar'\n" })
  t.same(await sim.run('config:set', 'nope', 'A=1'), { code: 20, stdout: '', stderr: ' !     App nope does not exist\n' })
  t.same(await sim.run('config:set'), { code: 1, stdout: '', stderr: ' !     Please specify an app to run the command on\n' })
  t.same(await sim.run('config:set', '--encoded', 'node-js-app', 'K=abc'), { code: 1, stdout: '', stderr: " !     illegal base64 data at input byte 0 for key 'K'\n" })
  t.same(await sim.run('config:set', '--encoded', 'node-js-app', 'K=ab$c'), { code: 1, stdout: '', stderr: " !     illegal base64 data at input byte 2 for key 'K'\n" })
  t.notOk('K' in (await sim.state()).apps['node-js-app']!.env, 'a failed set writes nothing')

  // a config redeploy neither takes nor heeds the deploy lock (deploys.md §2.1, §5.3)
  const locked = await makeSim(t, { setup: (s) => { s.apps['ruby-app']!.lock = { kind: 'manual', pid: 1, token: 'm', at: 0 } } })
  const r = await locked.run('config:set', 'ruby-app', 'X=1')
  t.equal(r.code, 0)
  t.match(r.stdout, /-----> Restarting app ruby-app\n/)
  t.equal(r.stderr, '')
})

t.test('--encoded values round-trip exactly', async (t) => {
  const sim = await makeSim(t)
  const values: Record<string, string> = {
    SPACES: '  a value with spaces  ',
    QUOTES: `it's "quoted" \`back\` $HOME \\n`,
    NEWLINES: 'line one\nline two\r\n\nlast',
    UNICODE: 'héllo wörld ✓ 日本語 🚀',
    HTML: '<script>alert("x")</script> & more',
    EMPTY: '',
    CONTROL: 'tab\there\u0001\u001f\b\f'
  }
  const args = Object.entries(values).map(([k, v]) => `${k}=${b64(v)}`)
  const set = await sim.run('config:set', '--encoded', '--no-restart', 'static-site', ...args)
  t.equal(set.code, 0)
  const json = await sim.run('config:export', '--format', 'json', 'static-site')
  t.same(JSON.parse(json.stdout), values)
  t.match(json.stdout, /\\u003cscript\\u003e/, 'Go HTML escaping')
  t.match(json.stdout, /\\u0026 more/)
  t.match(json.stdout, /\\u0001\\u001f\\b\\f/)
  const list = await sim.run('config:export', '--format', 'json-list', 'static-site')
  t.same(Object.fromEntries((JSON.parse(list.stdout) as Array<{ name: string, value: string }>).map((e) => [e.name, e.value])), values)
  for (const [k, v] of Object.entries(values)) {
    t.equal((await sim.run('config:get', 'static-site', k)).stdout, v + '\n', k)
  }
  const wrapped = await sim.run('config:set', '--encoded', '--no-restart', 'static-site', `WRAPPED=${b64('abcdefgh').slice(0, 4)}\n${b64('abcdefgh').slice(4)}`)
  t.equal(wrapped.code, 0, 'newlines inside base64 are ignored, like Go')
  t.equal((await sim.run('config:get', 'static-site', 'WRAPPED')).stdout, 'abcdefgh\n')
})

t.test('config:unset and config:clear', async (t) => {
  const sim = await makeSim(t, { setup: (s) => { s.apps['static-site']!.env = { API_KEY: 'x', OTHER: 'y' } } })
  t.same(await sim.run('config:unset', 'static-site', 'API_KEY', 'NOT_THERE'), { code: 0, stdout: fixture('config-unset.txt'), stderr: '' })
  t.same(await sim.run('config:unset', 'static-site'), { code: 1, stdout: '', stderr: ' !     At least one key must be given\n' })
  t.same(await sim.run('config:unset'), { code: 1, stdout: '', stderr: ' !     Please specify an app to run the command on\n' })
  const restart = await sim.run('config:unset', 'node-js-app', 'LOG_LEVEL')
  t.match(restart.stdout, /^-----> Unsetting LOG_LEVEL\n-----> Restarting app node-js-app\n-----> Releasing node-js-app\.\.\.\n/)
  t.same(await sim.run('config:unset', '--no-restart', 'node-js-app', 'NODE_ENV'), { code: 0, stdout: '-----> Unsetting NODE_ENV\n', stderr: '' })
  t.same(await sim.run('config:unset', '--global', 'CURL_TIMEOUT'), { code: 0, stdout: '-----> Unsetting CURL_TIMEOUT\n', stderr: '' })
  t.same(await sim.run('config:clear', '--no-restart', 'static-site'), { code: 0, stdout: '-----> Unsetting OTHER\n', stderr: '' })
  t.same((await sim.state()).apps['static-site']!.env, {})
  t.same(await sim.run('config:clear'), { code: 1, stdout: '', stderr: ' !     Please specify an app to run the command on\n' })
})

t.test('Go base64 decoding', async (t) => {
  const ok = (s: string) => {
    const r = goBase64Decode(s)
    return r.ok ? r.bytes.toString('utf8') : r.error
  }
  t.equal(ok(''), '')
  t.equal(ok('Zm9v'), 'foo')
  t.equal(ok('Zm9vYg=='), 'foob')
  t.equal(ok('Zm9vYmE='), 'fooba')
  t.equal(ok('Zm9v\nYmFy\r\n'), 'foobar')
  t.equal(ok('Zg'), 'illegal base64 data at input byte 0')
  t.equal(ok('Z'), 'illegal base64 data at input byte 0')
  t.equal(ok('Zm9vY'), 'illegal base64 data at input byte 4')
  t.equal(ok('Zg='), 'illegal base64 data at input byte 3')
  t.equal(ok('Zg=x'), 'illegal base64 data at input byte 2')
  t.equal(ok('=Zm9'), 'illegal base64 data at input byte 0')
  t.equal(ok('Zm9v=Zm9'), 'illegal base64 data at input byte 4')
  t.equal(ok('Zg==Zm9v'), 'illegal base64 data at input byte 4')
  t.equal(ok('Zm9v!'), 'illegal base64 data at input byte 4')
  t.equal(ok('Zg==\n'), 'f')
})

t.test('godotenv Marshal', async (t) => {
  t.equal(godotenvMarshal({ B: '007', A: 'x"y', C: 'a\nb$c!`d\\', D: '-12', E: '99999999999999999999' }),
    'A="x\\"y"\nB=7\nC="a\\nb\\$c\\!\\`d\\\\"\nD=-12\nE="99999999999999999999"')
})
