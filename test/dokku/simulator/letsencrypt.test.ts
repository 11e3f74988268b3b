import t from 'tap'
import { letsencryptCert } from '../../../src/dokku/simulator/seed.js'
import type { SimState } from '../../../src/dokku/simulator/state.js'
import { fixture, makeSim, matchesTemplate, onlyApps } from './helpers.js'

const at = (y: number, mo: number, d: number, h: number, mi = 0, s = 0) => Date.UTC(y, mo - 1, d, h, mi, s) / 1000
const dur = (d: number, h: number, m: number, s: number) => ((d * 24 + h) * 60 + m) * 60 + s

/** Only node-js-app and python-app hold active certificates expiring at the given times. */
function twoCerts (node: number, python: number) {
  return (s: SimState) => {
    onlyApps(s, ['node-js-app', 'python-app'])
    s.apps['node-js-app']!.cert!.expiresAt = node
    s.apps['python-app']!.cert!.expiresAt = python
  }
}

t.test('letsencrypt:list matches the reference rows', async (t) => {
  const node = at(2026, 7, 1, 12)
  const python = at(2026, 5, 1, 8)
  const lines = fixture('letsencrypt-list.txt').split('\n')
  // The example's two rows were taken at different moments; check each at its own clock.
  const a = await makeSim(t, { setup: twoCerts(node, python), env: { DOKKU_SIM_NOW: String(node - dur(59, 23, 10, 2)) } })
  const outA = (await a.run('letsencrypt:list')).stdout.split('\n')
  t.equal(outA[0], lines[0], 'header')
  t.equal(outA[1], lines[1], 'node-js-app row (sorted first: same year, then by line)')
  const b = await makeSim(t, { setup: twoCerts(node, python), env: { DOKKU_SIM_NOW: String(python - dur(1, 19, 10, 2)) } })
  const outB = await b.run('letsencrypt:list')
  t.equal(outB.stdout.split('\n')[2], lines[2], 'python-app row')
  t.equal(outB.code, 0)
  t.equal(outB.stderr, '')
  t.same(await b.run('--quiet', 'letsencrypt:list'), { code: 0, stdout: outB.stdout.split('\n').slice(1).join('\n'), stderr: '' })
  const none = await makeSim(t, { setup: (s) => onlyApps(s, ['ruby-app']) })
  t.same(await none.run('letsencrypt:list'), { code: 0, stdout: lines[0] + '\n', stderr: '' })
  const years = await makeSim(t, { setup: twoCerts(at(2027, 1, 1, 0), at(2026, 12, 1, 0)) })
  t.match((await years.run('letsencrypt:list')).stdout, /\npython-app .*\nnode-js-app /, 'sort -nk2 compares the year first')
})

function referenceReport (s: SimState): void {
  s.global.letsencrypt = { email: 'admin@example.com' }
  const a = s.apps['node-js-app']!
  a.letsencrypt.props = {}
  a.cert!.expiresAt = 1782907200
}

t.test('letsencrypt:report', async (t) => {
  const sim = await makeSim(t, { setup: referenceReport })
  t.same(await sim.run('letsencrypt:report', 'node-js-app'), { code: 0, stdout: fixture('letsencrypt-report.txt'), stderr: '' })
  t.same(await sim.run('letsencrypt:report', 'node-js-app', '--format', 'json'), { code: 0, stdout: fixture('letsencrypt-report.json'), stderr: '' })
  t.same(await sim.run('letsencrypt:report', 'node-js-app', '--letsencrypt-computed-email'), { code: 0, stdout: 'admin@example.com\n', stderr: '' })
  t.same(await sim.run('letsencrypt:report', 'node-js-app', '--letsencrypt-email'), { code: 1, stdout: '', stderr: ' !     not deployed\n' })
  const bad = await sim.run('letsencrypt:report', 'node-js-app', '--nope')
  t.equal(bad.code, 1)
  t.match(bad.stderr, /^ !     Invalid flag passed, valid flags: --letsencrypt-active --letsencrypt-autorenew --letsencrypt-computed-dns-provider /)
  t.same(await sim.run('letsencrypt:report', 'node-js-app', '--format', 'json', '--letsencrypt-active'), { code: 1, stdout: '', stderr: ' !     --format flag cannot be specified when specifying an info flag\n' })
  t.same(await sim.run('letsencrypt:report', '--global', '--format', 'json'), {
    code: 0, stdout: '{"global-dns-provider":"","global-email":"admin@example.com","global-graceperiod":"","global-lego-args":"","global-lego-docker-options":"","global-server":""}\n', stderr: ''
  })
  t.match((await sim.run('letsencrypt:report', '--global')).stdout, /^=====> global letsencrypt information\n {7}Letsencrypt global dns provider: {26}\n/)
  t.equal((await sim.run('letsencrypt:report', '--format', 'json')).stdout.trim().split('\n').length, 5, 'one object per app')
  t.equal((await sim.run('letsencrypt:report', 'ruby-app', '--letsencrypt-active')).stdout, 'false\n')
  t.same(await sim.run('letsencrypt:report', 'nope'), { code: 20, stdout: '', stderr: ' !     App nope does not exist\n' })

  t.same(await sim.run('letsencrypt:set', 'node-js-app', 'dns-provider-OVH_APPLICATION_KEY', 'abc'), { code: 0, stdout: '=====> Setting dns-provider-OVH_APPLICATION_KEY to abc\n', stderr: '' })
  const json = JSON.parse((await sim.run('letsencrypt:report', 'node-js-app', '--format', 'json')).stdout) as Record<string, string>
  t.equal(json['dns-provider-OVH_APPLICATION_KEY'], 'abc')
  t.match((await sim.run('letsencrypt:report', 'node-js-app')).stdout, /\n {7}Letsencrypt dns provider OVH_APPLICATION_KEY: abc {22}\n$/)
  t.equal((await sim.run('letsencrypt:set', 'node-js-app', 'server', 'staging')).code, 0)
  t.equal((await sim.run('letsencrypt:report', 'node-js-app', '--letsencrypt-computed-server')).stdout, 'https://acme-staging-v02.api.letsencrypt.org/directory\n')
  t.equal((await sim.run('letsencrypt:set', 'node-js-app', 'server', 'https://acme.example/dir')).code, 0)
  t.equal((await sim.run('letsencrypt:report', 'node-js-app', '--letsencrypt-computed-server')).stdout, 'https://acme.example/dir\n')

  const empty = await makeSim(t, { setup: (s) => onlyApps(s, []) })
  t.same(await empty.run('letsencrypt:report'), { code: 1, stdout: '', stderr: " !     You haven't deployed any applications yet\n" })
  t.same(await empty.run('letsencrypt:report', '--global'), { code: 1, stdout: '', stderr: " !     You haven't deployed any applications yet\n" })
})

t.test('letsencrypt:set', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('letsencrypt:set', '--global', 'email', 'admin@example.com'), { code: 0, stdout: fixture('letsencrypt-set.txt').split('\n')[0] + '\n', stderr: '' })
  t.same(await sim.run('letsencrypt:set', '--global', 'email'), { code: 0, stdout: fixture('letsencrypt-set.txt').split('\n')[1] + '\n', stderr: '' })
  t.same(await sim.run('--quiet', 'letsencrypt:set', 'ruby-app', 'email', 'x@y.z'), { code: 0, stdout: '', stderr: '' })
  t.equal((await sim.state()).apps['ruby-app']!.letsencrypt.props.email, 'x@y.z')
  t.same(await sim.run('letsencrypt:set', 'ruby-app'), { code: 1, stdout: '', stderr: ' !     No key specified\n' })
  t.same(await sim.run('letsencrypt:set', 'ruby-app', 'color', 'red'), {
    code: 1, stdout: '', stderr: ' !     Invalid key specified, valid keys include: dns-provider, dns-provider-*, email, graceperiod, server, lego-args, lego-docker-options\n'
  })
  t.same(await sim.run('letsencrypt:set', 'nope', 'email', 'a@b.c'), { code: 20, stdout: '', stderr: ' !     App nope does not exist\n' })
  t.same(await sim.run('letsencrypt:set'), { code: 1, stdout: '', stderr: ' !     Please specify an app to run the command on\n' })
})

t.test('letsencrypt:enable', async (t) => {
  const sim = await makeSim(t, {
    setup: (s) => {
      const a = s.apps['node-js-app']!
      a.cert = null
      a.letsencrypt.active = false
      a.vhosts = ['node-js-app.dokku.me']
    }
  })
  const out = await sim.run('letsencrypt:enable', 'node-js-app')
  t.equal(out.code, 0)
  const template = fixture('letsencrypt-enable.txt').split('\n').filter((l) => !l.includes(' - Domain') && !l.includes('lego output')).join('\n')
  t.ok(matchesTemplate(out.stdout, template), 'matches the reference example', { found: out.stdout })
  t.match(out.stdout, /-----> Installing let's encrypt certificates\n-----> Configuring node-js-app\.dokku\.me\.\.\.\(using built-in template\)\n-----> Creating https nginx\.conf\n {7}Reloading nginx\n/)
  t.match(out.stderr, /^ {8}- Domain 'node-js-app\.dokku\.me'\n/)
  t.match(out.stderr, /\[INFO\] \[node-js-app\.dokku\.me\] Server responded with a certificate\.\n$/)
  t.equal((await sim.run('letsencrypt:active', 'node-js-app')).stdout, 'true\n')
  t.equal((await sim.run('certs:report', 'node-js-app', '--ssl-enabled')).stdout, 'true\n')

  t.same(await sim.run('letsencrypt:enable', 'node-js-app'), {
    code: 0,
    stdout: '-----> Certificate is still valid for node-js-app, skipping certificate request\n-----> Pass --force to letsencrypt:enable to request a new certificate anyway\n',
    stderr: ''
  })
  t.match((await sim.run('letsencrypt:enable', 'node-js-app', '--force')).stdout, /Certificate retrieved successfully/)

  t.same(await sim.run('letsencrypt:enable', 'ruby-app'), {
    code: 1,
    stdout: '=====> Enabling letsencrypt for ruby-app\n',
    stderr: ' !     ERROR: Cannot request a certificate without an e-mail address!\n !       please provide your e-mail address using\n !       dokku letsencrypt:set ruby-app email <e-mail>\n'
  })
  await sim.run('letsencrypt:set', '--global', 'email', 'ops@example.com')
  t.same(await sim.run('letsencrypt:enable', 'static-site'), {
    code: 1, stdout: '=====> Enabling letsencrypt for static-site\n', stderr: ' !     Cannot enable letsencrypt for static-site: no http or https proxy port mapping was found.\n'
  })
  await sim.run('domains:set', 'ruby-app', '_')
  t.same(await sim.run('letsencrypt:enable', 'ruby-app'), { code: 1, stdout: '=====> Enabling letsencrypt for ruby-app\n', stderr: ' !     No domains detected for ruby-app\n' })
  await sim.run('letsencrypt:set', 'go-worker', 'dns-provider', 'route53')
  await sim.run('ps:scale', 'go-worker', 'web=1')
  t.match((await sim.run('letsencrypt:enable', 'go-worker')).stdout, /via DNS-01\n/)
  t.same(await sim.run('letsencrypt:enable', 'nope'), { code: 20, stdout: '', stderr: ' !     App nope does not exist\n' })
  const all = await sim.run('letsencrypt:enable', '--all')
  t.equal(all.code, 1, 'stops at the first app that fails')

  const dis = await sim.run('letsencrypt:disable', 'node-js-app')
  t.match(dis.stdout, /^-----> Disabling letsencrypt for app\n {7}Removing letsencrypt files for node-js-app\n {7}Removing SSL endpoint from node-js-app\n.*Creating http nginx\.conf\n {7}Reloading nginx\n-----> Done\n$/s)
  t.equal((await sim.run('letsencrypt:active', 'node-js-app')).stdout, 'false\n')
  t.equal((await sim.run('letsencrypt:ls')).stderr, ' !     `letsencrypt:ls` is not a dokku command.\n !     See `dokku help` for a list of available commands.\n')
})

t.test('letsencrypt:auto-renew', async (t) => {
  const renewalIn = dur(29, 23, 10, 2)
  const sim = await makeSim(t, {
    setup: (s) => {
      onlyApps(s, ['node-js-app', 'ruby-app'])
      s.apps['node-js-app']!.cert!.expiresAt = s.createdAt + 2592000 + renewalIn
    }
  })
  t.same(await sim.run('letsencrypt:auto-renew'), { code: 0, stdout: fixture('letsencrypt-auto-renew.txt'), stderr: '' })
  t.same(await sim.run('letsencrypt:auto-renew', 'node-js-app'), { code: 0, stdout: '       node-js-app still has 29d, 23h, 10m, 2s left before renewal\n', stderr: '' })
  t.same(await sim.run('letsencrypt:auto-renew', 'ruby-app'), { code: 0, stdout: '-----> Letsencrypt not enabled for ruby-app\n', stderr: '' })

  const due = await makeSim(t)
  const all = await due.run('letsencrypt:auto-renew')
  t.equal(all.code, 0)
  t.match(all.stdout, /-----> python-app needs renewal\n=====> Enabling letsencrypt for python-app\n/)
  t.match(all.stdout, /=====> Finished auto-renewal\n$/)
  const s = await due.state()
  t.equal(s.apps['python-app']!.cert!.expiresAt, s.createdAt + 90 * 86400, 'renewed for 90 days')
  const one = await makeSim(t)
  t.match((await one.run('letsencrypt:auto-renew', 'python-app')).stdout, /^=====> Auto-renew python-app\.\.\.\n=====> Enabling letsencrypt for python-app\n/)

  const failing = await makeSim(t, {
    setup: (s) => {
      s.apps['python-app']!.letsencrypt.props = {}
      s.apps['node-js-app']!.cert = letsencryptCert(['node-js-app.dokku.me'], s.createdAt - 89 * 86400)
    }
  })
  const f = await failing.run('letsencrypt:auto-renew')
  t.equal(f.code, 1)
  t.match(f.stderr, / !     One or more apps failed to have their certificates renewed\n$/)
})

t.test('letsencrypt:cron-job', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('letsencrypt:cron-job'), { code: 0, stdout: "=====> Auto-renew cron job is enabled\n       Run 'dokku letsencrypt:cron-job --remove' to disable.\n", stderr: '' })
  t.same(await sim.run('letsencrypt:cron-job', '--remove'), { code: 0, stdout: "-----> Removed cron job from dokku's crontab.\n", stderr: '' })
  t.equal((await sim.run('letsencrypt:report', 'node-js-app', '--letsencrypt-autorenew')).stdout, 'false\n')
  t.same(await sim.run('letsencrypt:cron-job'), { code: 0, stdout: "=====> Auto-renew cron job is not enabled\n       Run 'dokku letsencrypt:cron-job --add' to enable.\n", stderr: '' })
  t.same(await sim.run('letsencrypt:cron-job', '--add'), { code: 0, stdout: "-----> Added cron job to dokku's crontab.\n", stderr: '' })
})
