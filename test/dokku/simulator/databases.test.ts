import t from 'tap'
import type { SimState } from '../../../src/dokku/simulator/state.js'
import { fixture, makeSim, matchesTemplate } from './helpers.js'

/** lollipop as in databases.md, linked to the app `playground`. */
function referenceDb (s: SimState): void {
  const pg = s.services.postgres!
  pg.lollipop = {
    ...pg.lollipop!,
    password: 'a1b2c3d4e5f6',
    id: '5e1b7a3c0f9d2e4b6a8c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a',
    ip: '172.17.0.5',
    status: 'running',
    image: 'postgres:17.6',
    links: ['playground']
  }
  s.apps.playground = structuredClone(s.apps['ruby-app']!)
  s.apps.playground.env = {}
}

t.test('<db>:list', async (t) => {
  const sim = await makeSim(t, {
    setup: (s) => {
      const pg = s.services.postgres!
      s.services.postgres = { other_db: pg.reporting!, lollipop: pg.lollipop! }
    }
  })
  t.same(await sim.run('postgres:list'), { code: 0, stdout: fixture('db-list.txt'), stderr: '' })
  t.same(await sim.run('--quiet', 'postgres:list'), { code: 0, stdout: 'lollipop\nother_db\n', stderr: '' })
  t.same(await sim.run('redis:list'), { code: 0, stdout: '=====> Redis services\ncache\n', stderr: '' })
  t.same(await sim.run('mysql:list'), { code: 0, stdout: '=====> MySQL services\npython-db\n', stderr: '' })
  await sim.run('mysql:unlink', 'python-db', 'python-app', '--no-restart')
  await sim.run('--force', 'mysql:destroy', 'python-db')
  t.same(await sim.run('mysql:list'), { code: 0, stdout: '', stderr: ' !     There are no MySQL services\n' })
  for (const p of ['mariadb', 'mongo']) {
    t.same(await sim.run(`${p}:list`), {
      code: 1, stdout: '', stderr: ` !     \`${p}:list\` is not a dokku command.\n !     See \`dokku help\` for a list of available commands.\n`
    }, `${p} is not installed`)
  }
  t.equal((await sim.run('mariadb:info', 'x')).stderr.split('\n')[0], ' !     `mariadb:info x` is not a dokku command.')
  t.equal((await sim.run('postgres:connect', 'lollipop')).code, 1, 'not simulated')
})

t.test('<db>:info', async (t) => {
  const sim = await makeSim(t, { setup: referenceDb })
  t.same(await sim.run('postgres:info', 'lollipop'), { code: 0, stdout: fixture('db-info.txt'), stderr: '' })
  t.same(await sim.run('postgres:info', 'lollipop', '--links'), { code: 0, stdout: 'playground \n', stderr: '' })
  t.same(await sim.run('postgres:info', 'lollipop', '--initial-network'), { code: 0, stdout: '\n', stderr: '' })
  t.same(await sim.run('postgres:info', 'lollipop', '--dsn'), { code: 0, stdout: 'postgres://postgres:a1b2c3d4e5f6@dokku-postgres-lollipop:5432/lollipop\n', stderr: '' })
  t.same(await sim.run('postgres:info', 'lollipop', '--nope'), {
    code: 1,
    stdout: '',
    stderr: ' !     Invalid flag passed, valid flags: --config-dir --config-options --data-dir --dsn --exposed-ports --id --internal-ip --initial-network --links --post-create-network --post-start-network --service-root --status --version\n'
  })
  t.same(await sim.run('postgres:info', 'foo'), { code: 1, stdout: '', stderr: ' !     Postgres service foo does not exist\n' })
  t.same(await sim.run('postgres:info'), { code: 1, stdout: '', stderr: ' !     Please specify a valid name for the service\n' })
  t.match((await sim.run('redis:info', 'cache')).stdout, /^=====> cache redis service information\n {7}Config dir: {10}\/var\/lib\/dokku\/services\/redis\/cache\/config\n/)
  t.equal((await sim.run('redis:info', 'cache', '--dsn')).stdout.trim().replace(/:[0-9a-f]{32}@/, ':PW@'), 'redis://:PW@dokku-redis-cache:6379')
  t.equal((await sim.run('postgres:info', 'reporting', '--status')).stdout, 'exited\n')
  t.equal((await sim.run('postgres:info', 'reporting', '--internal-ip')).stdout, '\n')
  t.equal((await sim.run('mysql:info', 'python-db', '--dsn')).stdout.trim().replace(/:[0-9a-f]{32}@/, ':PW@'), 'mysql://mysql:PW@dokku-mysql-python-db:3306/python_db')
})

t.test('<db>:create', async (t) => {
  const sim = await makeSim(t, { setup: (s) => { delete s.services.postgres!.lollipop } })
  const out = await sim.run('postgres:create', 'lollipop')
  t.equal(out.code, 0)
  t.equal(out.stderr, '')
  t.ok(matchesTemplate(out.stdout, fixture('db-create.txt')), 'matches the reference example', { found: out.stdout })
  t.match(out.stdout, /\n {7}Links: {15}- {24}\n/)
  t.same(await sim.run('postgres:create', 'lollipop'), { code: 1, stdout: '', stderr: ' !     Postgres service lollipop already exists\n' })
  t.same(await sim.run('postgres:create', 'bad.name'), { code: 1, stdout: '', stderr: ' !     Please specify a valid name for the service. Valid characters are: [A-Za-z0-9_]+\n' })
  t.same(await sim.run('postgres:create'), { code: 1, stdout: '', stderr: ' !     Please specify a valid name for the service\n' })
  const quiet = await sim.run('--quiet', 'redis:create', 'sessions')
  t.equal(quiet.stdout, '=====> Redis container created: sessions\n' + (await sim.run('--quiet', 'redis:info', 'sessions')).stdout)
  const custom = await sim.run('mysql:create', 'shop', '-p', 'secret', '-I', '8.4.6', '-c', '--max-connections=50')
  t.equal(custom.stderr, ' !     Specified password may not be as secure as the auto-generated password\n')
  t.equal((await sim.run('mysql:info', 'shop', '--version')).stdout, 'mysql:8.4.6\n')
  t.equal((await sim.run('mysql:info', 'shop', '--config-options')).stdout, '--max-connections=50\n')
  t.equal((await sim.run('mysql:info', 'shop', '--dsn')).stdout, 'mysql://mysql:secret@dokku-mysql-shop:3306/shop\n')
  await sim.run('redis:create', 'img', '-i', 'valkey/valkey')
  t.equal((await sim.run('redis:info', 'img', '--version')).stdout, 'valkey/valkey:8.2.1\n')
})

t.test('<db>:link and :unlink', async (t) => {
  const sim = await makeSim(t, { setup: (s) => { referenceDb(s); s.services.postgres!.lollipop!.links = [] } })
  const out = await sim.run('postgres:link', 'lollipop', 'playground')
  t.equal(out.code, 0)
  t.ok(matchesTemplate(out.stdout, fixture('db-link.txt')), 'matches the reference example', { found: out.stdout })
  t.equal((await sim.run('config:get', 'playground', 'DATABASE_URL')).stdout, 'postgres://postgres:a1b2c3d4e5f6@dokku-postgres-lollipop:5432/lollipop\n')
  t.equal((await sim.run('postgres:info', 'lollipop', '--links')).stdout, 'playground \n')
  t.same(await sim.run('postgres:link', 'lollipop', 'playground'), { code: 1, stdout: '', stderr: ' !     Already linked as DATABASE_URL\n' })
  t.same(await sim.run('postgres:linked', 'lollipop', 'playground'), { code: 0, stdout: '-----> Service lollipop is linked to playground\n', stderr: '' })
  t.same(await sim.run('postgres:links', 'lollipop'), { code: 0, stdout: 'playground\n', stderr: '' })
  t.same(await sim.run('postgres:app-links', 'playground'), { code: 0, stdout: 'lollipop\n', stderr: '' })

  // the default alias is taken: colours in order
  t.same(await sim.run('postgres:link', 'ruby-db', 'playground', '--no-restart'), {
    code: 0,
    stdout: `-----> Setting config vars\n       DOKKU_POSTGRES_AQUA_URL:  ${(await sim.run('postgres:info', 'ruby-db', '--dsn')).stdout}       Skipping restart of linked app\n`,
    stderr: ''
  })
  t.same(await sim.run('postgres:link', 'reporting', 'playground', '-a', 'reports', '-q', 'sslmode=require', '-n'), {
    code: 0,
    stdout: `-----> Setting config vars\n       REPORTS_URL:  ${(await sim.run('postgres:info', 'reporting', '--dsn')).stdout.trim()}?sslmode=require\n       Skipping restart of linked app\n`,
    stderr: ''
  })
  await sim.run('postgres:create', 'extra')
  t.same(await sim.run('postgres:link', 'extra', 'playground', '-a', 'REPORTS_URL'), { code: 1, stdout: '', stderr: ' !     Specified alias REPORTS_URL already in use\n' })
  t.match((await sim.run('--no-restart', 'postgres:link', 'extra', 'playground')).stdout, /DOKKU_POSTGRES_BLACK_URL:/)
  t.same(await sim.run('postgres:link', 'extra'), { code: 1, stdout: '', stderr: ' !     Please specify an app to run the command on\n' })
  t.same(await sim.run('postgres:link'), { code: 1, stdout: '', stderr: ' !     Please specify a valid name for the service\n' })
  t.same(await sim.run('postgres:link', 'nope', 'playground'), { code: 1, stdout: '', stderr: ' !     Postgres service nope does not exist\n' })
  t.same(await sim.run('postgres:link', 'extra', 'nope'), { code: 20, stdout: '', stderr: ' !     App nope does not exist\n' })

  const unlink = await sim.run('postgres:unlink', 'lollipop', 'playground')
  t.equal(unlink.code, 0)
  t.match(unlink.stdout, /^-----> Unsetting DATABASE_URL\n-----> Restarting app playground\n-----> Releasing playground\.\.\.\n/)
  t.same(await sim.run('postgres:unlink', 'lollipop', 'playground'), { code: 1, stdout: '', stderr: ' !     Not linked to app playground\n' })
  t.same(await sim.run('postgres:unlink', 'reporting', 'playground', '--no-restart'), { code: 0, stdout: '-----> Unsetting REPORTS_URL\n       Skipping restart of linked app\n', stderr: '' })
  t.same(await sim.run('postgres:linked', 'lollipop', 'playground'), { code: 1, stdout: '', stderr: ' !     Service lollipop is not linked to playground\n' })
  t.same(await sim.run('postgres:unlink'), { code: 1, stdout: '', stderr: ' !     Please specify a valid name for the service\n' })
  t.same(await sim.run('postgres:unlink', 'lollipop'), { code: 1, stdout: '', stderr: ' !     Please specify an app to run the command on\n' })
})

t.test('<db>:link options: the long forms service_parse_args maps, then getopts', async (t) => {
  const sim = await makeSim(t, { setup: (s) => { referenceDb(s); s.services.postgres!.lollipop!.links = [] } })
  const dsn = (svc: string) => sim.run('postgres:info', svc, '--dsn').then((r) => r.stdout.trim())
  t.same(await sim.run('postgres:link', 'reporting', 'playground', '--alias', 'reports', '--querystring', '?sslmode=require', '--no-restart'), {
    code: 0,
    stdout: `-----> Setting config vars\n       REPORTS_URL:  ${await dsn('reporting')}?sslmode=require\n       Skipping restart of linked app\n`,
    stderr: ''
  }, 'what Docklight sends: --alias ALIAS --no-restart after <svc> <app>')
  t.same(await sim.run('postgres:link', 'ruby-db', 'playground', '--alias', 'blue_database_url', '--restart-apps', 'false'), {
    code: 0,
    stdout: `-----> Setting config vars\n       BLUE_DATABASE_URL:  ${await dsn('ruby-db')}\n       Skipping restart of linked app\n`,
    stderr: ''
  }, 'the alias is upper-cased and loses its _URL; -R false also skips the restart')

  const script = '/var/lib/dokku/plugins/enabled/postgres/subcommands/link'
  await sim.run('postgres:create', 'extra')
  t.same(await sim.run('postgres:link', 'extra', 'playground', '--alias=green', '-x', '--no-restart'), {
    code: 0,
    stdout: `-----> Setting config vars\n       LIAS=GREEN_URL:  ${await dsn('extra')}\n       Skipping restart of linked app\n`,
    stderr: `${script}: illegal option -- -\n${script}: illegal option -- x\n`
  }, '--alias=X is not a long form: getopts reads "-", then -a "lias=X"')
  await sim.run('postgres:unlink', 'extra', 'playground', '--no-restart')
  const stops = await sim.run('postgres:link', 'extra', 'playground', 'oops', '--alias', 'late', '--no-restart')
  t.match(stops.stdout, /^-----> Setting config vars\n {7}DATABASE_URL: .*\n {7}Skipping restart of linked app\n$/,
    'getopts stops at the first non-option (no alias); a global --no-restart anywhere still counts')
  await sim.run('postgres:unlink', 'extra', 'playground', '--no-restart')
  t.same((await sim.run('postgres:link', 'extra', 'playground', '--no-restart', '--alias')).stderr, `${script}: option requires an argument -- a\n`)
  await sim.run('postgres:unlink', 'extra', 'playground', '--no-restart')
  t.same(await sim.run('postgres:link', 'extra', 'playground', '-n:', '-agreen', '--', '--alias', 'late'), {
    code: 0,
    stdout: `-----> Setting config vars\n       GREEN_URL:  ${await dsn('extra')}\n       Skipping restart of linked app\n`,
    stderr: `${script}: illegal option -- :\n`
  }, 'clusters, an attached value, and -- ending the options')
  await sim.run('postgres:unlink', 'extra', 'playground', '--no-restart')
  t.match((await sim.run('postgres:link', '--alias', 'x', 'extra')).stderr, /^ !     Postgres service --alias does not exist\n/, '<svc> <app> are read by position')

  const unlinkShort = await sim.run('postgres:unlink', 'ruby-db', 'playground', '-n')
  t.match(unlinkShort.stdout, /^-----> Unsetting BLUE_DATABASE_URL\n-----> Restarting app playground\n/, ':unlink parses no options: -n does not skip the restart')
  t.same(await sim.run('postgres:unlink', 'reporting', 'playground', '--no-restart'), {
    code: 0, stdout: '-----> Unsetting REPORTS_URL\n       Skipping restart of linked app\n', stderr: ''
  }, 'but the global --no-restart does, after the subcommand too')
})

t.test('<db>:destroy', async (t) => {
  const sim = await makeSim(t, { setup: (s) => { referenceDb(s); s.services.postgres!.lollipop!.links = [] } })
  const warn = ' !     WARNING: Potentially Destructive Action\n !     This command will destroy lollipop Postgres service.\n !     To proceed, type "lollipop"\n'
  t.same(await sim.run('postgres:destroy', 'lollipop'), { code: 1, stdout: '\n', stderr: warn + ' !     Confirmation did not match lollipop. Aborted.\n' })
  t.same(await sim.runWith({ stdin: ['nope'] }, 'postgres:destroy', 'lollipop'), { code: 1, stdout: '\n', stderr: warn + ' !     Confirmation did not match lollipop. Aborted.\n' })
  t.same(await sim.run('postgres:destroy', 'lollipop', '-f'), { code: 0, stdout: fixture('db-destroy.txt'), stderr: '' })
  t.same(await sim.run('postgres:exists', 'lollipop'), { code: 1, stdout: '', stderr: ' !     Postgres service lollipop does not exist\n' })
  t.same(await sim.run('postgres:exists', 'ruby-db'), { code: 0, stdout: '-----> Service ruby-db exists\n', stderr: '' })
  t.same(await sim.run('postgres:destroy', 'ruby-db', '--force'), { code: 1, stdout: '', stderr: ' !     Cannot delete linked service\n' })
  t.equal((await sim.runWith({ stdin: ['reporting'] }, 'postgres:destroy', 'reporting')).code, 0)
  t.equal((await sim.run('redis:unlink', 'cache', 'go-worker', '--no-restart')).code, 0)
  t.equal((await sim.run('redis:unlink', 'cache', 'node-js-app', '--no-restart')).code, 0)
  t.equal((await sim.run('--force', 'redis:destroy', 'cache')).code, 0)
  t.equal((await sim.run('redis:destroy', 'cache', 'force')).code, 1)
})
