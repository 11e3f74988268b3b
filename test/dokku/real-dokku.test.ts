/**
 * Opt-in: the read-only commands against a real Dokku host over SSH, so parsers meet a live
 * dokku and not only the reference. Set DOCKLIGHT_TEST_DOKKU_SSH=dokku@host[:port] (the key and
 * known_hosts entry must already be in place). Nothing here changes the host.
 */
import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { openDatabase } from '../../src/db/database.js'
import { HistoryRepository } from '../../src/db/history.js'
import { DokkuClient } from '../../src/dokku/client.js'
import { DB_PLUGINS } from '../../src/dokku/validate.js'
import { DEFAULT_RUNNER_OPTIONS, Runner } from '../../src/dokku/runner.js'
import { SshTransport } from '../../src/dokku/transport.js'

const target = process.env.DOCKLIGHT_TEST_DOKKU_SSH

if (!target) {
  t.test('read-only commands against a real Dokku host', {
    skip: 'set DOCKLIGHT_TEST_DOKKU_SSH=dokku@host[:port] to run them'
  }, async () => {})
} else {
  t.test('read-only commands against a real Dokku host', async (t) => {
    const config = loadConfig({ DOCKLIGHT_PASSWORD: 'unused-password', DOCKLIGHT_DATA_DIR: t.testdir({}), DOCKLIGHT_DOKKU_SSH: target })
    const history = new HistoryRepository(openDatabase(':memory:'))
    const client = new DokkuClient(new Runner(new SshTransport(config.dokkuSsh!), history, DEFAULT_RUNNER_OPTIONS))

    const version = await client.version()
    t.ok(version.parts, `dokku ${version.raw}`)
    const apps = await client.listApps()
    t.ok(Array.isArray(apps), `${apps.length} apps`)
    const all = await client.psReportAll()
    t.same(all.map((r) => r.app).sort(), [...apps].sort(), 'ps:report covers every app')
    const domains = await client.domainsReportAll()
    t.same(domains.map((r) => r.app).sort(), [...apps].sort(), 'domains:report covers every app')
    for (const app of apps.slice(0, 3)) {
      const [ps, report, scale, dom, certs, config] = await Promise.all([
        client.psReport(app), client.appReport(app), client.getScale(app), client.domainsReport(app),
        client.certsReport(app), client.configExport(app)
      ])
      t.equal(ps.app, app)
      t.equal(report.app, app)
      t.ok(Array.isArray(scale))
      t.ok(Array.isArray(dom.appVhosts))
      t.equal(typeof certs.enabled, 'boolean')
      t.equal(typeof config, 'object')
    }
    t.ok((await client.listPlugins()).length > 0, 'plugins listed')
    for (const plugin of DB_PLUGINS) {
      const services = await client.listServices(plugin)
      t.ok(services.installed === false || Array.isArray(services.services), `${plugin}: ${services.installed ? 'installed' : 'not installed'}`)
    }
    const le = await client.letsencryptList()
    t.ok(le.installed === false || Array.isArray(le.items), 'letsencrypt:list')
    t.notOk(history.list({ limit: 500 }).some((r) => r.status !== 'success'), 'every command succeeded')
  })
}
