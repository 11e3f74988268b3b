import t from 'tap'
import * as builds from '../../../src/dokku/commands/builds.js'
import * as events from '../../../src/dokku/commands/events.js'
import * as git from '../../../src/dokku/commands/git.js'
import { DokkuClient } from '../../../src/dokku/client.js'
import { DokkuError, InvalidArgumentError } from '../../../src/dokku/errors.js'
import { parseVersion } from '../../../src/dokku/parsers/version.js'
import { fixture } from '../parsers/fixture.js'
import { failed, FakeRunner } from './fake-runner.js'
import { V } from './versions.js'

const out = (stdout: string, stderr = '') => ({ stdout, stderr, exitCode: 0 })
const REPO = 'https://github.com/heroku/node-js-getting-started.git'

t.test('git:sync: flags before the app, the ref last; a job on the job lane with the deploy timeout', async (t) => {
  const spec = git.gitSync('node-js-app', REPO, 'main', 'build', V.current)
  t.same(spec.args, ['git:sync', '--build', 'node-js-app', REPO, 'main'])
  t.equal(spec.kind, 'job')
  t.equal(spec.timeoutMs, 30 * 60_000)
  t.same(git.gitSync('node-js-app', REPO, null, 'build-if-changes', V.current).args, ['git:sync', '--build-if-changes', 'node-js-app', REPO])
  t.same(git.gitSync('node-js-app', REPO, 'v1.0', 'none', V.current).args, ['git:sync', 'node-js-app', REPO, 'v1.0'])
  t.throws(() => git.gitSync('node-js-app', REPO, 'main', 'build-if-changes', parseVersion('dokku version 0.33.9\n')), { message: '--build-if-changes needs dokku 0.34.0 or later' })
  t.throws(() => git.gitSync('node-js-app', REPO, 'main', 'build', parseVersion('dokku version 0.22.0\n')), { message: 'git:sync needs dokku 0.23.0 or later' })
  t.throws(() => git.gitSync('node-js-app', `${REPO};id`, 'main', 'build', V.current), InvalidArgumentError)
  t.throws(() => git.gitSync('node-js-app', REPO, '--upload-pack=x', 'build', V.current), InvalidArgumentError)
})

t.test('git:from-image and git:from-archive', async (t) => {
  const image = 'registry.example.com/team/api@sha256:' + 'd'.repeat(64)
  t.same(git.gitFromImage('node-js-app', image, V.current).args, ['git:from-image', 'node-js-app', image])
  t.throws(() => git.gitFromImage('node-js-app', 'Bad:Image', V.current), InvalidArgumentError)
  t.same(git.gitFromArchive('node-js-app', 'https://example.com/a.tar.gz', 'tar.gz', V.current).args, ['git:from-archive', '--archive-type', 'tar.gz', 'node-js-app', 'https://example.com/a.tar.gz'])
  t.throws(() => git.gitFromArchive('node-js-app', 'https://example.com/a.tar', 'rar' as 'tar', V.current), { message: 'Archive type must be one of tar, tar.gz, zip' })
})

t.test('git:report: JSON from 0.38.0, text before', async (t) => {
  t.same(git.gitReport('node-js-app', V.current).args, ['git:report', 'node-js-app', '--format', 'json'])
  const text = git.gitReport('node-js-app', V.v0_30)
  t.same(text.args, ['git:report', 'node-js-app'])
  t.equal(text.parse(out(fixture('misc/git-report.txt'))).sha, 'cd7b8afccb202f222e7dc7b427553e71ba5ddafd')
})

t.test('builds:* argv and events argv', async (t) => {
  t.same(builds.listBuilds('node-js-app', { kind: 'build', status: 'running' }).args, ['builds:list', 'node-js-app', '--format', 'json', '--kind', 'build', '--status', 'running'])
  t.throws(() => builds.listBuilds('node-js-app', { kind: 'x' as 'build' }), InvalidArgumentError)
  t.same(builds.buildOutput('node-js-app', 'mt3e5zb0k2p9ze').args, ['builds:output', 'node-js-app', 'mt3e5zb0k2p9ze'])
  t.throws(() => builds.buildOutput('node-js-app', 'current'), InvalidArgumentError, 'the lock-file form follows someone else\'s deploy: never asked for')
  t.same(events.events().args, ['events'])
  t.same(events.eventsList().parse(out('', fixture('events/list-disabled.stderr.txt'))), { enabled: false, triggers: [] })
})

t.test('the client: build records only on 0.38+, deploys run as jobs with live output', async (t) => {
  const old = new DokkuClient(new FakeRunner({}, '0.37.9'))
  t.same(await old.listBuilds('node-js-app'), { supported: false }, 'no builds:* before 0.38: nothing is run')
  const runner = new FakeRunner({
    'builds:list node-js-app --format json --kind build': { stdout: fixture('builds/list.json') },
    [`git:sync --build node-js-app ${REPO} main`]: { stdout: fixture('git/sync-first.txt'), chunks: [['stdout', '-----> Cloning node-js-app\n']] },
    'git:from-image node-js-app nginx:1.27': failed(1, '', fixture('git/deploy-locked.txt'))
  })
  const client = new DokkuClient(runner)
  const listed = await client.listBuilds('node-js-app', { kind: 'build' })
  t.ok(listed.supported && listed.builds[0]!.id === 'mt3e5zb0k2p9ze')
  const seen: string[] = []
  const outcome = await client.gitSync('node-js-app', REPO, 'main', 'build', { onOutput: (_s, text) => seen.push(text) })
  t.match(outcome.output, /Application deployed/)
  t.same(seen, ['-----> Cloning node-js-app\n'], 'output streams while it runs')
  t.equal(runner.calls.find((c) => c.req.args[0] === 'git:sync')!.req.lane, 'job')
  const error = await client.gitFromImage('node-js-app', 'nginx:1.27').then(() => null, (e: unknown) => e)
  t.ok(error instanceof DokkuError, 'refused')
  t.match(error, { kind: 'locked', message: /currently has a deploy lock in place/ }, 'the lock message arrives on stdout since 0.38 and is still read as the lock')
})
