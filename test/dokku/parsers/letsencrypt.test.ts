import t from 'tap'
import { parseDuration, parseLetsencryptList, parseLetsencryptReport } from '../../../src/dokku/parsers/letsencrypt.js'
import { fixture } from './fixture.js'

t.test('letsencrypt:list: padded table, durations with commas, "ago"', async (t) => {
  t.same(parseLetsencryptList(fixture('letsencrypt/list.txt')), [
    {
      app: 'node-js-app',
      expiry: '2026-07-01 12:00:00',
      secondsBeforeExpiry: 59 * 86400 + 23 * 3600 + 10 * 60 + 2,
      secondsBeforeRenewal: 29 * 86400 + 23 * 3600 + 10 * 60 + 2,
      timeBeforeExpiry: '59d, 23h, 10m, 2s',
      timeBeforeRenewal: '29d, 23h, 10m, 2s'
    },
    {
      app: 'python-app',
      expiry: '2026-05-01 08:00:00',
      secondsBeforeExpiry: 86400 + 19 * 3600 + 10 * 60 + 2,
      secondsBeforeRenewal: -(28 * 86400 + 4 * 3600 + 49 * 60 + 58),
      timeBeforeExpiry: '1d, 19h, 10m, 2s',
      timeBeforeRenewal: '28d, 4h, 49m, 58s ago'
    }
  ])
})

t.test('letsencrypt:list with no secured apps, and --quiet', async (t) => {
  t.same(parseLetsencryptList(fixture('letsencrypt/list-empty.txt')), [])
  const quiet = fixture('letsencrypt/list.txt').split('\n').slice(1).join('\n')
  t.same(parseLetsencryptList(quiet).map((i) => i.app), ['node-js-app', 'python-app'])
})

t.test('letsencrypt:list rows with durations we did not foresee', async (t) => {
  const [item] = parseLetsencryptList('a                         2026-07-01 12:00:00       soon                      later                    \n')
  t.equal(item?.timeBeforeExpiry, 'soon')
  t.equal(item?.secondsBeforeExpiry, null)
  t.equal(item?.timeBeforeRenewal, 'later')
})

t.test('durations', async (t) => {
  t.equal(parseDuration('2s'), 2)
  t.equal(parseDuration('1h, 1s ago'), -3601)
  t.equal(parseDuration(''), null)
  t.equal(parseDuration('1 day'), null)
})

t.test('letsencrypt:report text (old bash layout) and JSON agree', async (t) => {
  for (const [file, format] of [['letsencrypt/report.txt', 'text'], ['letsencrypt/report.json', 'json']] as const) {
    const r = parseLetsencryptReport('node-js-app', fixture(file), format)
    t.same(r, {
      app: 'node-js-app',
      active: true,
      autorenew: true,
      email: 'admin@example.com',
      appEmail: '',
      globalEmail: 'admin@example.com',
      expiresAt: new Date(1782907200 * 1000),
      graceperiodSeconds: 2592000,
      server: 'https://acme-v02.api.letsencrypt.org/directory',
      dnsProvider: '',
      dnsProviderKeys: []
    }, file)
  }
})

t.test('letsencrypt:report lists dns-provider settings by name only', async (t) => {
  const text = '=====> a letsencrypt information\n       Letsencrypt active:            false                    \n' +
    '       Letsencrypt dns provider:      ovh                      \n' +
    '       Letsencrypt dns provider OVH_APPLICATION_KEY: s3cr3t-value             \n' +
    '       Letsencrypt computed dns provider OVH_APPLICATION_KEY: s3cr3t-value             \n'
  const r = parseLetsencryptReport('a', text, 'text')
  t.equal(r.active, false)
  t.equal(r.dnsProvider, 'ovh')
  t.same(r.dnsProviderKeys, ['OVH_APPLICATION_KEY'])
  t.notMatch(JSON.stringify(r), /s3cr3t/)
  t.equal(r.expiresAt, null)
})
