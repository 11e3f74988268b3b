import t from 'tap'
import { OutputParseError } from '../../../src/dokku/errors.js'
import { labelToKey, parseReportJson, parseReportText, singleReport, stripPrefix } from '../../../src/dokku/parsers/report.js'
import { fixture } from './fixture.js'

t.test('labels map back to their flags', async (t) => {
  t.equal(labelToKey('Ps can scale'), 'ps-can-scale')
  t.equal(labelToKey('Status web 1'), 'status-web-1')
  t.equal(labelToKey('Status web.1'), 'status-web.1')
  t.equal(labelToKey('Letsencrypt dns provider OVH_APPLICATION_KEY'), 'letsencrypt-dns-provider-OVH_APPLICATION_KEY')
  t.equal(labelToKey('resource _default_ limit memory'), 'resource-_default_-limit-memory')
})

t.test('Go layout: header, sorted rows, empty values with trailing spaces', async (t) => {
  const [section, ...rest] = parseReportText(fixture('apps/report.txt'))
  t.equal(rest.length, 0)
  t.equal(section?.name, 'node-js-app')
  t.equal(section?.type, 'app')
  t.equal(section?.global, false)
  t.equal(section?.fields.get('app-created-at'), '1735689600')
  t.equal(section?.fields.get('app-global-disable-autocreation'), '', 'trailing space is not a value')
  t.equal(section?.fields.get('app-locked'), 'false')
})

t.test('old bash layout: values padded to 25 and labels over 30 characters', async (t) => {
  const [section] = parseReportText(fixture('letsencrypt/report.txt'))
  t.equal(section?.fields.get('letsencrypt-active'), 'true')
  t.equal(section?.fields.get('letsencrypt-computed-dns-provider'), '')
  t.equal(section?.fields.get('letsencrypt-computed-graceperiod'), '2592000', 'overflowing label, single space')
  t.equal(section?.fields.get('letsencrypt-computed-server'), 'https://acme-v02.api.letsencrypt.org/directory', 'value with colons')
})

t.test('a label of 31+ characters runs into its value (0.22–0.24 fixed pad)', async (t) => {
  const [section] = parseReportText('=====> a ps information\n       Ps computed stop timeout seconds:30\n')
  t.equal(section?.fields.get('ps-computed-stop-timeout-seconds'), '30')
})

t.test('global headers: Go literal --global, bash "global" and "Global"', async (t) => {
  t.equal(parseReportText(fixture('ps/report-global.txt'))[0]?.global, true)
  t.equal(parseReportText(fixture('domains/report-global.txt'))[0]?.name, '--global')
  t.equal(parseReportText('=====> Global domains information\n       Domains global enabled:        true                     \n')[0]?.global, true)
  t.equal(parseReportText('=====> global ssl information\n')[0]?.global, true)
})

t.test('several apps one after the other', async (t) => {
  const sections = parseReportText(fixture('ps/report-all.txt'))
  t.same(sections.map((s) => s.name), ['node-js-app', 'python-app'])
  t.equal(sections[1]?.fields.get('deployed'), 'false')
})

t.test('rows without a header (quiet) and lines that are not rows', async (t) => {
  const [section] = parseReportText('       Deployed: true\n !     something\n-----> noise\nplain\n')
  t.equal(section?.name, '')
  t.same([...(section?.fields ?? new Map()).entries()], [['deployed', 'true']])
  t.same(parseReportText(''), [])
})

t.test('the generic parser reads every other report in the reference', async (t) => {
  const git = parseReportText(fixture('misc/git-report.txt'))[0]
  t.equal(git?.fields.get('git-sha'), 'cd7b8afccb202f222e7dc7b427553e71ba5ddafd')
  t.equal(git?.fields.get('git-deploy-branch'), '')
  t.equal(git?.fields.get('git-computed-archive-max-files'), '10000')
  const bp = stripPrefix(parseReportText(fixture('misc/buildpacks-report.txt'))[0]?.fields ?? new Map(), 'buildpacks')
  t.equal(bp.get('list'), 'https://github.com/heroku/heroku-buildpack-nodejs.git,https://github.com/heroku/heroku-buildpack-python.git')
  const checks = parseReportText(fixture('misc/checks-report.txt'))[0]
  t.equal(checks?.fields.get('checks-disabled-list'), 'none')
  t.equal(checks?.fields.get('checks-computed-wait-to-retire'), '60')
  const resource = parseReportText(fixture('misc/resource-report.txt'))[0]
  t.equal(resource?.fields.get('resource-_default_-limit-memory'), '512MB')
  t.equal(resource?.fields.get('resource-web-reserve-cpu'), '0.5')
})

t.test('JSON: legacy prefixed keys and stripped keys read the same', async (t) => {
  const [bp] = parseReportJson(fixture('misc/buildpacks-report.json'))
  const fields = stripPrefix(bp ?? new Map(), 'buildpacks')
  t.equal(fields.get('computed-stack'), 'gliderlabs/herokuish:latest-24')
  t.notOk(fields.has('buildpacks-list'))
  const [resource] = parseReportJson(fixture('misc/resource-report.json'))
  t.equal(stripPrefix(resource ?? new Map(), 'resource').get('_default_.limit.memory'), '512MB')
  const winner = stripPrefix(new Map([['ps-x', 'legacy'], ['x', 'new']]), 'ps')
  t.equal(winner.get('x'), 'new', 'the stripped key wins')
})

t.test('JSON: one object per line (all apps), non-string values, bad output', async (t) => {
  const rows = parseReportJson('{"a":"1"}\n{"a":"2","n":3,"z":null}\n')
  t.same(rows.map((r) => Object.fromEntries(r)), [{ a: '1' }, { a: '2', n: '3', z: '' }])
  t.throws(() => parseReportJson('[1,2]'), OutputParseError)
  t.throws(() => parseReportJson(' !     oops'), OutputParseError)
  t.throws(() => singleReport('', 'json', 'ps'), OutputParseError)
  t.throws(() => singleReport('', 'text', 'ps'), OutputParseError)
})
