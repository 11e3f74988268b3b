// The stricter rules for what is created or added (issue 12), and the permissive ones kept for
// what already exists, so an odd domain or app made before them can still be managed.
import t from 'tap'
import { validateAppName, validateDomain, validateNewAppName, validateNewDomain } from '../../src/dokku/validate.js'
import { isLocalhost, planAdd } from '../../src/services/domains.js'

t.test('a new app name: dokku\'s rule, no "..", no trailing dot, at most 63 characters', async (t) => {
  t.equal(validateNewAppName('shop.api-2'), 'shop.api-2')
  t.equal(validateNewAppName('x'.repeat(63)), 'x'.repeat(63))
  t.throws(() => validateNewAppName('x'.repeat(64)), { message: /too long \(64 characters; at most 63/ })
  t.throws(() => validateNewAppName('shop..api'), { message: /two dots in a row/ })
  t.throws(() => validateNewAppName('a.'), { message: /must not end with a dot/ })
  t.throws(() => validateNewAppName('my_app'), { message: /lowercase letters, digits, dots and hyphens/ })
  t.equal(validateAppName('shop..api'), 'shop..api', 'an existing odd name can still be opened')
})

t.test('a new domain: labels of 1 to 63 characters, 253 in all; removing stays permissive', async (t) => {
  t.equal(validateNewDomain('WWW.Example.com'), 'www.example.com')
  t.equal(validateNewDomain('*.example.com'), '*.example.com')
  t.equal(validateNewDomain('_'), '_')
  t.equal(validateNewDomain(`${'a'.repeat(63)}.com`), `${'a'.repeat(63)}.com`)
  t.throws(() => validateNewDomain(`${'a'.repeat(64)}.com`), { message: /at most 63 characters \(one has 64\)/ })
  t.throws(() => validateNewDomain('a..b.com'), { message: /two dots in a row/ })
  t.throws(() => validateNewDomain('.example.com'), { message: /start with a dot/ })
  t.throws(() => validateNewDomain(`${'a.'.repeat(127)}com`), { message: /too long/ })
  t.equal(validateDomain('a..b.com'), 'a..b.com', 'one added before these rules can still be removed')
})

t.test('the add field: several domains or localhost are previewed first', async (t) => {
  t.same(planAdd('app.example.com', false), { domains: ['app.example.com'] })
  t.same(planAdd('not a domain', false), { preview: { domains: ['not', 'a', 'domain'], value: 'not a domain', localhost: [] } })
  t.same(planAdd('localhost, x.example.com', false), { preview: { domains: ['localhost', 'x.example.com'], value: 'localhost x.example.com', localhost: ['localhost'] } })
  t.match(planAdd('localhost', true), { preview: { domains: ['localhost'], error: /localhost/i } }, 'confirmed without ticking the localhost box: the preview again, with why')
  t.same(planAdd('localhost', true, true), { domains: ['localhost'] }, 'confirmed and ticked: added')
  t.same(planAdd('a.example.com b.example.com', true), { domains: ['a.example.com', 'b.example.com'] }, 'no localhost name: the confirmation alone adds')
  t.ok(isLocalhost('api.localhost'))
  t.notOk(isLocalhost('localhost.example.com'))
})
