import t from 'tap'
import { build, login } from './helpers/build.js'

t.test('fragment or page: htmx gets a fragment, Back (history restore) and boosted links a whole page', async (t) => {
  const { app } = await build(t)
  const cookie = await login(app)
  const get = (headers: Record<string, string>) => app.inject({ url: '/history', headers: { cookie, ...headers } })
  const fragment = await get({ 'hx-request': 'true' })
  t.notMatch(fragment.body, /<html/)
  t.equal(fragment.headers.vary, 'HX-Request')
  const restore = await get({ 'hx-request': 'true', 'hx-history-restore-request': 'true' })
  t.match(restore.body, /^<!doctype html>/, 'a history restore is swapped into <body>: it needs the layout')
  const boosted = await get({ 'hx-request': 'true', 'hx-boosted': 'true' })
  t.match(boosted.body, /^<!doctype html>/)
  t.match((await get({})).body, /^<!doctype html>/)
})
