import t from 'tap'
import { InvalidArgumentError } from '../../src/dokku/errors.js'
import { certCovers, daysText, expiryLevel, uncoveredDomains } from '../../src/services/certificates.js'
import { addOutcome, parseDomainField } from '../../src/services/domains.js'
import { listRow } from '../../src/services/letsencrypt.js'

/** The pure rules of the Domains & TLS services: expiry levels, coverage, the domain field. */

const DAY = 86400

t.test('expiry levels and wording', async (t) => {
  t.equal(expiryLevel(null), 'ok')
  t.equal(expiryLevel(80), 'ok')
  t.equal(expiryLevel(14), 'ok')
  t.equal(expiryLevel(13), 'warn')
  t.equal(expiryLevel(0), 'warn')
  t.equal(expiryLevel(-1), 'danger')
  t.equal(daysText(1), '1 day left')
  t.equal(daysText(10), '10 days left')
  t.equal(daysText(0), 'expires today')
  t.equal(daysText(-1), 'expired 1 day ago')
  t.equal(daysText(-3), 'expired 3 days ago')
})

t.test('certificate coverage, wildcards included', async (t) => {
  t.ok(certCovers('www.example.com', 'WWW.example.com'))
  t.ok(certCovers('*.example.com', 'api.example.com'))
  t.notOk(certCovers('*.example.com', 'a.b.example.com'), 'a wildcard covers one label only')
  t.notOk(certCovers('*.example.com', 'example.com'))
  t.notOk(certCovers('*.example.com', '*.other.com'))
  t.notOk(certCovers('example.com', '*.example.com'))
  t.same(uncoveredDomains(['a.example.com', 'b.example.org', '_'], ['*.example.com']), ['b.example.org'])
})

t.test('the domain field: several names, dokku\'s rule, the bad one named', async (t) => {
  t.same(parseDomainField('New.Example.com, api.example.com\nfoo.example.com  new.example.com'),
    ['new.example.com', 'api.example.com', 'foo.example.com'], 'split on commas, spaces and newlines; lowercased; de-duplicated')
  t.same(parseDomainField('*.example.com'), ['*.example.com'])
  t.throws(() => parseDomainField(''), { name: 'InvalidArgumentError', field: 'domain', message: /Enter a domain/ })
  t.throws(() => parseDomainField(' , \n'), { message: /Enter a domain/ })
  t.throws(() => parseDomainField(undefined), { message: /Enter a domain/ })
  t.throws(() => parseDomainField('a;b.com'), { message: /Domain may only contain/ })
  t.throws(() => parseDomainField('ok.com $(id).com'), { message: /^"\$\(id\)\.com": Domain may only contain/ })
  t.throws(() => parseDomainField('-x.com'), { message: /must not start with "-"/ })
  t.throws(() => parseDomainField('../x'), { message: /Domain may only contain/ })
  t.throws(() => parseDomainField('a'.repeat(300) + '.com'), { message: /too long/ })
  t.throws(() => parseDomainField('x'.repeat(5000)), { message: /too long/ })
  t.throws(() => parseDomainField('a.com\u0000b'), { message: /control characters/ })
  t.throws(() => parseDomainField(Array.from({ length: 51 }, (_, i) => `d${i}.com`).join(' ')), { message: /at most 50/ })
  try {
    parseDomainField('fine.com ' + 'y'.repeat(80) + ';')
    t.fail('should throw')
  } catch (err) {
    t.ok(err instanceof InvalidArgumentError)
    t.match((err as Error).message, /^"y{57}…": /, 'a long offender is shortened')
  }
})

t.test('what domains:add reports', async (t) => {
  t.same(addOutcome('-----> Added a.com to x\n-----> Skipping: b.com already added to x\n-----> Creating http nginx.conf\n'),
    { added: ['a.com'], skipped: ['b.com'] })
  t.same(addOutcome(''), { added: [], skipped: [] })
})

t.test('letsencrypt:list rows get levels', async (t) => {
  const base = { app: 'a', expiry: '2026-01-01 00:00:00', timeBeforeExpiry: '', timeBeforeRenewal: '' }
  t.equal(listRow({ ...base, secondsBeforeExpiry: 80 * DAY, secondsBeforeRenewal: 50 * DAY }).expiryLevel, 'ok')
  const soon = listRow({ ...base, secondsBeforeExpiry: 10 * DAY, secondsBeforeRenewal: -20 * DAY })
  t.equal(soon.expiryLevel, 'warn')
  t.equal(soon.renewalDue, true)
  t.equal(listRow({ ...base, secondsBeforeExpiry: -60, secondsBeforeRenewal: -31 * DAY }).expiryLevel, 'danger')
  t.equal(listRow({ ...base, secondsBeforeExpiry: null, secondsBeforeRenewal: null }).renewalDue, false)
})
