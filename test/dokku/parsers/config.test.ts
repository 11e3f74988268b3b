import t from 'tap'
import { OutputParseError } from '../../../src/dokku/errors.js'
import {
  parseConfigGet, parseConfigJson, parseConfigKeys, parseConfigShell, parseConfigShow
} from '../../../src/dokku/parsers/config.js'
import { fixture } from './fixture.js'

const FOUR = { BKEY: 'true', aKey: 'true', bKey: 'true', zKey: 'true' }

t.test('config:export --format json and json-list', async (t) => {
  t.same(parseConfigJson(fixture('config/export.json')), FOUR)
  t.same(parseConfigJson(fixture('config/export-list.json')), FOUR)
  t.same(parseConfigJson('{}\n'), {})
  t.same(parseConfigJson('null\n'), {}, 'json-list prints null when there are no vars')
})

t.test('config:export JSON keeps exact values: Go escapes, newlines, unicode', async (t) => {
  const vars = parseConfigJson('{"A":"x \\u0026 \\u003cb\\u003e","B":"line1\\nline2","C":"é ☃"}\n')
  t.same(vars, { A: 'x & <b>', B: 'line1\nline2', C: 'é ☃' })
})

t.test('a key named __proto__ stays a plain key', async (t) => {
  const vars = parseConfigJson('{"__proto__":"x","A":"1"}')
  t.equal(Object.getPrototypeOf(vars), Object.prototype)
  t.same(Object.keys(vars), ['__proto__', 'A'])
  t.equal(Object.getOwnPropertyDescriptor(vars, '__proto__')?.value, 'x')
})

t.test('config:export JSON that is not config', async (t) => {
  t.throws(() => parseConfigJson('[1]'), OutputParseError)
  t.throws(() => parseConfigJson('{"A":1}'), OutputParseError)
  t.throws(() => parseConfigJson('"x"'), OutputParseError)
  t.throws(() => parseConfigJson("export A='1'"), OutputParseError)
})

t.test('config:export shell-quoted formats', async (t) => {
  t.same(parseConfigShell(fixture('config/export-shell.txt')), FOUR)
  t.same(parseConfigShell(fixture('config/export-docker-args.txt')), FOUR)
  t.same(parseConfigShell("export A='it'\\''s'\nexport B=''\n"), { A: "it's", B: '' })
})

t.test('config:show', async (t) => {
  t.same(parseConfigShow(fixture('config/show.txt')), FOUR)
  t.same(parseConfigShow(fixture('config/show-mixed.txt')), {
    DATABASE_URL: 'postgres://postgres:pw@dokku-postgres-db:5432/db',
    GIT_REV: 'cd7b8afccb202f222e7dc7b427553e71ba5ddafd',
    NO_VHOST: '0'
  })
  t.same(parseConfigShow('=====> a env vars\n\n'), {}, 'no vars: header and one empty line')
  t.same(parseConfigShow('A:  first\nsecond line\nB:  2\n'), { A: 'first\nsecond line', B: '2' }, 'multi-line values')
})

t.test('config:get and config:keys', async (t) => {
  t.equal(parseConfigGet('value\n'), 'value')
  t.equal(parseConfigGet('two\nlines\n'), 'two\nlines')
  t.equal(parseConfigGet('\n'), '')
  t.equal(parseConfigGet('raw'), 'raw')
  t.same(parseConfigKeys('A\nB_2\n\n'), ['A', 'B_2'])
})
