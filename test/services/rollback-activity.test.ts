/**
 * Rollback plans per deploys.md §3.3 (the argv for image and git-sync apps, the `git push` to
 * show for pushed apps), and the activity timeline's merge order and keyset paging.
 */
import t from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { DokkuEventsRepository } from '../../src/db/dokku-events.js'
import { HistoryRepository } from '../../src/db/history.js'
import { ReleasesRepository, type Release } from '../../src/db/releases.js'
import { WebhooksRepository } from '../../src/db/webhooks.js'
import { SecretBox } from '../../src/crypto/secret-box.js'
import type { Host } from '../../src/hosts/host.js'
import { decodeCursor, merge, type ActivityItem } from '../../src/services/activity.js'
import { rollbackPlan, rollbackTarget } from '../../src/services/rollback.js'
import type { DeployStore } from '../../src/services/deploy-store.js'

const SHA = 'cd7b8afccb202f222e7dc7b427553e71ba5ddafd'
const DIGEST = 'sha256:' + 'f'.repeat(64)

function release (over: Partial<Release>): Release {
  return {
    id: 7, host: 'local', app: 'api', status: 'succeeded', source: '', metadata: '', gitRev: null, image: null, imageDigest: null, actorKind: 'docklight', actor: null,
    learnedFrom: 'job', buildId: null, eventKey: null, jobId: null, rollbackOf: null, startedAt: '2026-08-21T20:18:10.000Z', finishedAt: null, durationMs: null, error: null, ...over
  }
}

const sshHost = (port = 22) => ({ name: 'local', config: { name: 'local', target: { kind: 'ssh', user: 'dokku', host: 'dokku.example.com', port } } }) as unknown as Host
const current = { releaseId: 99, deployBranch: 'main' }

t.test('rollback of an image app: git:from-image of the recorded reference (a digest pins it)', async (t) => {
  const plan = rollbackPlan(sshHost(), release({ source: 'docker-image', metadata: `registry.example.com/team/api@${DIGEST}` }), current)
  t.match(plan, { kind: 'image', pinned: true, argv: ['dokku', 'git:from-image', 'api', `registry.example.com/team/api@${DIGEST}`] })
  t.match(plan, { rebuilds: /builds a new image FROM registry\.example\.com\/team\/api@sha256:f+ and deploys it\.$/ })
  const tag = rollbackPlan(sshHost(), release({ source: 'docker-image', metadata: 'team/api:1.2' }), current)
  t.match(tag, { kind: 'image', pinned: false, rebuilds: /no digest: its tag may point to a different image today/ })
})

t.test('rollback of a git-sync app: git:sync --build of the repository at the old sha', async (t) => {
  const plan = rollbackPlan(sshHost(), release({ source: 'git-sync', metadata: `https://github.com/org/api.git#${SHA}` }), current)
  t.match(plan, { kind: 'git-sync', argv: ['dokku', 'git:sync', '--build', 'api', 'https://github.com/org/api.git', SHA] })
  t.match(rollbackPlan(sshHost(), release({ source: 'git-sync', metadata: `https://github.com/org/api.git;id#${SHA}` }), current), { kind: 'none' }, 'recorded metadata is validated again before it can reach an argv')
})

t.test('a pushed app: the exact git push to run, with the host and the deploy branch', async (t) => {
  t.match(rollbackPlan(sshHost(), release({ source: 'git-push', metadata: SHA }), current), { kind: 'push', command: `git push --force dokku@dokku.example.com:api ${SHA}:refs/heads/main` })
  t.match(rollbackPlan(sshHost(2222), release({ source: 'git-push', metadata: SHA }), { ...current, deployBranch: 'master' }), { kind: 'push', command: `git push --force ssh://dokku@dokku.example.com:2222/api ${SHA}:refs/heads/master` })
  const local = { name: 'local', config: { name: 'local', target: { kind: 'local', bin: 'dokku' } } } as unknown as Host
  t.match(rollbackPlan(local, release({ source: 'git-push', metadata: SHA }), current), { kind: 'push', command: /^git push --force dokku@<your-dokku-host>:api / })
})

t.test('what cannot be rolled back, and the confirmation a rollback needs', async (t) => {
  t.match(rollbackPlan(sshHost(), release({ id: 99, source: 'docker-image', metadata: 'nginx:1' }), current), { kind: 'none', why: /runs now/ })
  t.match(rollbackPlan(sshHost(), release({ status: 'failed', source: 'docker-image', metadata: 'nginx:1' }), current), { kind: 'none', why: /deployed successfully/ })
  t.match(rollbackPlan(sshHost(), release({ source: 'ps:rebuild' }), current), { kind: 'none', why: /did not say what this deploy built/ })
  t.match(rollbackPlan(sshHost(), release({ source: 'tar.gz', metadata: 'https://example.com/a.tar.gz' }), current), { kind: 'archive', argv: ['dokku', 'git:from-archive', '--archive-type', 'tar.gz', 'api', 'https://example.com/a.tar.gz'] })
  const plan = rollbackPlan(sshHost(), release({ source: 'docker-image', metadata: 'nginx:1' }), current)
  t.throws(() => rollbackTarget(plan, undefined, 7), { message: /confirmation page/ })
  t.throws(() => rollbackTarget(plan, '8', 7), { message: /confirmation page/ })
  t.equal(rollbackTarget(plan, '7', 7).kind, 'image')
  t.throws(() => rollbackTarget(rollbackPlan(sshHost(), release({ source: 'git-push', metadata: SHA }), current), '7', 7), { message: /Run: git push --force/ })
})

// ---- the timeline ----------------------------------------------------------------------------

/** A host over a database of its own, with a clock the test sets. */
function fixtureHost (t: Tap.Test): { host: Host; store: DeployStore; history: HistoryRepository; at: (iso: string) => void } {
  const db = openDatabase(':memory:')
  t.teardown(() => db.close())
  let now = new Date('2026-08-21T00:00:00Z')
  const history = new HistoryRepository(db, () => now)
  const store: DeployStore = {
    releases: new ReleasesRepository(db),
    webhooks: new WebhooksRepository(db, () => now),
    events: new DokkuEventsRepository(db),
    secrets: new SecretBox('x'.repeat(40), 'webhooks'),
    publicUrl: null
  }
  const host = { name: 'local', history, deploys: store } as unknown as Host
  return { host, store, history, at: (iso) => { now = new Date(iso) } }
}

t.test('the timeline: four sources merged newest first, paged by keyset without a skip or a repeat', async (t) => {
  const { host, store, history, at } = fixtureHost(t)
  const minute = (m: number) => `2026-08-21T10:${String(m).padStart(2, '0')}:00.000Z`
  // Interleaved on purpose, and inserted out of time order where a source allows it.
  for (const m of [1, 5, 9, 13, 17]) {
    at(minute(m))
    const id = history.start({ command: `dokku ps:restart api`, app: 'api', host: 'local', kind: 'job', label: `Restart ${m}`, status: 'running' })
    history.finish(id, { status: 'success', exitCode: 0, stdout: '', stderr: '', durationMs: 5 })
  }
  at(minute(3))
  const refused = history.start({ command: 'webhook github api', app: 'api', host: 'local', kind: 'action', origin: 'webhook', label: 'Webhook refused: bad signature' })
  history.finish(refused, { status: 'failed', exitCode: null, stdout: '', stderr: '', durationMs: 0 })
  for (const m of [16, 2, 10, 6]) {
    store.events.upsert({ host: 'local', groupKey: `${m}:api`, app: 'api', pid: m, kind: 'config', summary: `Set K${m}`, detail: '{}', who: 'alice', at: minute(m) })
  }
  for (const m of [8, 4, 14]) store.releases.insert({ host: 'local', app: 'api', status: 'succeeded', source: 'git-push', metadata: SHA, actorKind: 'ssh-key', actor: 'bob', learnedFrom: 'events', startedAt: minute(m) })
  store.releases.insert({ host: 'local', app: 'api', status: 'succeeded', source: 'docker-image', metadata: 'x:1', actorKind: 'docklight', learnedFrom: 'job', startedAt: minute(12) })
  for (const m of [11, 15]) {
    at(minute(m))
    store.webhooks.record({ host: 'local', app: 'api', provider: 'github', deliveryId: `d${m}`, event: 'push', ref: 'refs/heads/main', sha: SHA, outcome: 'ignored', reason: 'x', jobId: null, historyId: null })
  }
  const scope = { base: '/activity', hosts: [host], several: false }
  const label = (i: ActivityItem) => `${Number(i.at.slice(14, 16))}:${i.source}`
  const all = merge([host], scope, {}, {}, 100).items
  t.same(all.map(label), ['17:history', '16:event', '15:delivery', '14:release', '13:history', '11:delivery', '10:event', '9:history', '8:release', '6:event', '5:history', '4:release', '2:event', '1:history'],
    'newest first across sources; the refused webhook is its delivery, not a history row; Docklight\'s own deploy is its job')
  for (const size of [1, 2, 3, 4, 7]) {
    let cursor = {}
    const seen: string[] = []
    for (let guard = 0; guard < 40; guard++) {
      const page = merge([host], scope, {}, cursor, size)
      seen.push(...page.items.map(label))
      if (!page.more) break
      cursor = decodeCursor(Buffer.from(JSON.stringify(page.next)).toString('base64url'))
    }
    t.same(seen, all.map(label), `pages of ${size}: the same entries in the same order`)
  }
  t.same(merge([host], scope, { who: 'alice' }, {}, 100).items.map(label), ['16:event', '10:event', '6:event', '2:event'], 'who: an SSH key name')
  t.same(merge([host], scope, { kind: 'deploy' }, {}, 100).items.map(label), ['14:release', '8:release', '4:release'], 'kind')
  t.same(merge([host], scope, { who: 'webhook' }, {}, 100).items.map(label), ['15:delivery', '11:delivery'])
  t.same(merge([host], scope, { who: 'docklight' }, {}, 100).items.map(label), ['17:history', '13:history', '9:history', '5:history', '1:history'])
})

t.test('a cursor is checked: it is a URL anyone can edit', async (t) => {
  for (const bad of ['x', '%%%', Buffer.from('[1]').toString('base64url'), Buffer.from('{"h":"1"}').toString('base64url'), Buffer.from('{"e":["not a date",1]}').toString('base64url'), 'A'.repeat(700)]) {
    t.throws(() => decodeCursor(bad), { name: 'InvalidArgumentError', message: /not a page of this timeline/ }, bad.slice(0, 20))
  }
  t.same(decodeCursor(Buffer.from('{"h":5,"e":["2026-08-21T10:00:00.000Z",3]}').toString('base64url')), { h: 5, e: ['2026-08-21T10:00:00.000Z', 3] })
})

namespace Tap { export type Test = import('tap').Test }
