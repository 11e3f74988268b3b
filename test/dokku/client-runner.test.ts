import { fileURLToPath } from 'node:url'
import t, { type Test } from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { HistoryRepository } from '../../src/db/history.js'
import { DokkuClient } from '../../src/dokku/client.js'
import { DokkuError } from '../../src/dokku/errors.js'
import { Runner } from '../../src/dokku/runner.js'
import type { Transport } from '../../src/dokku/transport.js'

// The real Runner and history, with a fake dokku program: what a history row really holds.
const fakeDokku = fileURLToPath(new URL('../fixtures/dokku/fake-dokku.mjs', import.meta.url))
const transport: Transport = { description: 'fake dokku', prepare: (args) => ({ file: process.execPath, args: [fakeDokku, ...args] }) }

function setup (t: Test) {
  const db = openDatabase(':memory:')
  t.teardown(() => db.close())
  const history = new HistoryRepository(db)
  const client = new DokkuClient(new Runner(transport, history))
  return { history, client }
}

t.test('config:set: the history row shows KEY=<redacted> and no value', async (t) => {
  const { history, client } = setup(t)
  const secret = "it's a s3cret with spaces"
  const outcome = await client.configSet('node-js-app', { API_TOKEN: secret })
  const row = history.get(outcome.historyId)
  t.equal(row?.command, 'dokku --quiet config:set --encoded node-js-app API_TOKEN=<redacted>')
  t.equal(row?.status, 'success')
  t.equal(row?.kind, 'action', 'run directly, not as a job: an action')
  t.equal(row?.label, 'Set API_TOKEN on node-js-app')
  t.match(row?.stdout, /API_TOKEN is <redacted>/)
  t.notMatch(JSON.stringify(row), /s3cret/)
})

t.test('<db>:info: the caller gets the DSN; history keeps no output of a successful read', async (t) => {
  const { history, client } = setup(t)
  const info = await client.serviceInfo('postgres', 'lollipop')
  t.equal(info.installed && info.info.dsn, 'postgres://postgres:a1b2c3d4e5f6@dokku-postgres-lollipop:5432/lollipop')
  const row = history.get(history.list({ limit: 1 })[0]!.id)!
  t.equal(row.command, 'dokku postgres:info lollipop')
  t.equal(row.kind, 'read')
  t.equal(row.status, 'success')
  t.equal(row.stdout, '')
  t.equal(row.stderr, '')
})

t.test('exit 20 and a missing plugin, through the real runner', async (t) => {
  const { history, client } = setup(t)
  const e = await client.appReport('ghost').catch((error: unknown) => error)
  t.ok(e instanceof DokkuError)
  t.equal((e as DokkuError).kind, 'app-missing')
  t.equal((e as DokkuError).message, 'App ghost does not exist')
  const row = history.get((e as DokkuError).historyId ?? -1)
  t.equal(row?.status, 'failed')
  t.equal(row?.exitCode, 20)
  t.same(await client.listServices('redis'), { installed: false })
  t.equal(history.list({ limit: 1 })[0]?.command, 'dokku --quiet redis:list')
})

t.test('a missing binary is "unavailable"', async (t) => {
  const db = openDatabase(':memory:')
  t.teardown(() => db.close())
  const missing: Transport = { description: 'missing', prepare: (args) => ({ file: '/nonexistent/dokku', args: [...args] }) }
  const client = new DokkuClient(new Runner(missing, new HistoryRepository(db)))
  await t.rejects(client.listApps(), { name: 'DokkuError', kind: 'unavailable', message: 'dokku is unavailable: program not found: /nonexistent/dokku' })
})
