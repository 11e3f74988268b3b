import t from 'tap'
import { OutputParseError } from '../../../src/dokku/errors.js'
import { parseServiceInfo, parseServiceList } from '../../../src/dokku/parsers/databases.js'
import { parsePluginListJson, parsePluginListText } from '../../../src/dokku/parsers/plugins.js'
import { fixture } from './fixture.js'

t.test('plugin:list text: overflowing names, empty descriptions', async (t) => {
  const list = parsePluginListText(fixture('plugins/list.txt'))
  t.same(list.map((p) => [p.name, p.version, p.enabled, p.core]), [
    ['00_dokku-standard', '0.38.27', true, true],
    ['apps', '0.38.27', true, true],
    ['letsencrypt', '0.25.1', true, false],
    ['postgres', '1.48.0', true, false],
    ['scheduler-docker-local', '0.38.27', true, true],
    ['smoke-test-plugin', '0.2.0', false, false]
  ])
  t.equal(list[2]?.description, "Automated installation of let's encrypt TLS certificates")
  t.equal(list[5]?.description, '')
})

t.test('plugin:list text with the "plugn: x" first line of ≤0.22 (and the docs\' … row)', async (t) => {
  const list = parsePluginListText(fixture('plugins/list-docs-plugn.txt'))
  t.same(list.map((p) => p.name), ['00_dokku-standard', '20_events', 'app-json', 'apps', 'scheduler-docker-local'])
  t.same(parsePluginListText('plugn: 0.5.0\n'), [])
})

t.test('plugin:list --format json', async (t) => {
  t.same(parsePluginListJson(fixture('plugins/list.json')), [
    { name: 'apps', version: '0.38.27', enabled: true, core: true, description: 'dokku core apps plugin', sourceUrl: '', committish: '', branch: '' },
    {
      name: 'postgres',
      version: '1.42.0',
      enabled: true,
      core: false,
      description: 'dokku postgres service plugin',
      sourceUrl: 'https://github.com/dokku/dokku-postgres.git',
      committish: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0',
      branch: 'master'
    }
  ])
  t.same(parsePluginListJson('[{"name":"x"}]')[0], { name: 'x', version: '', enabled: false, core: false, description: '', sourceUrl: '', committish: '', branch: '' })
  t.throws(() => parsePluginListJson('{}'), OutputParseError)
  t.throws(() => parsePluginListJson('[{}]'), OutputParseError)
})

t.test('<db>:list: names under a header, --quiet, none', async (t) => {
  const names = (text: string) => parseServiceList(text).map((s) => s.name)
  t.same(names(fixture('databases/list.txt')), ['lollipop', 'other_db'])
  t.same(names('l\n'), ['l'], 'dokku --quiet postgres:list')
  t.same(parseServiceList(''), [])
  t.same(parseServiceList(fixture('databases/list-none.stderr.txt')), [])
  t.same(parseServiceList(fixture('databases/list.txt'))[0], { name: 'lollipop', version: null, status: null, exposedPorts: null, links: null })
})

t.test('<db>:list: the pre-1.10 table (with and without its header)', async (t) => {
  const expected = [
    { name: 'lollipop', version: 'postgres:11.6', status: 'running', exposedPorts: [], links: ['playground'] },
    { name: 'other_db', version: 'postgres:11.6', status: 'exited', exposedPorts: ['5432->23456'], links: ['app1', 'app2'] }
  ]
  t.same(parseServiceList(fixture('databases/list-old-table.txt')), expected)
  t.same(parseServiceList(fixture('databases/list-old-table.txt').split('\n').slice(1).join('\n')), expected)
})

t.test('<db>:info: %-20s rows, trailing spaces, "-" for none', async (t) => {
  const info = parseServiceInfo('lollipop', fixture('databases/info.txt'))
  t.same(info, {
    service: 'lollipop',
    status: 'running',
    version: 'postgres:17.6',
    dsn: 'postgres://postgres:a1b2c3d4e5f6@dokku-postgres-lollipop:5432/lollipop',
    exposedPorts: [],
    links: ['playground'],
    id: '5e1b7a3c0f9d2e4b6a8c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a',
    internalIp: '172.17.0.5',
    configDir: '/var/lib/dokku/services/postgres/lollipop/data',
    configOptions: '',
    dataDir: '/var/lib/dokku/services/postgres/lollipop/data',
    serviceRoot: '/var/lib/dokku/services/postgres/lollipop',
    initialNetwork: '',
    postCreateNetwork: '',
    postStartNetwork: '',
    raw: info.raw
  })
  t.equal(info.raw['post-create-network'], '', 'a 20-character label')
})

t.test('<db>:info: exposed ports and several links', async (t) => {
  const info = parseServiceInfo('x', '=====> x redis service information\n       Exposed ports:       6379->23456              \n       Links:               app1 app2                \n')
  t.same(info.exposedPorts, ['6379->23456'])
  t.same(info.links, ['app1', 'app2'])
  t.throws(() => parseServiceInfo('x', ''), OutputParseError)
})

t.test('<db>:create ends with the info block (which may be elided in the reference)', async (t) => {
  const text = fixture('databases/create.txt')
  t.match(text, /container created: lollipop/)
  const info = parseServiceInfo('lollipop', text)
  t.equal(info.service, 'lollipop')
})
