import t from 'tap'
import { ReadCache } from '../../src/dokku/cache.js'

t.test('shares one load per key within the ttl, and reloads after it', async (t) => {
  let now = 0
  const cache = new ReadCache({ ttlMs: 1000, staleMs: 0, now: () => now })
  let calls = 0
  const load = async () => ++calls
  t.same(await Promise.all([cache.get('a', ['x'], load), cache.get('a', ['x'], load)]), [1, 1])
  now = 999
  t.equal(await cache.get('a', ['x'], load), 1)
  now = 1000
  t.equal(await cache.get('a', ['x'], load), 2)
})

t.test('a change to an app drops its entries and every all-apps entry', async (t) => {
  const cache = new ReadCache({ ttlMs: 60_000 })
  let n = 0
  const load = async () => ++n
  await cache.get('report:x', ['x'], load)
  await cache.get('report:y', ['y'], load)
  await cache.get('list', 'all', load)
  cache.invalidateApp('x')
  t.equal(await cache.get('report:y', ['y'], load), 2, 'other apps keep their entries')
  t.equal(await cache.get('report:x', ['x'], load), 4)
  t.equal(await cache.get('list', 'all', load), 5)
  cache.clear()
  t.equal(await cache.get('report:y', ['y'], load), 6)
})

t.test('failures are not cached', async (t) => {
  const cache = new ReadCache({ ttlMs: 60_000 })
  let n = 0
  await t.rejects(cache.get('k', 'all', async () => { n++; throw new Error('boom') }))
  t.equal(await cache.get('k', 'all', async () => ++n), 2)
})
