import t from 'tap'
import { InvalidArgumentError } from '../../src/dokku/errors.js'
import {
  validateAppName, validateConfirmation, validateDbPlugin, validateDomain, validateDomains, validateEmail, validateEnvKey,
  validateLogLines, validateNewAppName, validateProcessType, validateScaleCount, validateServiceName
} from '../../src/dokku/validate.js'
import { HOSTILE } from './commands/versions.js'

t.test('every validator refuses the hostile values, with a field and a message', async (t) => {
  const validators: Array<[string, (v: unknown) => unknown]> = [
    ['app', validateAppName], ['app', validateNewAppName], ['key', validateEnvKey], ['service', validateServiceName],
    ['domain', validateDomain], ['process', validateProcessType], ['email', validateEmail], ['plugin', validateDbPlugin]
  ]
  for (const [field, validate] of validators) {
    for (const bad of [...HOSTILE, undefined, null, 42, ['a']]) {
      let error: unknown
      try { validate(bad) } catch (e) { error = e }
      t.ok(error instanceof InvalidArgumentError && error.field === field && error.message.length > 10,
        `${validate.name}(${String(JSON.stringify(bad)).slice(0, 30)})`)
    }
  }
})

t.test('messages say what is wrong and never echo the value', async (t) => {
  const message = (f: () => unknown) => { try { f(); return '' } catch (e) { return (e as Error).message } }
  t.equal(message(() => validateAppName('')), 'App name is required')
  t.equal(message(() => validateAppName('-n')), 'App name must not start with "-"')
  t.match(message(() => validateAppName('a\nb')), /control characters/)
  t.match(message(() => validateAppName('a'.repeat(101))), /too long/)
  t.notMatch(message(() => validateEnvKey('SECRET-VALUE')), /SECRET-VALUE/)
  t.equal(validateAppName('a', 'name'), 'a')
  t.throws(() => validateAppName('A', 'name'), { name: 'InvalidArgumentError', field: 'name' })
})

t.test('app names: dokku\'s rule, legacy underscores for existing apps only', async (t) => {
  for (const ok of ['node-js-app', '1994testapp', 'my.app', 'a', 'a'.repeat(100)]) t.equal(validateAppName(ok), ok)
  t.equal(validateAppName('old_app'), 'old_app')
  t.throws(() => validateNewAppName('old_app'), InvalidArgumentError)
  for (const bad of ['TestApp', '.app', '_app', 'app/x', 'app:latest', 'app name']) t.throws(() => validateAppName(bad), InvalidArgumentError, bad)
})

t.test('env keys, service names, process types', async (t) => {
  for (const ok of ['A', '_A', 'aKey', 'DATABASE_URL', 'A1']) t.equal(validateEnvKey(ok), ok)
  for (const bad of ['1A', 'A-B', 'A.B', 'A=B']) t.throws(() => validateEnvKey(bad), InvalidArgumentError, bad)
  for (const ok of ['lollipop', 'other_db', 'my-db', 'DB1']) t.equal(validateServiceName(ok), ok)
  for (const bad of ['a.b', 'a b', 'a/b']) t.throws(() => validateServiceName(bad), InvalidArgumentError, bad)
  for (const ok of ['web', 'worker_2', 'my-worker']) t.equal(validateProcessType(ok), ok)
  for (const bad of ['web.1', 'web=1', 'a'.repeat(64)]) t.throws(() => validateProcessType(bad), InvalidArgumentError, bad)
})

t.test('domains: lowercased, wildcard, catch-all, dokku\'s ending rule', async (t) => {
  t.equal(validateDomain('WWW.Example.COM'), 'www.example.com')
  t.equal(validateDomain('*.example.com'), '*.example.com')
  t.equal(validateDomain('_'), '_')
  t.equal(validateDomain('localhost'), 'localhost')
  for (const bad of ['example.com.', 'foo_bar', 'a..b/c', 'x.io:80', 'é.com', 'a'.repeat(254)]) t.throws(() => validateDomain(bad), InvalidArgumentError, bad)
  t.same(validateDomains(['a.io', 'A.io', 'b.io']), ['a.io', 'b.io'])
  t.throws(() => validateDomains('a.io'), { name: 'InvalidArgumentError', field: 'domains' })
  t.throws(() => validateDomains([]), InvalidArgumentError)
})

t.test('counts and line numbers are small integers', async (t) => {
  t.equal(validateScaleCount(0), 0)
  t.equal(validateScaleCount('12'), 12)
  t.equal(validateScaleCount(' 3 '), 3)
  t.equal(validateScaleCount(100), 100)
  for (const bad of [-1, 101, 1.5, NaN, Infinity, '1.5', '-1', '0x10', '1e2', '', null, '9999999']) {
    t.throws(() => validateScaleCount(bad), { name: 'InvalidArgumentError', field: 'count' }, String(bad))
  }
  t.equal(validateLogLines(1), 1)
  t.equal(validateLogLines('10000'), 10000)
  t.throws(() => validateLogLines(0), InvalidArgumentError)
})

t.test('e-mail, database plugins, confirmation', async (t) => {
  for (const ok of ['admin@example.com', 'a.b+c@sub.example.co.uk']) t.equal(validateEmail(ok), ok)
  for (const bad of ['admin', 'admin@', '@example.com', 'a@b', 'a@@b.com', 'a b@c.com', 'a@-x.com', '"a"@b.com']) {
    t.throws(() => validateEmail(bad), InvalidArgumentError, bad)
  }
  for (const p of ['postgres', 'redis', 'mysql', 'mariadb', 'mongo']) t.equal(validateDbPlugin(p), p)
  t.throws(() => validateDbPlugin('postgresql'), { name: 'InvalidArgumentError', field: 'plugin' })
  validateConfirmation('app', 'app')
  validateConfirmation(' app ', 'app')
  t.throws(() => validateConfirmation('ap', 'app'), { name: 'InvalidArgumentError', field: 'confirm', message: 'Type "app" to confirm' })
  t.throws(() => validateConfirmation(undefined, 'app'), InvalidArgumentError)
})
