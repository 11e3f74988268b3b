import t from 'tap'
import { eventTime, groupEvents, parseEventLine, parseEvents, parseEventsList } from '../../../src/dokku/parsers/events.js'
import { fixture } from './fixture.js'

const NOW = new Date('2026-08-22T09:00:00Z')

t.test('the reference lines, classic rsyslog timestamps: trigger, args, key NAME, DOKKU_PID', async (t) => {
  const events = parseEvents(fixture('events/classic.txt'), NOW)
  t.equal(events.length, 4)
  t.same(events[0], {
    at: '2026-08-21T20:19:24.000Z',
    host: 'dokku-host',
    trigger: 'post-deploy',
    args: ['node-js-app', '', '', 'latest'],
    name: 'admin',
    fingerprint: 'SHA256:Jq3X0c9WZf1mY2d4oXrJ2b8cFvT5yQ1hN6kLs7pA0eE',
    dokkuPid: 480190
  }, 'empty args stay in place: dokku joins them with single spaces')
  t.same(events[1]!.args, ['node-js-app', 'git-push', 'cd7b8afccb202f222e7dc7b427553e71ba5ddafd'])
  t.equal(events[2]!.name, null, 'NAME= empty: a local run')
  t.equal(events[2]!.fingerprint, null)
  t.same(events[3]!.args, [], '`(  )` is no args')
})

t.test('the RFC3339 layout (RSYSLOG_FileFormat) parses to the same events', async (t) => {
  const classic = parseEvents(fixture('events/classic.txt'), NOW)
  const rfc = parseEvents(fixture('events/rfc3339.txt'), NOW)
  t.same(rfc.map((e) => ({ ...e, at: e.at.slice(0, 19) })), classic.map((e) => ({ ...e, at: e.at.slice(0, 19) })))
  t.equal(rfc[0]!.at, '2026-08-21T20:19:24.123Z')
  t.equal(eventTime('2026-08-21T22:19:24.5+02:00', NOW), '2026-08-21T20:19:24.500Z', 'offsets are applied')
})

t.test('classic timestamps have no year: the year that puts them no later than now', async (t) => {
  t.equal(eventTime('Dec 31 23:59:59', new Date('2027-01-01T00:10:00Z')), '2026-12-31T23:59:59.000Z', 'a log read just after new year')
  t.equal(eventTime('Aug  1 20:19:24', NOW), '2026-08-01T20:19:24.000Z', 'a space-padded day')
  t.equal(eventTime('Foo 21 20:19:24', NOW), null)
  t.equal(parseEventLine('Aug 21 20:19:24 host dokku[12]: INVOKED: post-deploy( x )', NOW), null, "the docs' old layout is skipped")
})

t.test('a missing or empty log is no events, and junk lines are skipped', async (t) => {
  t.same(parseEvents('', NOW), [])
  t.same(parseEvents(fixture('events/empty.txt'), NOW), [])
  t.same(parseEvents('tail: cannot open\n\n', NOW), [])
  const mixed = parseEvents(fixture('events/mixed.txt'), NOW)
  t.equal(mixed.length, 13, 'the old-layout line and the truncated last line are left out')
})

t.test('groups: by DOKKU_PID and app, noise dropped, user-auth never kept, key names only', async (t) => {
  const groups = groupEvents(parseEvents(fixture('events/mixed.txt'), NOW))
  t.same(groups.map((g) => [g.dokkuPid, g.app, g.kind, g.summary, g.who]), [
    [480190, 'node-js-app', 'deploy', 'Deployed git-push cd7b8af', 'admin'],
    [481090, 'blog', 'app', 'Created the app', 'alice'],
    [481190, 'blog', 'domains', 'Domains add: blog.example.com, www.blog.example.com', 'alice'],
    [481290, 'blog', 'deploy', 'Rebuilt and deployed', null],
    [481990, 'node-js-app', 'config', 'Set DATABASE_URL, SECRET_KEY (redeployed)', null],
    [482990, 'blog', 'app', 'Destroyed the app', 'alice']
  ])
  const push = groups[0]!
  t.same(push.detail.triggers, ['post-deploy', 'deploy-source-set'], 'app-exists, user-auth and git-pre-pull are noise')
  t.equal(push.detail.source, 'git-push')
  t.equal(push.detail.metadata, 'cd7b8afccb202f222e7dc7b427553e71ba5ddafd')
  t.equal(push.at, '2026-08-21T20:19:24.000Z', 'the first useful line')
  t.notMatch(JSON.stringify(groups), /hunter2/, 'no value from user-auth anywhere')
  t.same(groups[4]!.detail.keys, ['DATABASE_URL', 'SECRET_KEY'])
})

t.test('events:list: off on stderr, on with the hooked triggers', async (t) => {
  t.same(parseEventsList('', fixture('events/list-disabled.stderr.txt')), { enabled: false, triggers: [] })
  t.same(parseEventsList(fixture('events/list.txt'), ''), { enabled: true, triggers: ['app-create', 'app-destroy', 'deploy-source-set', 'post-config-update', 'post-deploy'] })
})
