import t from 'tap'
import { parseBuilderReport, parseBuildpacksReport, parseDockerfileReport } from '../../../src/dokku/parsers/builder.js'
import { parseChecksReport, parseProcessList } from '../../../src/dokku/parsers/checks.js'
import { parseCronList } from '../../../src/dokku/parsers/cron.js'
import { parseDockerOptionsReport, splitOptions } from '../../../src/dokku/parsers/docker-options.js'
import { parseHttpAuthReport, parseMaintenanceReport } from '../../../src/dokku/parsers/maintenance.js'
import { parseNginxReport } from '../../../src/dokku/parsers/nginx.js'
import { parsePortMapJson, parsePortsReport } from '../../../src/dokku/parsers/ports.js'
import { parseProxyReport } from '../../../src/dokku/parsers/proxy.js'
import { parseResourceReport } from '../../../src/dokku/parsers/resource.js'
import { parseStorageList } from '../../../src/dokku/parsers/storage.js'
import { OutputParseError } from '../../../src/dokku/errors.js'
import { fixture } from './fixture.js'

const ID1 = '247690ba52tdfo1wwtdro75ksuq6sxb1gsws3ck8x8olqljlrnfcn5fe9bhxw321'
const ID2 = '2z18j67uhp8m8a2zgpo153onr1qfxjlz1qum810m256e6i1y0srr54c0t70belgth62'
const maps = (list: Array<{ text: string }>) => list.map((m) => m.text)

t.test('ports:report: 0.38.26 JSON (maps parsed twice), its text rows, and the layouts before', async (t) => {
  for (const [file, format] of [['ports-report.json', 'json'], ['ports-report.txt', 'text']] as const) {
    const r = parsePortsReport('node-js-app', fixture(`settings/${file}`), format)
    t.same(maps(r.configured), ['http:80:5000', 'https:443:5000'], file)
    t.same(r.configured[1], { scheme: 'https', hostPort: 443, containerPort: 5000, text: 'https:443:5000' })
    t.same(maps(r.effective), maps(r.configured))
  }
  const none = parsePortsReport('node-js-app', fixture('settings/ports-report-none.json'), 'json')
  t.same(none.configured, [], '`null`, not `[]`, means no map is configured')
  t.same(maps(none.effective), ['http:80:5000'], 'then the detected map applies')
  const v038 = parsePortsReport('a', fixture('settings/ports-report-0.38.8.json'), 'json')
  t.same(maps(v038.configured), ['http:8080:5000'], 'before 0.38.26: the space-joined strings')
  t.same(maps(v038.detected), ['http:80:5000'])
  const v031 = parsePortsReport('a', fixture('settings/ports-report-0.31.json'), 'json')
  t.same([v031.configured, maps(v031.detected)], [[], ['http:80:5000']], 'before 0.38.8: `ports-` keys only')
  t.same(parsePortMapJson('[]'), [])
  t.throws(() => parsePortMapJson('{"scheme":"http"}'), OutputParseError)
  t.throws(() => parsePortMapJson('[{"scheme":"http","host_port":"80"}]'), OutputParseError)
})

t.test('proxy:report: 0.38.8+ JSON; the old four keys, where computed hid the app type', async (t) => {
  const text = parseProxyReport('node-js-app', fixture('settings/proxy-report.txt'), 'text')
  t.match(text, { enabled: true, type: 'nginx', appType: '', globalType: '' })
  const disabled = parseProxyReport('a', fixture('settings/proxy-report-disabled.json'), 'json')
  t.match(disabled, { enabled: false, type: 'nginx' })
  const old = parseProxyReport('a', fixture('settings/proxy-report-0.35.txt'), 'text')
  t.equal(old.type, 'caddy', 'the app\'s own type wins over a computed type that preferred the global default')
  t.equal(old.globalType, 'nginx')
})

t.test('checks:report: JSON (stripped keys only), the Go and the bash text layouts', async (t) => {
  t.match(parseChecksReport('a', fixture('settings/checks-report.json'), 'json'), { disabled: [], skipped: [], computedWaitToRetire: '60', waitToRetire: '' })
  t.match(parseChecksReport('a', fixture('misc/checks-report.txt'), 'text'), { disabled: [], skipped: [], computedWaitToRetire: '60' })
  t.match(parseChecksReport('a', fixture('settings/checks-report-bash.txt'), 'text'), { disabled: ['web'], skipped: ['worker'], computedWaitToRetire: '60' },
    'a 31-character label overflowing the bash pad still parses')
  t.match(parseChecksReport('a', fixture('settings/checks-report-all.json'), 'json'), { disabled: 'all', waitToRetire: '30' })
  t.same(parseProcessList(' web, worker'), ['web', 'worker'], 'dokku keeps spaces; we do not')
  t.same(parseProcessList('none'), [])
})

t.test('resource:report: JSON and both label layouts; nothing set is no rows', async (t) => {
  const want = { limits: { _default_: { memory: '512MB' } }, reservations: { web: { cpu: '0.5' } } }
  t.match(parseResourceReport('a', fixture('misc/resource-report.json'), 'json'), want)
  t.match(parseResourceReport('a', fixture('misc/resource-report.txt'), 'text'), want)
  const old = parseResourceReport('a', fixture('settings/resource-report-0.38.txt'), 'text')
  t.same(old.limits, { _default_: { memory: '512MB' }, web: { 'memory-swap': '1g' } }, 'labels without `resource `, `memory swap` back to memory-swap')
  t.same(old.reservations, { web: { cpu: '0.5' } })
  t.same(parseResourceReport('a', fixture('settings/resource-report-none.txt'), 'text').limits, {})
  t.same(parseResourceReport('a', '{}\n', 'json').limits, {})
})

t.test('storage:list: compact JSON with entries, the bash-era pretty JSON, text with and without its header', async (t) => {
  const json = parseStorageList(fixture('settings/storage-list.json'), 'json')
  t.same(json.map((m) => [m.entry, m.text]), [['legacy-7eb883343b', 'some-docker-volume:/data:ro'], ['legacy-e61bb56c8d', '/var/lib/dokku/data/storage/node-js-app:/app/storage']])
  t.same(json[0]!.options, ['ro'], '`readonly` folded back into the options')
  const text = parseStorageList(fixture('settings/storage-list.txt'), 'text')
  t.same(text.map((m) => m.text), json.map((m) => m.text))
  const bash = parseStorageList(fixture('settings/storage-list-bash.json'), 'json')
  t.same(bash.map((m) => [m.entry, m.text]), [[null, '/var/lib/dokku/data/storage/node-js-app:/app/storage'], [null, 'some-docker-volume:/data:ro']])
  t.same(parseStorageList(fixture('settings/storage-list-raw.txt'), 'text').map((m) => m.containerPath), ['/app/storage', '/data'])
  t.same(parseStorageList(fixture('settings/storage-list-none.json'), 'json'), [])
  t.throws(() => parseStorageList('not a mount\n', 'text'), OutputParseError)
})

t.test('nginx:report: the app value, the global one and the computed one; JSON, Go and bash text', async (t) => {
  for (const [file, format] of [['nginx-report.json', 'json'], ['nginx-report.txt', 'text'], ['nginx-report-bash.txt', 'text']] as const) {
    const r = parseNginxReport('node-js-app', fixture(`settings/${file}`), format)
    t.same(r.properties['client-max-body-size'], { value: '10m', global: '', computed: '10m' }, file)
    t.same(r.properties.hsts, { value: 'false', global: '', computed: 'false' }, file)
    t.same(r.properties['proxy-read-timeout'], { value: '', global: '', computed: '60s' }, file)
    t.equal(r.properties['access-log-path']?.computed, '/var/log/nginx/node-js-app-access.log')
    t.notOk('last-visited-at' in r.properties)
  }
})

t.test('builder, buildpacks and builder-dockerfile reports', async (t) => {
  for (const [file, format] of [['builder-report.txt', 'text'], ['builder-report.json', 'json']] as const) {
    t.match(parseBuilderReport('a', fixture(`settings/${file}`), format), { selected: 'dockerfile', computedSelected: 'dockerfile', detected: 'herokuish' }, file)
  }
  const bp = ['https://github.com/heroku/heroku-buildpack-nodejs.git', 'https://github.com/heroku/heroku-buildpack-python.git']
  t.same(parseBuildpacksReport('a', fixture('misc/buildpacks-report.txt'), 'text').buildpacks, bp)
  t.same(parseBuildpacksReport('a', fixture('misc/buildpacks-report.json'), 'json').buildpacks, bp)
  t.equal(parseBuildpacksReport('a', fixture('misc/buildpacks-report.json'), 'json').stack, 'gliderlabs/herokuish:latest-24')
  for (const [file, format] of [['dockerfile-report.txt', 'text'], ['dockerfile-report.json', 'json'], ['dockerfile-report-bash.txt', 'text']] as const) {
    t.match(parseDockerfileReport('a', fixture(`settings/${file}`), format), { dockerfilePath: 'docker/web.Dockerfile', computedDockerfilePath: 'docker/web.Dockerfile' }, file)
  }
})

t.test('docker-options:report: the exact `*-list` arrays (0.38.22+), joined strings before, bash text', async (t) => {
  const json = parseDockerOptionsReport('a', fixture('settings/docker-options-report.json'), 'json')
  t.same(json.phases, { build: [], deploy: ['--ulimit nofile=12', '-v /var/log/app:/app/logs'], run: ['--ulimit nofile=12'] })
  t.same(json.processes, { web: ['-p 6789:5000'] })
  t.equal(json.exact, true)
  const older = parseDockerOptionsReport('a', fixture('settings/docker-options-report-0.38.8.json'), 'json')
  t.same([older.phases, older.processes, older.exact], [json.phases, json.processes, false], 'split at flag boundaries without the arrays')
  const text = parseDockerOptionsReport('a', fixture('settings/docker-options-report.txt'), 'text')
  t.same([text.phases, text.processes], [json.phases, json.processes])
  const bash = parseDockerOptionsReport('a', fixture('settings/docker-options-report-0.37.txt'), 'text')
  t.same(bash.phases, json.phases, 'the bash report (`docker options` header) too')
  t.same(splitOptions(''), [])
})

t.test('cron:list: JSON and text in the three column layouts; none is the header alone', async (t) => {
  const want = [
    { id: ID1, schedule: '@daily', command: 'npm run send-email', concurrency: 'allow', suspended: false, appInMaintenance: false },
    { id: ID2, schedule: '*/5 * * * *', command: 'python3 task.py', concurrency: 'forbid', suspended: true, appInMaintenance: false }
  ]
  t.same(parseCronList(fixture('settings/cron-list.txt'), 'text'), want, 'a schedule with single spaces stays one cell')
  t.same(parseCronList(fixture('settings/cron-list.json'), 'json'), [want[0]])
  t.same(parseCronList(fixture('settings/cron-list-0.35.txt'), 'text').map((x) => [x.id, x.schedule, x.command, x.concurrency, x.suspended]),
    [[ID1, '@daily', 'npm run send-email', null, false], [ID2, '*/5 * * * *', 'python3 task.py', null, false]])
  t.same(parseCronList(fixture('settings/cron-list-0.36.json'), 'json').map((x) => x.suspended), [false, true], '0.36: `maintenance` alone')
  t.same(parseCronList(fixture('settings/cron-list-none.txt'), 'text'), [])
  t.same(parseCronList('[]\n', 'json'), [])
  t.throws(() => parseCronList('something else\n', 'text'), OutputParseError)
})

t.test('the maintenance and http-auth reports (bash layout, trailing pads, an overflowing label)', async (t) => {
  t.match(parseMaintenanceReport('node-js-app', fixture('settings/maintenance-report.txt')), { enabled: true, customPageSha256: '' })
  t.match(parseHttpAuthReport('node-js-app', fixture('settings/http-auth-report.txt')), { enabled: true, users: ['alice', 'bob'], allowedIps: ['127.0.0.1', '10.0.0.0/8'] })
  t.match(parseHttpAuthReport('ruby-app', fixture('settings/http-auth-empty.txt')), { enabled: false, users: [], allowedIps: [] })
})
