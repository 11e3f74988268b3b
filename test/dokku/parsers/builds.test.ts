import t from 'tap'
import { parseBuildListJson, readableBuildLog } from '../../../src/dokku/parsers/builds.js'
import { parseGitReport } from '../../../src/dokku/parsers/git.js'
import { OutputParseError } from '../../../src/dokku/errors.js'
import { fixture } from './fixture.js'

t.test('builds:list --format json: records with their display status', async (t) => {
  const [b] = parseBuildListJson(fixture('builds/list.json'))
  t.same(b, {
    id: 'mt3e5zb0k2p9ze',
    app: 'node-js-app',
    kind: 'build',
    pid: 480211,
    source: 'git-hook',
    startedAt: '2026-08-21T20:18:10.044Z',
    finishedAt: '2026-08-21T20:19:24.301Z',
    status: 'succeeded',
    exitCode: 0,
    duration: '1m14s'
  })
  t.same(parseBuildListJson(fixture('builds/list-empty.json')), [])
  const running = parseBuildListJson('[{"id":"mt3efnnsq7m2xa","app":"a","kind":"build","pid":1,"started_at":"2026-08-21T20:25:41Z","status":"running","source":"git:sync","display_status":"abandoned","duration":"37s","log_path":"/x"}]')
  t.equal(running[0]!.status, 'abandoned', 'the display status wins')
  t.equal(running[0]!.finishedAt, null, 'finished_at is omitted while running')
  t.throws(() => parseBuildListJson('No builds recorded for this app\n'), OutputParseError)
  t.throws(() => parseBuildListJson('[{"id":"x"}]'), OutputParseError)
})

t.test('a build log as people read it: escapes removed, \\r redraws resolved', async (t) => {
  const raw = '\x1b[1G\x1b[K-----> WARNING: x\n#=#=#   \r###### 100.0%\n-----> Done\r\n'
  t.equal(readableBuildLog(raw), '-----> WARNING: x\n###### 100.0%\n-----> Done\n')
})

t.test('git:report: the Go text layout and JSON', async (t) => {
  const text = parseGitReport('node-js-app', fixture('misc/git-report.txt'), 'text')
  t.equal(text.deployBranch, 'master')
  t.equal(text.sha, 'cd7b8afccb202f222e7dc7b427553e71ba5ddafd')
  t.equal(text.revEnvVar, 'GIT_REV')
  t.equal(text.sourceImage, '')
  t.equal(text.lastUpdatedAt?.toISOString(), '2025-01-01T00:00:00.000Z')
  const json = parseGitReport('a', '{"computed-deploy-branch":"main","deploy-branch":"main","rev-env-var":"","sha":"","source-image":"nginx:1"}', 'json')
  t.equal(json.deployBranch, 'main')
  t.equal(json.revEnvVar, '', 'an empty rev-env-var turns it off')
  t.equal(json.sourceImage, 'nginx:1')
})
