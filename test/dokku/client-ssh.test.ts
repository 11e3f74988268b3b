/**
 * The whole DokkuClient suite (client.test.ts) again, with every FakeRunner answering what
 * dokku receives over SSH: each argv goes through our transport's quoting, the ssh client's
 * join, and dokku's entry-script re-split (xargs -n 1 through echo, or the naive split of git
 * commands; see ssh-resplit.ts). An argv that does not survive gets no reply and fails its test.
 */
import t from 'tap'
import { FakeRunner, resplitLikeDokkuSsh } from './commands/fake-runner.js'

resplitLikeDokkuSsh()

t.test('the re-split is on for every FakeRunner of this file', async (t) => {
  const runner = new FakeRunner({ 'git:sync app a b': {} })
  t.equal(runner.ssh, true)
  await t.rejects(runner.run('dokku', { args: ['git:sync', 'app', 'a b'] }), { message: `FakeRunner: no reply for "dokku git:sync app 'a b'" (sent as ["git:sync","app","a b"])` },
    'a word with a space reaches a git command with its quotes')
  await t.rejects(runner.run('dokku', { args: ['config:set', 'app', "it's"] }), /no reply for "dokku config:set app it's"$/, 'quoted words arrive unquoted, so they match as sent')
})

await import('./client.test.js')
