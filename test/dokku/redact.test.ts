import t from 'tap'
import {
  composeRedactors, keepMessagesOnly, redactAllButMessages, redactConfigExport, redactConfigSetOutput, redactConfigShow,
  redactDsnPasswords, redactingOutput, redactLetsencryptReport, redactValues
} from '../../src/dokku/redact.js'
import { fixture } from './parsers/fixture.js'

t.test('DSN passwords, for every datastore scheme', async (t) => {
  t.equal(redactDsnPasswords('postgres://postgres:a1b2@dokku-postgres-lollipop:5432/lollipop'), 'postgres://postgres:<redacted>@dokku-postgres-lollipop:5432/lollipop')
  t.equal(redactDsnPasswords('redis://:a1b2@dokku-redis-x:6379'), 'redis://:<redacted>@dokku-redis-x:6379')
  t.equal(redactDsnPasswords('x mysql://mariadb:p@h:3306/d y mongodb://svc:p2@h:27017/d'), 'x mysql://mariadb:<redacted>@h:3306/d y mongodb://svc:<redacted>@h:27017/d')
  t.equal(redactDsnPasswords('http://app.dokku.me and https://x.io:443/a'), 'http://app.dokku.me and https://x.io:443/a', 'no password, nothing changed')
  const info = redactDsnPasswords(fixture('databases/info.txt'))
  t.notMatch(info, /a1b2c3d4e5f6/)
  t.match(info, /Dsn: {17}postgres:\/\/postgres:<redacted>@dokku-postgres-lollipop:5432\/lollipop/)
  t.notMatch(redactDsnPasswords(fixture('databases/link.txt')), /a1b2c3d4e5f6/)
})

t.test('config:export JSON keeps keys only; anything else keeps messages only', async (t) => {
  t.equal(redactConfigExport(fixture('config/export-list.json')), '[{"name":"BKEY","value":"<redacted>"},{"name":"aKey","value":"<redacted>"},{"name":"bKey","value":"<redacted>"},{"name":"zKey","value":"<redacted>"}]\n')
  t.equal(redactConfigExport('null\n'), 'null\n')
  t.equal(redactConfigExport(''), '')
  t.equal(redactConfigExport(' !     App a does not exist\n'), ' !     App a does not exist\n')
  t.equal(redactConfigExport("export A='secret'\n"), '<redacted>\n')
  t.equal(redactConfigExport('"just a string"'), '<redacted>')
})

t.test('config:show rows keep their key', async (t) => {
  t.equal(redactConfigShow(fixture('config/show-mixed.txt')), '=====> node-js-app env vars\nDATABASE_URL:  <redacted>\nGIT_REV:       <redacted>\nNO_VHOST:      <redacted>\n')
  t.equal(redactConfigShow('A:  line one\nline two\n'), 'A:  <redacted>\n<redacted>\n')
})

t.test('config:set output: the table (with multi-line values) and single-var lines', async (t) => {
  const out = redactConfigSetOutput(fixture('config/set.txt'))
  t.match(out, /^-----> Setting config vars\n {7}APP_ENV: {9}<redacted>\n {7}COMPILE_ASSETS: {2}<redacted>\n-----> Restarting app node-js-app/)
  t.match(out, /http:\/\/node-js-app\.dokku\.me/, 'deploy output after the table is kept')
  t.equal(redactConfigSetOutput('-----> Setting config vars\n       A:  first\nsecond\n\n !     warn\n'), '-----> Setting config vars\n       A:  <redacted>\n       <redacted>\n\n !     warn\n')
  t.equal(redactConfigSetOutput('-----> Setting config var K=v1\n'), '-----> Setting config var K=<redacted>\n')
})

t.test('known values are replaced wherever they appear', async (t) => {
  const redact = redactValues(['hunter22', 'ab', 'line-one\nline-two'])
  t.equal(redact('pw hunter22 and ab, line-one / line-two'), 'pw <redacted> and ab, <redacted> / <redacted>')
  t.equal(composeRedactors(redactValues(['secret1']), undefined, (s) => s.toUpperCase())('x secret1'), 'X <REDACTED>')
})

t.test('letsencrypt DNS credentials, text and JSON', async (t) => {
  t.equal(redactLetsencryptReport('{"dns-provider":"ovh","dns-provider-OVH_KEY":"k\\"1","computed-dns-provider-OVH_KEY":"k1"}'),
    '{"dns-provider":"ovh","dns-provider-OVH_KEY":"<redacted>","computed-dns-provider-OVH_KEY":"<redacted>"}')
  t.equal(redactLetsencryptReport(fixture('letsencrypt/report.txt')), fixture('letsencrypt/report.txt'), 'nothing secret: unchanged')
})

t.test('keep messages only / all but messages', async (t) => {
  t.equal(keepMessagesOnly('a\n !     b\nc'), ' !     b')
  t.equal(redactAllButMessages('=====> h\nsecret\n\n !     m'), '=====> h\n<redacted>\n\n !     m')
})

t.test('live output is redacted line by line, partial lines wait', async (t) => {
  const seen: Array<[string, string]> = []
  const live = redactingOutput((s, text) => seen.push([s, text]), redactDsnPasswords)
  live.onOutput('stdout', 'DATABASE_URL: postgres://u:pass')
  t.same(seen, [], 'no line end yet')
  live.onOutput('stdout', 'word@h/db\nnext ')
  live.onOutput('stderr', 'err')
  live.flush()
  live.flush()
  t.same(seen, [
    ['stdout', 'DATABASE_URL: postgres://u:<redacted>@h/db\n'],
    ['stdout', 'next '],
    ['stderr', 'err']
  ])
})
