import t from 'tap'
import type { SimState } from '../../../src/dokku/simulator/state.js'
import { fixture, makeSim, onlyApps } from './helpers.js'

/** node-js-app's certificate as in certs.md. */
function referenceCert (s: SimState): void {
  s.apps['node-js-app']!.cert = {
    startsAt: Date.UTC(2026, 0, 1, 12, 0, 1) / 1000,
    expiresAt: Date.UTC(2026, 2, 31, 12, 0, 0) / 1000,
    hostnames: ['www.example.com', 'node-js-app.dokku.me', 'www.example.com'],
    issuer: "C = US, O = Let's Encrypt, CN = R11",
    subject: 'CN=node-js-app.dokku.me',
    verified: 'verified by a certificate authority'
  }
}

t.test('domains:report', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('domains:report', 'node-js-app'), { code: 0, stdout: fixture('domains-report.txt'), stderr: '' })
  t.same(await sim.run('domains:report', 'node-js-app', '--format', 'json'), { code: 0, stdout: fixture('domains-report.json'), stderr: '' })
  t.same(await sim.run('domains:report', '--global'), { code: 0, stdout: fixture('domains-report-global.txt'), stderr: '' })
  t.same(await sim.run('domains:report', '--global', '--format', 'json'), { code: 0, stdout: '{"global-enabled":"true","global-vhosts":"dokku.me"}\n', stderr: '' })
  t.same(await sim.run('domains:report', 'node-js-app', '--domains-app-vhosts'), { code: 0, stdout: 'node-js-app.dokku.me www.example.com\n', stderr: '' })
  t.same(await sim.run('domains:report', 'node-js-app', '--domains-nope'), {
    code: 1,
    stdout: '',
    stderr: ' !     Invalid flag passed, valid flags: --domains-app-enabled, --domains-app-vhosts, --domains-global-enabled, --domains-global-vhosts\n'
  })
  t.same(await sim.run('domains:report', 'nope'), { code: 20, stdout: '', stderr: ' !     App nope does not exist\n' })
  t.equal((await sim.run('domains:report')).stdout.match(/domains information/g)!.length, 5)

  // bash layout before 0.38.22
  const v21 = { env: { DOKKU_SIM_VERSION: '0.38.21' } }
  t.same(await sim.runWith(v21, 'domains:report', 'node-js-app'), { code: 0, stdout: fixture('domains-report-bash.txt'), stderr: '' })
  t.same(await sim.runWith(v21, 'domains:report', 'node-js-app', '--format', 'json'), { code: 0, stdout: fixture('domains-report.json'), stderr: '' })
  t.equal((await sim.runWith(v21, 'domains:report', '--global')).stdout, '=====> Global domains information\n       Domains global enabled:        true                     \n       Domains global vhosts:         dokku.me                 \n')
  t.same(await sim.runWith(v21, 'domains:report', 'node-js-app', '--format', 'json', '--domains-app-vhosts'), { code: 1, stdout: '', stderr: ' !     --format flag cannot be specified when specifying an info flag\n' })
  const v37 = { env: { DOKKU_SIM_VERSION: '0.37.0' } }
  t.same(await sim.runWith(v37, 'domains:report', 'node-js-app', '--format', 'json'), {
    code: 1,
    stdout: '',
    stderr: ' !     Invalid flag passed, valid flags: --domains-app-enabled --domains-app-vhosts --domains-global-enabled --domains-global-vhosts\n'
  })
  t.same(await sim.runWith(v37, 'domains:report', 'node-js-app', '--domains-app-vhosts'), { code: 0, stdout: 'node-js-app.dokku.me www.example.com\n', stderr: '' })

  const noVhost = await makeSim(t, { setup: (s) => { s.apps['node-js-app']!.env.NO_VHOST = '1'; s.apps['static-site']!.vhosts = [] } })
  t.equal((await noVhost.run('domains:report', 'node-js-app', '--domains-app-enabled')).stdout, 'false\n')
  t.equal((await noVhost.run('domains:report', 'static-site', '--domains-app-vhosts')).stdout, '\n', 'Go prints an empty line')
  t.equal((await noVhost.runWith(v37, 'domains:report', 'static-site', '--domains-app-vhosts')).stdout, '', 'bash prints nothing')
})

t.test('domains:add', async (t) => {
  const sim = await makeSim(t, { setup: (s) => { s.apps['node-js-app']!.vhosts = ['node-js-app.dokku.me', 'example.com'] } })
  const out = await sim.run('domains:add', 'node-js-app', 'www.example.com', 'Example.com')
  t.equal(out.code, 0)
  t.equal(out.stderr, '')
  t.equal(out.stdout.split('\n').slice(0, 2).join('\n') + '\n', fixture('domains-add.txt'))
  t.same((await sim.state()).apps['node-js-app']!.vhosts, ['node-js-app.dokku.me', 'example.com', 'www.example.com'])

  const nginx = await makeSim(t, {
    setup: (s) => {
      const a = s.apps['node-js-app']!
      a.vhosts = ['node-js-app.dokku.me']
      a.cert = null
      a.letsencrypt.active = false
    }
  })
  t.same(await nginx.run('domains:add', 'node-js-app', 'www.example.com'), {
    code: 0, stdout: '-----> Added www.example.com to node-js-app\n' + fixture('domains-add-nginx.txt'), stderr: ''
  })
  const errors = fixture('domains-add-errors.stderr.txt').split('\n')
  t.same(await sim.run('domains:add', 'node-js-app', 'ok.example.com', 'foo_bar'), { code: 1, stdout: '', stderr: errors[0] + '\n' })
  t.same(await sim.run('domains:add', 'node-js-app'), { code: 1, stdout: '', stderr: errors[1] + '\n' })
  t.notOk((await sim.state()).apps['node-js-app']!.vhosts.includes('ok.example.com'), 'validated before adding')
  t.same(await sim.run('domains:add', 'nope', 'a.com'), { code: 20, stdout: '', stderr: ' !     App nope does not exist\n' })
  t.same(await sim.run('domains:add'), { code: 1, stdout: '', stderr: ' !     Please specify an app to run the command on\n' })
  t.same(await sim.run('domains:add', 'static-site', 'static.example.com'), { code: 0, stdout: '-----> Added static.example.com to static-site\n', stderr: '' }, 'undeployed: no nginx output')
  t.equal((await sim.run('domains:add', 'node-js-app', '_', '*.example.com')).code, 0)
})

t.test('domains:remove and domains:set', async (t) => {
  const sim = await makeSim(t)
  const out = await sim.run('domains:remove', 'node-js-app', 'www.example.com', 'never-there.com')
  t.equal(out.code, 0)
  t.match(out.stdout, /^-----> Removed www\.example\.com from node-js-app\n-----> Removed never-there\.com from node-js-app\n-----> Configuring node-js-app\.dokku\.me\.\.\.\(using built-in template\)\n-----> Creating https nginx\.conf\n {7}Reloading nginx\n$/)
  t.same((await sim.state()).apps['node-js-app']!.vhosts, ['node-js-app.dokku.me'])
  t.equal((await sim.run('domains:remove', 'node-js-app')).code, 1)
  const set = await sim.run('domains:set', 'node-js-app', 'a.example.com', 'b.example.com')
  t.match(set.stdout, /^-----> Set a\.example\.com b\.example\.com for node-js-app\n/)
  t.same((await sim.state()).apps['node-js-app']!.vhosts, ['a.example.com', 'b.example.com'])
  t.same(await sim.run('domains:set', 'node-js-app', 'Bad_Domain'), { code: 1, stdout: '', stderr: ' !     bad_domain is invalid. exiting...\n' })
})

t.test('certs:report', async (t) => {
  const sim = await makeSim(t, { setup: referenceCert })
  t.same(await sim.run('certs:report', 'node-js-app'), { code: 0, stdout: fixture('certs-report.txt'), stderr: '' })
  t.same(await sim.run('certs:report', 'node-js-app', '--format', 'json'), { code: 0, stdout: fixture('certs-report.json'), stderr: '' })
  t.same(await sim.run('certs:report', 'node-js-app', '--ssl-hostnames'), { code: 0, stdout: 'node-js-app.dokku.me www.example.com\n', stderr: '' })
  const noCert = await makeSim(t, { setup: (s) => { onlyApps(s, ['ruby-app']); s.apps['python-app'] = s.apps['ruby-app']! } })
  t.same(await noCert.run('certs:report', 'python-app'), { code: 0, stdout: fixture('certs-report-no-cert.txt'), stderr: '' })
  t.same(await noCert.run('certs:report', 'python-app', '--ssl-hostnames'), { code: 0, stdout: '\n', stderr: '' })
  t.same(await sim.run('certs:report', '--global', '--format', 'json'), { code: 0, stdout: '{}\n', stderr: '' })
  t.same(await sim.run('certs:report', '--global'), { code: 0, stdout: '=====> --global ssl information\n', stderr: '' })
  t.same(await sim.run('certs:report', 'node-js-app', '--ssl-nope'), {
    code: 1,
    stdout: '',
    stderr: ' !     Invalid flag passed, valid flags: --ssl-dir, --ssl-enabled, --ssl-expires-at, --ssl-hostnames, --ssl-issuer, --ssl-starts-at, --ssl-subject, --ssl-verified\n'
  })
  t.same(await sim.run('certs:report', 'fake-app-name'), { code: 20, stdout: '', stderr: ' !     App fake-app-name does not exist\n' })
  t.same(await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.38.21' } }, 'certs:report', 'node-js-app'), { code: 0, stdout: fixture('certs-report-bash.txt'), stderr: '' })
  t.equal((await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.38.21' } }, 'certs:report', '--global')).stdout, '=====> global ssl information\n')
  t.match((await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.37.0' } }, 'certs:report', '--global')).stderr, /Invalid flag passed, valid flags: --ssl-dir --ssl-enabled --ssl-hostnames/)
})
