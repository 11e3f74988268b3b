import t from 'tap'
import { DokkuError, dokkuMessages, errorFromRun, httpStatusFor, InvalidArgumentError, type FailedRun } from '../../src/dokku/errors.js'
import { fixture } from './parsers/fixture.js'

const run = (over: Partial<FailedRun>): FailedRun => ({ id: 7, status: 'failed', exitCode: 1, stdout: '', stderr: '', error: null, ...over })

t.test('dokku messages: the " !     " prefix removed, continuation lines kept', async (t) => {
  t.same(dokkuMessages(fixture('apps/create-errors.stderr.txt')), [
    'Please specify an app to run the command on',
    'App name must begin with lowercase alphanumeric character, and may only contain lowercase alphanumerics, dots, and hyphens',
    'Name is already taken'
  ])
  t.same(dokkuMessages(fixture('letsencrypt/enable-no-email.stderr.txt')), [
    'ERROR: Cannot request a certificate without an e-mail address!',
    'please provide your e-mail address using',
    'dokku letsencrypt:set node-js-app email <e-mail>'
  ])
  t.same(dokkuMessages('-----> ok\n !\n  ! not one\n'), [])
})

t.test('exit codes and messages become kinds', async (t) => {
  const cases: Array<[Partial<FailedRun>, DokkuError['kind'], string]> = [
    [{ exitCode: 20, stderr: fixture('errors/app-missing.stderr.txt') }, 'app-missing', 'App node-js-app does not exist'],
    [{ exitCode: 1, stderr: fixture('errors/app-missing.stderr.txt') }, 'app-missing', 'App node-js-app does not exist'],
    [{ exitCode: 1, stderr: fixture('databases/missing.stderr.txt') }, 'service-missing', 'Postgres service foo does not exist'],
    [{ exitCode: 1, stderr: fixture('misc/unknown-command.stderr.txt') }, 'not-installed', '`foo:bar arg1` is not a dokku command.\nSee `dokku help` for a list of available commands.'],
    [{ exitCode: 1, stderr: fixture('ps/not-deployed.stderr.txt') }, 'not-deployed', 'App node-js-app has not been deployed'],
    [{ exitCode: 1, stderr: ' !     Name is already taken\n' }, 'conflict', 'Name is already taken'],
    [{ exitCode: 1, stderr: ' !     Postgres service lollipop already exists\n' }, 'conflict', 'Postgres service lollipop already exists'],
    [{ exitCode: 1, stderr: ' !     Already linked as DATABASE_URL\n' }, 'conflict', 'Already linked as DATABASE_URL'],
    [{ exitCode: 1, stdout: fixture('ps/rebuild-locked.txt') }, 'locked', "node-js-app currently has a deploy lock in place. Exiting...\nRun 'apps:unlock' to release the existing deploy lock"],
    [{ exitCode: 1, stderr: fixture('errors/root.stderr.txt') }, 'forbidden', 'This command must be run as root'],
    [{ exitCode: 1, stderr: 'sudo: a password is required\n' }, 'forbidden', 'sudo: a password is required'],
    [{ exitCode: 2, stderr: fixture('errors/unknown-flag.stderr.txt') }, 'failed', 'unknown flag: --format'],
    [{ exitCode: 1, stderr: ' !     Invalid flag passed, valid flags: --a, --b\n' }, 'failed', 'Invalid flag passed, valid flags: --a, --b'],
    [{ exitCode: 255, stderr: 'ssh: connect to host h port 22: Connection refused\n' }, 'unavailable', 'could not reach dokku: ssh: connect to host h port 22: Connection refused'],
    [{ status: 'error', exitCode: null, error: 'program not found: dokku' }, 'unavailable', 'dokku is unavailable: program not found: dokku'],
    [{ status: 'timeout', exitCode: null, error: 'timed out after 60 s' }, 'timeout', 'timed out after 60 s'],
    [{ status: 'cancelled', exitCode: null, error: 'cancelled' }, 'cancelled', 'cancelled'],
    [{ exitCode: 1 }, 'failed', 'dokku exited with code 1'],
    [{ exitCode: 1, stdout: 'last words\n' }, 'failed', 'last words'],
    [{ exitCode: 1, stderr: 'one\ntwo\nthree\nfour\n' }, 'failed', 'two\nthree\nfour'],
    [{ status: 'interrupted', exitCode: null }, 'unavailable', 'dokku is unavailable: interrupted'],
    [{ status: 'timeout', exitCode: null }, 'timeout', 'dokku timed out']
  ]
  for (const [over, kind, message] of cases) {
    const e = errorFromRun(run(over), { command: 'dokku x' })
    t.equal(e.kind, kind, message)
    t.equal(e.message, message)
    t.equal(e.historyId, 7)
    t.equal(e.command, 'dokku x')
    t.equal(e.exitCode, over.exitCode === undefined ? 1 : over.exitCode)
  }
  t.equal(errorFromRun(run({ status: 'error', exitCode: null })).message, 'dokku is unavailable: error')
})

t.test('messages are redacted', async (t) => {
  const e = errorFromRun(run({ stderr: ' !     bad value postgres://u:pw@h/db\n' }), { redact: (s) => s.replace('pw', 'XX') })
  t.equal(e.message, 'bad value postgres://u:XX@h/db')
  t.equal(errorFromRun(run({ exitCode: null, status: 'failed' })).message, 'dokku ended with status failed')
})

t.test('HTTP statuses for routes', async (t) => {
  t.equal(httpStatusFor(new InvalidArgumentError('app', 'x')), 400)
  const status = (kind: DokkuError['kind']) => httpStatusFor(new DokkuError(kind, 'x'))
  t.equal(status('app-missing'), 404)
  t.equal(status('service-missing'), 404)
  t.equal(status('not-installed'), 404)
  t.equal(status('conflict'), 409)
  t.equal(status('locked'), 409)
  t.equal(status('not-deployed'), 409)
  t.equal(status('timeout'), 504)
  t.equal(status('unavailable'), 503)
  t.equal(status('cancelled'), 499)
  t.equal(status('failed'), 502)
  t.equal(status('forbidden'), 502)
  t.equal(status('parse'), 502)
  t.equal(httpStatusFor(new Error('x')), 500)
  const e = new DokkuError('failed', 'm')
  t.same([e.exitCode, e.historyId, e.command, e.name], [null, null, null, 'DokkuError'])
})
