import t from 'tap'
import { OutputParseError } from '../../../src/dokku/errors.js'
import { parseAppReport, parseAppsListJson, parseAppsListText } from '../../../src/dokku/parsers/apps.js'
import { formatVersion, parseVersion, UNKNOWN_VERSION, versionAtLeast } from '../../../src/dokku/parsers/version.js'
import { fixture } from './fixture.js'

t.test('apps:list with the My Apps header, with --quiet, and as JSON', async (t) => {
  t.same(parseAppsListText(fixture('apps/list.txt')), ['node-js-app', 'python-app'])
  t.same(parseAppsListText(fixture('apps/list-quiet.txt')), ['node-js-app', 'python-app'])
  t.same(parseAppsListJson(fixture('apps/list.json')), ['node-js-app', 'python-app'])
  t.same(parseAppsListJson('[]\n'), [])
})

t.test('apps:list with no apps: header only, the warning is on stderr', async (t) => {
  t.same(parseAppsListText(fixture('apps/list-none.txt')), [])
  t.same(parseAppsListText(fixture('apps/list-none.stderr.txt')), [], 'a stray warning line is not an app')
})

t.test('apps:list JSON that is not a list of names', async (t) => {
  t.throws(() => parseAppsListJson('{"a":1}'), OutputParseError)
  t.throws(() => parseAppsListJson('=====> My Apps'), OutputParseError)
})

t.test('apps:report current text, old docs text, and JSON give the same report', async (t) => {
  const text = parseAppReport('node-js-app', fixture('apps/report.txt'), 'text')
  const json = parseAppReport('node-js-app', fixture('apps/report.json'), 'json')
  for (const r of [text, json]) {
    t.equal(r.app, 'node-js-app')
    t.same(r.createdAt, new Date(1735689600 * 1000))
    t.equal(r.deploySource, 'git')
    t.equal(r.deploySourceMetadata, 'cd7b8afccb202f222e7dc7b427553e71ba5ddafd')
    t.equal(r.dir, '/home/dokku/node-js-app')
    t.equal(r.locked, false)
    t.equal(r.raw['global-disable-autocreation'], '')
  }
  t.notOk('app-dir' in json.raw, 'legacy keys are folded into the stripped ones')
  const old = parseAppReport('node-js-app', fixture('apps/report-docs-old.txt'), 'text')
  t.same(old.createdAt, new Date(1635126111 * 1000))
  t.equal(old.dir, '/home/dokku/node-js-app')
})

t.test('apps:report JSON from 0.23.1–0.38.7: prefixed keys only, no created-at', async (t) => {
  const r = parseAppReport('node-js-app', fixture('apps/report-0.23.json'), 'json')
  t.equal(r.createdAt, null)
  t.equal(r.locked, true)
  t.equal(r.deploySource, 'git')
})

t.test('dokku version in every install flavour', async (t) => {
  t.same(parseVersion(fixture('version/release.txt')), { raw: '0.38.27', parts: [0, 38, 27], dev: false })
  t.same(parseVersion(fixture('version/nightly.txt')).parts, [0, 38, 27])
  t.same(parseVersion(fixture('version/git.txt')).parts, [0, 38, 27])
  const master = parseVersion(fixture('version/master.txt'))
  t.same(master, { raw: '~master (2026-08-21T20:18+00:00)', parts: null, dev: true })
  t.throws(() => parseVersion(fixture('version/missing.stderr.txt')), OutputParseError)
})

t.test('version comparisons', async (t) => {
  const v = (s: string) => parseVersion(`dokku version ${s}\n`)
  t.ok(versionAtLeast(v('0.38.21'), '0.38.21'))
  t.ok(versionAtLeast(v('0.38.22'), '0.38.21'))
  t.ok(versionAtLeast(v('1.0.0'), '0.38.21'))
  t.notOk(versionAtLeast(v('0.38.20'), '0.38.21'))
  t.notOk(versionAtLeast(v('0.9.99'), '0.23.1'))
  t.ok(versionAtLeast(v('~master (x)'), '9.9.9'), 'a dev build is the newest')
  t.notOk(versionAtLeast(UNKNOWN_VERSION, '0.1.0'), 'an unknown version is the oldest')
  t.equal(formatVersion(v('v0.38.27-33-g33896f5d7')), '0.38.27')
  t.equal(formatVersion(v('~master (x)')), '~master (x)')
  t.equal(formatVersion(UNKNOWN_VERSION), 'unknown')
})
