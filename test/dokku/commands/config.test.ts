import t from 'tap'
import * as config from '../../../src/dokku/commands/config.js'
import { InvalidArgumentError } from '../../../src/dokku/errors.js'
import { fixture } from '../parsers/fixture.js'
import { HOSTILE } from './versions.js'

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')

t.test('config:export --format json', async (t) => {
  const spec = config.configExport('a')
  t.same(spec.args, ['config:export', '--format', 'json', 'a'])
  t.same(spec.parse({ stdout: fixture('config/export.json'), stderr: '', exitCode: 0 }), { BKEY: 'true', aKey: 'true', bKey: 'true', zKey: 'true' })
  t.equal(spec.redactOutput?.(fixture('config/export.json')), '{"BKEY":"<redacted>","aKey":"<redacted>","bKey":"<redacted>","zKey":"<redacted>"}\n')
})

t.test('config:set: --quiet first, --encoded base64 values, history shows KEY=<redacted>', async (t) => {
  const spec = config.configSet('a', { API_KEY: 's3cret value', EMPTY: '' })
  t.same(spec.args, ['--quiet', 'config:set', '--encoded', 'a', `API_KEY=${b64('s3cret value')}`, 'EMPTY='])
  t.same(spec.display, ['--quiet', 'config:set', '--encoded', 'a', 'API_KEY=<redacted>', 'EMPTY=<redacted>'])
  t.equal(spec.kind, 'job')
  t.notMatch(spec.label ?? '', /s3cret/)
})

t.test('config:set --no-restart, and values of any bytes', async (t) => {
  const value = 'multi\nline \'quoted\' "x" $(id) `id` ; | & é ☃ \u0000 \r\n'
  const spec = config.configSet('a', { K: value, BIN: new Uint8Array([0, 255, 10, 45]) }, { noRestart: true })
  t.same(spec.args.slice(0, 5), ['--quiet', 'config:set', '--encoded', '--no-restart', 'a'])
  t.equal(Buffer.from((spec.args[5] ?? '').slice(2), 'base64').toString('utf8'), value, 'exact round trip')
  t.same([...Buffer.from((spec.args[6] ?? '').slice(4), 'base64')], [0, 255, 10, 45])
  for (const arg of spec.args) {
    t.notOk(arg.startsWith('-') && !['--quiet', '--encoded', '--no-restart'].includes(arg), arg)
    t.notMatch(arg, /[\n\0]/)
  }
  t.equal(spec.kind, 'action')
})

t.test('config:set redacts its own output', async (t) => {
  const spec = config.configSet('node-js-app', { APP_ENV: 'production-secret' })
  const stored = spec.redactOutput?.(fixture('config/set.txt') + 'echo production-secret\n') ?? ''
  t.match(stored, /APP_ENV:\s+<redacted>/)
  t.match(stored, /COMPILE_ASSETS:\s+<redacted>/)
  t.notMatch(stored, /production-secret/)
  t.match(stored, /-----> Restarting app node-js-app/)
})

t.test('config:set refuses bad keys and bad values', async (t) => {
  t.throws(() => config.configSet('a', {}), { name: 'InvalidArgumentError', field: 'key' })
  for (const key of ['1A', 'A-B', 'A B', 'A=B', '-A', 'A\n', '$A', 'A;id']) {
    t.throws(() => config.configSet('a', { [key]: 'v' }), InvalidArgumentError, key)
  }
  t.throws(() => config.configSet('a', { A: 42 as unknown as string }), { name: 'InvalidArgumentError', field: 'A' })
  t.throws(() => config.configSet('a', { A: 'x'.repeat(config.MAX_VALUE_BYTES + 1) }), { name: 'InvalidArgumentError', field: 'A' })
  for (const app of HOSTILE) t.throws(() => config.configSet(app, { A: 'v' }), InvalidArgumentError)
})

t.test('config:unset', async (t) => {
  t.same(config.configUnset('a', ['A', 'B', 'A']).args, ['config:unset', 'a', 'A', 'B'])
  t.same(config.configUnset('a', ['A'], { noRestart: true }).args, ['config:unset', '--no-restart', 'a', 'A'])
  t.throws(() => config.configUnset('a', []), { name: 'InvalidArgumentError', field: 'key' })
  t.throws(() => config.configUnset('a', ['--global']), InvalidArgumentError)
})

t.test('config:get: an unset key is an answer, not a failure', async (t) => {
  const spec = config.configGet('a', 'K')
  t.same(spec.args, ['config:get', 'a', 'K'])
  t.equal(spec.parse({ stdout: 'v\n', stderr: '', exitCode: 0 }), 'v')
  const unset = { stdout: '', stderr: '', exitCode: 1 }
  t.equal(spec.acceptFailure?.(unset), true)
  t.equal(spec.parse(unset), null)
  t.equal(spec.acceptFailure?.({ stdout: '', stderr: ' !     App a does not exist\n', exitCode: 20 }), false)
  t.equal(spec.acceptFailure?.({ stdout: '', stderr: ' !     Expected: key\n', exitCode: 1 }), false)
  t.equal(spec.redactOutput?.('v\n'), '<redacted>\n')
})

t.test('config:keys', async (t) => {
  const spec = config.configKeys('a')
  t.same(spec.args, ['config:keys', 'a'])
  t.same(spec.parse({ stdout: 'A\nB\n', stderr: '', exitCode: 0 }), ['A', 'B'])
})
