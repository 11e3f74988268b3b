/**
 * Releases recorded after each kind of deploy, including deploys Docklight only sees through
 * dokku's events log or its build records; the bounded reconcile; lastDeploys for the watchdog.
 */
import t from 'tap'
import { lastDeploys } from '../../src/services/deploys.js'
import { deployFromArchive, deployFromGit, deployFromImage } from '../../src/services/deploys.js'
import { reconcileHost } from '../../src/services/releases.js'
import { eventLine } from '../../src/dokku/simulator/event-log.js'
import { seedBuildId } from '../../src/dokku/simulator/seed-deploys.js'
import { build } from '../helpers/build.js'
import { editSimState } from '../helpers/simulator-state.js'

const IMAGE = 'registry.example.com/team/api@sha256:' + 'e'.repeat(64)
const REPO = 'https://github.com/heroku/node-js-getting-started.git'
const SHA = 'ab'.repeat(20)

t.test('a release after each kind of Docklight deploy: source, metadata, GIT_REV, digest, build id, who', async (t) => {
  const { app } = await build(t)
  const host = app.hosts.default
  const store = app.deployStore

  const image = await deployFromImage(host, 'node-js-app', { image: IMAGE })
  await app.jobs.drain()
  const r1 = store.releases.byJob(image.id)!
  t.match(r1, { status: 'succeeded', source: 'docker-image', metadata: IMAGE, image: IMAGE, imageDigest: 'sha256:' + 'e'.repeat(64), actorKind: 'docklight', learnedFrom: 'job' })
  t.match(r1.buildId, /^[0-9a-z]{14}$/, 'dokku 0.38: the build record of this deploy')
  t.match(r1.gitRev, /^[0-9a-f]{40}$/, 'GIT_REV after the deploy')
  t.ok(r1.durationMs !== null && r1.finishedAt !== null)

  const git = await deployFromGit(host, 'python-app', { repo: REPO, ref: SHA })
  await app.jobs.drain()
  t.match(store.releases.byJob(git.id), { status: 'succeeded', source: 'git-sync', metadata: `${REPO}#${SHA}`, gitRev: SHA })

  const archive = await deployFromArchive(host, 'static-site', { url: 'https://example.com/build-42.zip', type: 'zip' })
  await app.jobs.drain()
  t.match(store.releases.byJob(archive.id), { status: 'succeeded', source: 'zip', metadata: 'https://example.com/build-42.zip' })

  const again = await deployFromImage(host, 'node-js-app', { image: IMAGE })
  await app.jobs.drain()
  t.equal(app.jobs.get(again.id)!.status, 'failed', 'the image deployed already: dokku exits 1')
  t.equal(store.releases.byJob(again.id), undefined, 'and nothing was deployed: no release')

  const failing = await deployFromImage(host, 'node-js-app', { image: 'team/unhealthy:3' })
  await app.jobs.drain()
  t.match(store.releases.byJob(failing.id), { status: 'failed', error: /Could not start due to 1 failed checks/ })

  const unchanged = await deployFromGit(host, 'python-app', { repo: REPO, ref: SHA, ifChanges: true })
  await app.jobs.drain()
  t.equal(app.jobs.get(unchanged.id)!.status, 'skipped', '--build-if-changes with the same commit: nothing to do')
  t.equal(store.releases.byJob(unchanged.id), undefined)
})

t.test('a git push seen only in the events log (dokku before 0.38: no build records)', async (t) => {
  const { app, dataDir } = await build(t, { simulator: { DOKKU_SIM_VERSION: '0.37.9' } })
  const host = app.hosts.default
  const deploys = await lastDeploys(host)
  const node = deploys.get('node-js-app')!
  t.match(node, { status: 'succeeded', source: 'git-push', buildId: null, jobId: null })
  const release = app.deployStore.releases.get(node.releaseId)!
  t.match(release, { learnedFrom: 'events', actorKind: 'ssh-key', actor: 'admin', metadata: 'cd7b8afccb202f222e7dc7b427553e71ba5ddafd', gitRev: 'cd7b8afccb202f222e7dc7b427553e71ba5ddafd' })

  // Someone pushes from their laptop: dokku logs it; Docklight learns of it on its next pass.
  await editSimState(dataDir, (s) => {
    const ms = Date.now()
    const line = (trigger: string, args: string[]) => eventLine(s, { ms, trigger, args, name: 'bob', fingerprint: 'SHA256:x', dokkuPid: 555_001, loggerPid: 555_100 })
    s.events!.log.push(line('pre-receive-app', ['ruby-app', 'herokuish', '/tmp/x', SHA]), line('post-deploy', ['ruby-app', '', '', 'latest']), line('deploy-source-set', ['ruby-app', 'git-push', SHA]))
  })
  const host2 = app.hosts.default
  // A new pass is due after the interval; a fresh Host object would be too, so simply wait it out here.
  ;(await import('../../src/services/releases.js')).resetReconcileClock()
  const after = await lastDeploys(host2)
  t.match(app.deployStore.releases.get(after.get('ruby-app')!.releaseId), { learnedFrom: 'events', actor: 'bob', metadata: SHA, status: 'succeeded' })
  t.same(app.deployStore.releases.list('local', 'ruby-app').filter((r) => r.metadata === SHA).length, 1, 'one push, one release, however often it is read')
  await reconcileHost(host2)
  t.same(app.deployStore.releases.list('local', 'ruby-app').filter((r) => r.metadata === SHA).length, 1)
})

t.test('a push seen only in the build records (events off), its metadata from apps:report', async (t) => {
  const { app, dataDir } = await build(t)
  const now = Date.now()
  await editSimState(dataDir, (s) => {
    s.events = { enabled: false, log: [] }
    const ruby = s.apps['ruby-app']!
    ruby.deploySource = 'git-push'
    ruby.deploySourceMetadata = SHA
    ruby.builds!.push({ id: seedBuildId(now - 60_000, 'x'), kind: 'build', pid: 4_400_100, startedAt: now - 60_000, finishedAt: now - 10_000, status: 'succeeded', source: 'git-hook', exitCode: 0 })
  })
  const deploys = await lastDeploys(app.hosts.default)
  const ruby = app.deployStore.releases.get(deploys.get('ruby-app')!.releaseId)!
  t.match(ruby, { learnedFrom: 'builds', source: 'git-push', metadata: SHA, status: 'succeeded', buildId: seedBuildId(now - 60_000, 'x'), actorKind: 'unknown' })
  t.equal(ruby.durationMs, 50_000)
  const failed = app.deployStore.releases.list('local', 'ruby-app').find((r) => r.status === 'failed')
  t.ok(failed, 'the seed\'s failed push is a failed release')
  t.equal(failed!.metadata, '', 'a failed build record says nothing of what it built')
})

t.test('one deploy is one release: a Docklight deploy read back from builds and events is not listed twice', async (t) => {
  const { app } = await build(t)
  const host = app.hosts.default
  const job = await deployFromImage(host, 'go-worker', { image: IMAGE })
  await app.jobs.drain()
  ;(await import('../../src/services/releases.js')).resetReconcileClock()
  await reconcileHost(host, 100)
  const mine = app.deployStore.releases.list('local', 'go-worker').filter((r) => r.metadata === IMAGE)
  t.equal(mine.length, 1)
  t.match(mine[0], { jobId: job.id, eventKey: /^event:\d+$/, learnedFrom: 'job' }, 'matched to its events-log group')
  const feed = app.deployStore.events.feed({ host: 'local', app: 'go-worker', limit: 50 })
  t.notOk(feed.some((e) => e.summary.includes(IMAGE.slice(0, 20))), 'the events group of our own deploy is not shown again')
})

t.test('lastDeploys: bounded work per pass, the shape the watchdog reads', async (t) => {
  const { app } = await build(t, { simulator: { DOKKU_SIM_APPS: '30' } })
  const host = app.hosts.default
  const reads = () => new Set(app.history.list({ kind: 'all', limit: 500 }).filter((r) => r.command.startsWith('dokku builds:list')).map((r) => r.app)).size
  const perPass: number[] = []
  for (let pass = 0; pass < 5; pass++) {
    await lastDeploys(host)
    perPass.push(reads())
  }
  t.same(perPass, [10, 20, 30, 35, 35], 'build records of 10 apps a pass, the least recently read first; none read twice within the interval')
  const map = await lastDeploys(host)
  const ruby = map.get('ruby-app')!
  t.same(Object.keys(ruby).sort(), ['at', 'buildId', 'error', 'jobId', 'releaseId', 'source', 'status'])
  t.equal(ruby.status, 'failed', "the seed's last push of ruby-app failed to build")
  t.match(ruby.buildId, /^[0-9a-z]{14}$/)
  t.equal(map.get('node-js-app')!.status, 'succeeded')
})
