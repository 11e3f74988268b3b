import t from 'tap'
import { MAX_VALUE_BYTES } from '../../src/dokku/commands/config.js'
import { parseEnvBlock } from '../../src/services/env-block.js'

function vars (text: string): Record<string, string> {
  const r = parseEnvBlock(text)
  if (!r.ok) throw new Error(`unexpected errors: ${JSON.stringify(r.errors)}`)
  return r.vars
}

t.test('KEY=value lines, export, comments and blank lines', async (t) => {
  t.same(vars([
    '# database',
    '',
    'DATABASE_URL=postgres://u:p@db:5432/app',
    '  export  API_KEY = abc123  ',
    'EMPTY=',
    'WITH_COMMENT=value # trailing comment',
    'HASH=#not-a-comment',
    'NO_SPACE=a#b',
    '   # indented comment'
  ].join('\n')), {
    DATABASE_URL: 'postgres://u:p@db:5432/app',
    API_KEY: 'abc123',
    EMPTY: '',
    WITH_COMMENT: 'value',
    HASH: '#not-a-comment',
    NO_SPACE: 'a#b'
  })
})

t.test('quoted values', async (t) => {
  t.same(vars([
    'SINGLE=\'it\'\\\'\'s $HOME "raw" \\n\'',
    'DOUBLE="line1\\nline2\\ttab \\"q\\" \\\\ \\$HOME \\` \\! \\d"',
    'SPACES="  padded  "   # comment after the quote',
    'SUBST="$(rm -rf /) `id` ${X}"',
    'UNICODE="héllo ✓ 日本"'
  ].join('\r\n')), {
    SINGLE: 'it\'s $HOME "raw" \\n',
    DOUBLE: 'line1\nline2\ttab "q" \\ $HOME ` ! \\d',
    SPACES: '  padded  ',
    SUBST: '$(rm -rf /) `id` ${X}',
    UNICODE: 'héllo ✓ 日本'
  })
})

t.test('a quoted value may span lines (a pasted key file)', async (t) => {
  t.same(vars('KEY="-----BEGIN KEY-----\nabc\n-----END KEY-----"\nNEXT=1\nS=\'a\n b\''), {
    KEY: '-----BEGIN KEY-----\nabc\n-----END KEY-----', NEXT: '1', S: 'a\n b'
  })
})

t.test('dokku\'s own export formats paste back unchanged', async (t) => {
  // `config:export` (exports) and `--format envfile`, for a value with every awkward character.
  const value = 'it\'s "a" $x `y` !z \\ back\nslash'
  t.same(vars(`export V='${value.replaceAll('\'', '\'\\\'\'')}'`), { V: value })
  const envfile = value.replace(/[\\"!$`]/g, (c) => '\\' + c).replace(/\n/g, '\\n')
  t.same(vars(`V="${envfile}"`), { V: value })
})

t.test('a key given twice keeps its last value', async (t) => {
  t.same(vars('A=1\nB=2\nA=3'), { A: '3', B: '2' })
})

t.test('__proto__ is an ordinary key', async (t) => {
  const v = vars('__proto__=x')
  t.equal(Object.getPrototypeOf(v), Object.prototype)
  t.same(Object.keys(v), ['__proto__'])
})

t.test('bad lines are reported by number, without their text', async (t) => {
  const r = parseEnvBlock([
    'GOOD=1',
    'just-a-secret-value',
    'foo-bar=secretvalue',
    '=nokey',
    '1ABC=x',
    '',
    '-X=1'
  ].join('\n'))
  t.equal(r.ok, false)
  if (r.ok) return
  t.same(r.errors.map((e) => e.line), [2, 3, 4, 5, 7])
  t.match(r.errors[0]!.message, /expected KEY=value/)
  t.match(r.errors[1]!.message, /Variable name must start with a letter/)
  t.match(r.errors[2]!.message, /Variable name is required/)
  t.match(r.errors[4]!.message, /must not start with "-"/)
  for (const e of r.errors) t.notMatch(e.message, /secret/)
})

t.test('an unclosed quote is reported at the line that opened it', async (t) => {
  const r = parseEnvBlock('A=1\nOPEN="never closed\nmore lines\n')
  t.same(r.ok ? [] : r.errors, [{ line: 2, message: 'the closing " of OPEN is missing' }])
})

t.test('text after a closing quote is refused', async (t) => {
  const r = parseEnvBlock('A="x" y\nB=\'z\'w')
  t.same(r.ok ? [] : r.errors.map((e) => [e.line, e.message]), [
    [1, 'unexpected text after the closing " of A'],
    [2, 'unexpected text after the closing \' of B']
  ])
})

t.test('a value over the size limit is refused with its line', async (t) => {
  const r = parseEnvBlock(`A=1\nBIG=${'x'.repeat(MAX_VALUE_BYTES + 1)}`)
  t.same(r.ok ? [] : r.errors, [{ line: 2, message: 'the value of BIG is too large (at most 64 KiB)' }])
  t.ok(parseEnvBlock(`BIG=${'x'.repeat(MAX_VALUE_BYTES)}`).ok, 'exactly the limit is fine')
})

t.test('an empty block is valid and sets nothing', async (t) => {
  t.same(vars('\n# only comments\n  \n'), {})
})
