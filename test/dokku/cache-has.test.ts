import t from 'tap'
import { ReadCache } from '../../src/dokku/cache.js'

/** `has`: whether a page can show an answer at once (the databases rows that need no lazy load). */
t.test('known only once loaded, while fresh or stale, and not once expired or dropped', async (t) => {
  let now = 1000
  const cache = new ReadCache({ ttlMs: 100, staleMs: 50, now: () => now })
  t.equal(cache.has('k'), false, 'never read')
  let resolve!: (v: string) => void
  const pending = cache.get('k', ['app'], () => new Promise<string>((r) => { resolve = r }))
  t.equal(cache.has('k'), false, 'being read: a page would wait')
  resolve('v')
  t.equal(await pending, 'v')
  t.equal(cache.has('k'), true)
  now += 120
  t.equal(cache.has('k'), true, 'stale: served at once while it refreshes')
  now += 40
  t.equal(cache.has('k'), false, 'past its stale window')
  await cache.get('k', ['app'], async () => 'again')
  t.equal(cache.has('k'), true)
  cache.invalidateApp('app')
  t.equal(cache.has('k'), false, 'dropped by a change to its app')
  await t.rejects(cache.get('bad', 'all', async () => { throw new Error('no') }))
  t.equal(cache.has('bad'), false, 'a failure is not an answer')
})
