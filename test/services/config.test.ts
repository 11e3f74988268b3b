import t from 'tap'
import * as config from '../../src/services/config.js'
import { build } from '../helpers/build.js'

/** The service's own checks, for callers that bring no form (the API, webhooks): nothing runs on bad input. */
t.test('a change with bad input is refused before anything runs or a job starts', async (t) => {
  const { app } = await build(t)
  const host = app.hosts.default
  const APP = 'node-js-app'
  const ran = () => app.history.list({ limit: 1000 }).filter((r) => /config:(set|unset)/.test(r.command)).length

  const refused: Array<[string, () => Promise<unknown>, RegExp]> = [
    ['no variables', () => config.set(host, APP, {}, { noRestart: false }), /at least one variable to set/],
    ['a bad name', () => config.set(host, APP, { 'a-b': 'x' }, { noRestart: false }), /Variable name must start/],
    ['a value too large', () => config.set(host, APP, { BIG: 'x'.repeat(config.MAX_VALUE_BYTES + 1) }, { noRestart: true }), /The value of BIG is too large \(at most 64 KiB\)/],
    ['nothing to unset', () => config.unset(host, APP, [], { noRestart: false }), /at least one variable to remove/],
    ['a flag as a name', () => config.unset(host, APP, ['--all'], { noRestart: true }), /must not start with "-"/]
  ]
  for (const [what, call, message] of refused) {
    await t.rejects(call(), { name: 'InvalidArgumentError', message }, what)
  }
  t.equal(ran(), 0, 'no config:set or config:unset ran')
  t.equal(host.runningJob(APP), undefined, 'no job started')

  t.ok((await config.keys(host, APP)).includes('LOG_LEVEL'), 'read (and cached) before the change')
  const removed = await config.unset(host, APP, ['LOG_LEVEL', 'LOG_LEVEL', 'NODE_ENV', 'REDIS_URL', 'DATABASE_URL'], { noRestart: true })
  t.same(removed, { label: 'Remove 4 variables from node-js-app', job: null }, 'a key given twice is removed once')
  t.same(await config.keys(host, APP), ['GIT_REV', 'SECRET_KEY_BASE'], 'the cached keys were invalidated')
})
