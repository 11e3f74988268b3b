/**
 * The simulator's deploys per deploys.md §7: git:sync, git:from-image, git:from-archive,
 * git:report, builds:* (records, ids, statuses, cancel), the events log its own commands
 * extend, and the deploy lock's refusal.
 */
import t from 'tap'
import { parseBuildListJson } from '../../../src/dokku/parsers/builds.js'
import { groupEvents, parseEvents } from '../../../src/dokku/parsers/events.js'
import { fixture as reference } from '../parsers/fixture.js'
import { makeSim, matchesTemplate, NOW } from './helpers.js'

const REPO = 'https://github.com/heroku/node-js-getting-started.git'
const IMAGE = 'registry.example.com/team/api@sha256:' + 'a'.repeat(64)

t.test('the seed: past builds (one failed), an events log with named keys', async (t) => {
  const sim = await makeSim(t)
  const ruby = parseBuildListJson((await sim.run('builds:list', 'ruby-app', '--format', 'json')).stdout)
  t.same(ruby.map((b) => [b.source, b.status]), [['git-hook', 'failed'], ['git-hook', 'succeeded'], ['git-hook', 'succeeded']], 'newest first')
  for (const b of ruby) t.match(b.id, /^[0-9a-z]{14}$/)
  t.equal(parseInt(ruby[0]!.id.slice(0, 8), 36), Date.parse(ruby[0]!.startedAt), 'the first 8 characters are the start in ms')
  const text = await sim.run('builds:list', 'ruby-app')
  t.match(text.stdout, /^Build ID {8}Kind {3}Status {5}PID {6}Source {4}Started {15}Duration\n/)
  t.notMatch(text.stdout, / \n/, 'no trailing spaces')
  const node = parseBuildListJson((await sim.run('builds:list', 'node-js-app', '--format', 'json')).stdout)
  t.ok(node.some((b) => b.source === 'ps:restart' && b.status === 'abandoned' && b.kind === 'deploy'), 'a ps:restart record is never finalized')
  t.equal((await sim.run('builds:list')).stdout.split('\n')[0], 'App          Build ID        Kind    PID      Source      Started', 'all apps: no Status column')
  const groups = groupEvents(parseEvents((await sim.run('events')).stdout, new Date(NOW * 1000)))
  t.ok(groups.some((g) => g.app === 'node-js-app' && g.who === 'admin' && g.detail.source === 'git-push'))
  t.ok(groups.some((g) => g.app === 'ruby-app' && g.who === 'alice' && g.kind === 'deploy' && !g.detail.source), 'the failed push: no deploy-source-set')
  t.equal((await sim.run('builds:list', 'static-site')).stdout, 'No builds recorded for this app\n')
})

t.test('git:sync --build: clone, build, deploy, record; the output of §1.1', async (t) => {
  const sim = await makeSim(t)
  const res = await sim.run('git:sync', '--build', 'static-site', REPO, 'main')
  t.equal(res.code, 0, res.stderr)
  t.equal(res.stderr, '', 'everything on stdout inside the capture (0.38+)')
  const frame = reference('git/sync-first.txt').replace(/node-js-app/g, 'static-site').replace('http://static-site.dokku.me', 'http://static-site.dokku.me')
  t.ok(matchesTemplate(res.stdout.replace(/^-----> Deploying web[\s\S]*?(?=-----> Running post-deploy)/m, '…\n'), frame.replace(/^-----> Deploying web \(count=1\)\n {7}Attempting pre-flight checks \(web\.1\)\n…\n/m, '…\n')) || /Application deployed:\n {7}http:\/\/static-site\.dokku\.me\n\n$/.test(res.stdout), 'ends with the URLs and one empty line')
  t.match(res.stdout, /^-----> Cloning static-site from https:\/\/github\.com\/heroku\/node-js-getting-started\.git#main\n {7}Detected branch, setting deploy-branch to main\n-----> Cleaning up\.\.\.\n/)
  const report = JSON.parse((await sim.run('apps:report', 'static-site', '--format', 'json')).stdout)
  t.equal(report['deploy-source'], 'git-sync')
  t.match(report['deploy-source-metadata'], new RegExp(`^${REPO.replace(/[.]/g, '\\.')}#[0-9a-f]{40}$`))
  const sha = report['deploy-source-metadata'].split('#')[1]
  t.equal((await sim.run('config:get', 'static-site', 'GIT_REV')).stdout, `${sha}\n`, 'the rev env var is the built sha')
  const git = JSON.parse((await sim.run('git:report', 'static-site', '--format', 'json')).stdout)
  t.equal(git['computed-deploy-branch'], 'main')
  t.equal(git.sha, sha)
  const [record] = parseBuildListJson((await sim.run('builds:list', 'static-site', '--format', 'json')).stdout)
  t.match(record, { source: 'git:sync', kind: 'build', status: 'succeeded', exitCode: 0 })
  const log = await sim.run('builds:output', 'static-site', record!.id)
  t.equal(log.stdout, res.stdout, 'builds:output of a finished build: the captured stream')
  const info = JSON.parse((await sim.run('builds:info', 'static-site', record!.id, '--format', 'json')).stdout)
  t.same(Object.keys(info), ['id', 'app', 'kind', 'pid', 'started_at', 'finished_at', 'status', 'source', 'exit_code', 'display_status', 'duration', 'log_path'])

  const again = await sim.run('git:sync', '--build-if-changes', 'static-site', REPO, 'main')
  t.same(again, { code: 0, stdout: `       Fetching remote code for static-site from ${REPO}#main\nFrom ${REPO}\n * branch            main -> FETCH_HEAD\n       Skipping build as no changes were detected\n`, stderr: '' })
  t.same((await sim.run('git:sync', 'static-site')), { code: 1, stdout: '', stderr: ' !     Missing GIT_REMOTE parameter\n' }, 'argument errors come before the capture, on stderr')
  t.same((await sim.run('git:sync', '--build')), { code: 20, stdout: '', stderr: ' !     App  does not exist\n' }, 'a missing app: two spaces, exit 20')
  const refused = await sim.run('git:sync', '--build', 'static-site', 'https://git.example.invalid/missing.git', 'main')
  t.equal(refused.code, 128)
  t.match(refused.stdout, /fatal: repository 'https:\/\/git\.example\.invalid\/missing\.git' not found/)
})

t.test('git:from-image: deploys, records the image; the same image again exits 1', async (t) => {
  const sim = await makeSim(t)
  const res = await sim.run('git:from-image', 'node-js-app', IMAGE)
  t.equal(res.code, 0)
  t.match(res.stdout, /^-----> Generating build context\n-----> Pulling image\n/)
  t.match(res.stdout, /-----> Updating git repository with specified build context\n-----> Cleaning up\.\.\.\n-----> Building node-js-app from Dockerfile\n/)
  t.equal(JSON.parse((await sim.run('apps:report', 'node-js-app', '--format', 'json')).stdout)['deploy-source-metadata'], IMAGE)
  t.equal((await sim.run('git:report', 'node-js-app', '--git-source-image')).stdout, `${IMAGE}\n`)
  t.same(await sim.run('git:from-image', 'node-js-app', IMAGE), {
    code: 1,
    stdout: "-----> Generating build context\n-----> Image exists on host, skipping pull\n-----> Updating git repository with specified build context\n !     No changes detected, skipping git commit\n !     Call 'ps:rebuild' on app to rebuild the app from existing source\n",
    stderr: ''
  }, 'deploys.md §0: exit 1, not 0')
  const pull = await sim.run('git:from-image', 'node-js-app', 'dokku/python:missing-tag')
  t.equal(pull.code, 1)
  t.match(pull.stdout, / !     Failed to pull image: dokku\/python:missing-tag\n$/)
  const failing = await sim.run('git:from-image', 'node-js-app', 'team/unhealthy:2')
  t.equal(failing.code, 1)
  t.match(failing.stdout, /Could not start due to 1 failed checks/)
  const records = parseBuildListJson((await sim.run('builds:list', 'node-js-app', '--format', 'json')).stdout)
  t.ok(records.some((b) => b.source === 'git:from-image' && b.status === 'failed' && b.exitCode === 1), 'a failed deploy is finalized as failed')
  t.ok(records.some((b) => b.source === 'git:from-image' && b.status === 'running' && b.exitCode === null), 'a failed pull leaves its record running (its process still lives here)')
  t.equal(JSON.parse((await sim.run('apps:report', 'node-js-app', '--format', 'json')).stdout)['deploy-source-metadata'], IMAGE, 'deploy-source stays on the last good deploy')
})

t.test('git:from-archive with its type', async (t) => {
  const sim = await makeSim(t)
  const res = await sim.run('git:from-archive', '--archive-type', 'tar.gz', 'python-app', 'https://example.com/build-42.tar.gz')
  t.equal(res.code, 0)
  t.match(res.stdout, /^-----> Downloading tar\.gz file from https:\/\/example\.com\/build-42\.tar\.gz\n#=#=# +\r#+ 100\.0%\n-----> Generating build context\n {7}Extracting gzipped tarball\n\[archive-security\] /)
  const report = JSON.parse((await sim.run('apps:report', 'python-app', '--format', 'json')).stdout)
  t.same([report['deploy-source'], report['deploy-source-metadata']], ['tar.gz', 'https://example.com/build-42.tar.gz'])
})

t.test('the deploy lock: a second deploy is refused with dokku\'s two lines (§5.1), and has a record of its own', async (t) => {
  const sim = await makeSim(t)
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  let entered!: () => void
  const inside = new Promise<void>((resolve) => { entered = resolve })
  let sleeps = 0
  // The third wait is inside the build: the deploy lock is held from there.
  const slow = sim.runWith({ sleep: async () => { if (++sleeps === 3) { entered(); await gate } } }, 'git:from-image', 'node-js-app', IMAGE)
  await inside
  const second = await sim.run('git:sync', '--build', 'node-js-app', REPO, 'main')
  t.equal(second.code, 1)
  t.match(second.stdout, new RegExp(reference('git/deploy-locked.txt').replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$'), 'on stdout, inside the capture')
  release()
  t.equal((await slow).code, 0)
  const running = JSON.parse((await sim.run('builds:list', '--format', 'json')).stdout) as Array<{ app: string; source: string }>
  t.ok(running.some((b) => b.app === 'node-js-app' && b.source === 'git:sync'), 'the refused run\'s record is never finalized')
})

t.test('builds:cancel: each message of §2.5', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('builds:cancel', 'node-js-app'), { code: 0, stdout: '-----> App not currently deploying\n', stderr: '' })
  await sim.run('apps:lock', 'node-js-app')
  t.equal((await sim.run('builds:cancel', 'node-js-app')).stdout, '-----> No matching app deploy found\n')
  await sim.run('apps:unlock', 'node-js-app')
  const state = await sim.state()
  const record = state.apps['ruby-app']!.builds!.find((b) => b.status === 'succeeded')!
  const { writeStateFile } = await import('../../../src/dokku/simulator/state.js')
  state.apps['ruby-app']!.lock = { kind: 'deploy', pid: 4_400_001, token: 't', at: NOW, buildId: record.id }
  state.apps['go-worker']!.lock = { kind: 'deploy', pid: 4_400_002, token: 't', at: NOW, buildId: 'mt3e5zb0k2p9zz' }
  await writeStateFile(sim.statePath, state)
  t.equal((await sim.run('builds:cancel', 'ruby-app')).stdout, `-----> Build ${record.id} is no longer running (status=succeeded); leaving record untouched\n`)
  t.equal((await sim.run('builds:cancel', 'go-worker')).stdout, '-----> No build record for mt3e5zb0k2p9zz, removing stale lock file\n')
  t.same(await sim.run('builds:cancel', 'nope'), { code: 20, stdout: '', stderr: ' !     App nope does not exist\n' })
  t.same(await sim.runWith({ env: { DOKKU_SIM_VERSION: '0.37.9' } }, 'builds:list', 'node-js-app'), { code: 1, stdout: '', stderr: ' !     `builds:list node-js-app` is not a dokku command.\n !     See `dokku help` for a list of available commands.\n' })
})

t.test('builds:output of a running build does not end until it is killed', async (t) => {
  const sim = await makeSim(t)
  let release!: () => void
  const gate = new Promise<void>((resolve) => { release = resolve })
  let entered!: () => void
  const inside = new Promise<void>((resolve) => { entered = resolve })
  let sleeps = 0
  const deploy = sim.runWith({ sleep: async () => { if (++sleeps === 3) { entered(); await gate } } }, 'git:from-image', 'node-js-app', IMAGE)
  await inside
  const abort = new AbortController()
  let polls = 0
  const tail = sim.runWith({ signal: abort.signal, sleep: async () => { if (++polls === 3) abort.abort() } }, 'builds:output', 'node-js-app')
  const out = await tail
  t.equal(polls, 3, 'it kept following until the signal')
  t.match(out.stdout, /^-----> Generating build context\n/, 'current: the live build\'s log so far')
  release()
  await deploy
})

t.test('the events log: on and off, and the lines of the simulator\'s own mutations', async (t) => {
  const sim = await makeSim(t)
  const on = await sim.run('events:list')
  t.match(on.stdout, /^=====> Events currently logged {78}\n/)
  t.ok(on.stdout.split('\n').slice(1, -1).every((l) => l.length === 103), 'every trigger line is 103 characters')
  await sim.run('--force', 'apps:destroy', 'go-worker')
  await sim.run('apps:create', 'blog')
  await sim.run('config:set', '--no-restart', 'blog', 'SECRET=s3cret-value', 'OTHER=1')
  await sim.run('domains:add', 'blog', 'blog.example.com')
  await sim.run('git:from-image', 'blog', 'nginx:1.27')
  const lines = (await sim.run('events')).stdout.split('\n').filter((l) => l !== '')
  t.ok(lines.length <= 100, 'dokku events shows the last 100 lines')
  t.notMatch(lines.join('\n'), /s3cret-value/, 'key names only')
  const useful = parseEvents(lines.join('\n'), new Date(NOW * 1000))
    .filter((e) => ['post-delete', 'post-create', 'post-config-update', 'post-domains-update', 'deploy-source-set'].includes(e.trigger))
    .slice(-6).map((e) => [e.trigger, e.args.join(' ')])
  t.same(useful, [
    ['post-delete', 'go-worker '],
    ['post-create', 'blog'],
    ['post-config-update', 'blog set SECRET OTHER'],
    ['post-domains-update', 'blog add blog.example.com'],
    ['post-config-update', 'blog set GIT_REV'],
    ['deploy-source-set', 'blog docker-image nginx:1.27']
  ], 'what the simulator did, in order, one line per trigger')
  t.same(await sim.run('events:off'), { code: 0, stdout: 'Disabling dokku events logger\n', stderr: '' })
  t.same(await sim.run('events:list'), { code: 0, stdout: '', stderr: ' !     Events logger disabled\n' })
  const before = (await sim.run('events')).stdout
  await sim.run('config:set', '--no-restart', 'blog', 'X=1')
  t.equal((await sim.run('events')).stdout, before, 'nothing more is logged, old lines still shown')
  t.same(await sim.run('events:on'), { code: 0, stdout: 'Enabling dokku events logger\n', stderr: '' })
})

t.test('builds:info, builds:report and builds:prune as §2.3 and §2.6 print them', async (t) => {
  const sim = await makeSim(t)
  const [failed] = parseBuildListJson((await sim.run('builds:list', 'ruby-app', '--format', 'json')).stdout)
  const info = await sim.run('builds:info', 'ruby-app', failed!.id)
  t.equal(info.code, 0, info.stderr)
  t.match(info.stdout, new RegExp(`^Build ID: {3}${failed!.id}\nApp: {8}ruby-app\nKind: {7}build\nStatus: {5}failed\n`), 'two columns, no header, no indent')
  t.match(info.stdout, /\nExit Code: {2}1\nLog: {8}\/var\/lib\/dokku\/data\/builds\/ruby-app\/[0-9a-z]{14}\.log\n$/)
  const json = JSON.parse((await sim.run('builds:info', 'ruby-app', failed!.id, '--format', 'json')).stdout)
  t.match(json, { id: failed!.id, display_status: 'failed', log_path: /\.log$/ })
  t.same(await sim.run('builds:info', 'ruby-app', 'mt3e5zb0k2p9zz'), { code: 1, stdout: '', stderr: ' !     No build record found for ruby-app/mt3e5zb0k2p9zz\n' })
  t.equal((await sim.run('builds:info', 'ruby-app')).stderr, ' !     Please specify a build id\n')
  const report = JSON.parse((await sim.run('builds:report', 'ruby-app', '--format', 'json')).stdout)
  t.match(report, { 'build-id': failed!.id, 'build-status': 'failed', 'builds-computed-retention': '20' })
  t.match((await sim.run('builds:report', 'ruby-app')).stdout, /^=====> ruby-app builds information\n {7}Build exit code: {15}1\n/)
  const log = await sim.run('builds:output', 'ruby-app', failed!.id)
  t.equal(log.code, 0)
  t.match(log.stdout, /ruby-app/, 'the finished build\'s log, as cat prints it')
  t.equal((await sim.run('builds:output', 'ruby-app', 'mt3e5zb0k2p9zz')).stdout, '-- No entries --\n', 'no log file: journald has nothing')
  t.equal((await sim.run('builds:output', 'ruby-app')).stdout, '-----> App not currently deploying\n')
  t.same(await sim.run('builds:prune', 'node-js-app'), { code: 0, stdout: '', stderr: '' }, 'silent')
  const pruned = parseBuildListJson((await sim.run('builds:list', 'node-js-app', '--format', 'json')).stdout)
  t.notOk(pruned.some((b) => b.status === 'abandoned'), 'abandoned records are reaped as failed')
})
