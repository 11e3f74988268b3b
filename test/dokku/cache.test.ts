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

t.test('stale-while-revalidate: past the ttl the old answer comes at once, and one background load refreshes it', async (t) => {
  let now = 0
  const cache = new ReadCache({ ttlMs: 1000, staleMs: 60_000, now: () => now })
  let calls = 0
  let release: (() => void) | undefined
  const load = () => new Promise<number>((resolve) => {
    const n = ++calls
    if (n === 1) resolve(n)
    else release = () => resolve(n)
  })
  t.equal(await cache.get('k', ['x'], load), 1)
  now = 5000
  t.equal(await cache.get('k', ['x'], load), 1, 'stale, served without waiting')
  t.equal(await cache.get('k', ['x'], load), 1, 'still the old answer while the refresh runs')
  t.equal(calls, 2, 'one refresh, however many readers')
  release!()
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(await cache.get('k', ['x'], load), 2, 'the refreshed answer')
  now = 5000 + 61_000 + 1000
  const cold = cache.get('k', ['x'], async () => 99)
  t.equal(await cold, 99, 'too old to serve: loaded while the reader waits')
})

t.test('a change during a refresh wins: the refreshed (older) answer is dropped', async (t) => {
  let now = 0
  const cache = new ReadCache({ ttlMs: 1000, staleMs: 60_000, now: () => now })
  t.equal(await cache.get('k', ['x'], async () => 'before'), 'before')
  now = 2000
  let finish!: (v: string) => void
  t.equal(await cache.get('k', ['x'], () => new Promise<string>((resolve) => { finish = resolve })), 'before')
  cache.invalidateApp('x')
  finish('read before our change')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(await cache.get('k', ['x'], async () => 'after'), 'after', 'never the answer read before the change')
})

t.test('a failed refresh keeps the stale answer', async (t) => {
  let now = 0
  const cache = new ReadCache({ ttlMs: 1000, staleMs: 60_000, now: () => now })
  await cache.get('k', 'all', async () => 'good')
  now = 2000
  t.equal(await cache.get('k', 'all', async () => { throw new Error('dokku hung') }), 'good')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(await cache.get('k', 'all', async () => 'fresh'), 'good', 'still stale: the retry is in the background')
  await new Promise((resolve) => setImmediate(resolve))
  t.equal(await cache.get('k', 'all', async () => 'later'), 'fresh')
})

t.test('bounded: the least recently used answer goes first', async (t) => {
  const cache = new ReadCache({ ttlMs: 60_000, maxEntries: 3 })
  for (const k of ['a', 'b', 'c']) await cache.get(k, 'all', async () => k)
  await cache.get('a', 'all', async () => 'reloaded a')
  await cache.get('d', 'all', async () => 'd')
  t.equal(cache.size, 3)
  t.equal(await cache.get('a', 'all', async () => 'reloaded a'), 'a', 'a was used recently and stayed')
  t.equal(await cache.get('b', 'all', async () => 'reloaded b'), 'reloaded b', 'b was the oldest and went')
})
