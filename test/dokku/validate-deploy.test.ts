import t from 'tap'
import { InvalidArgumentError } from '../../src/dokku/errors.js'
import {
  validateArchiveType, validateArchiveUrl, validateBuildId, validateCommitSha, validateGitRef, validateImageRef, validateRepoUrl
} from '../../src/dokku/validate-deploy.js'

function refused (t: Tap.Test, fn: () => unknown, message: RegExp, label: string): void {
  try {
    fn()
    t.fail(`${label}: accepted`)
  } catch (e) {
    t.ok(e instanceof InvalidArgumentError, `${label}: refused as input`)
    t.match((e as Error).message, message, label)
  }
}

t.test('repository URLs: https, ssh and git@ forms', async (t) => {
  t.same(validateRepoUrl('https://github.com/heroku/node-js-getting-started.git'), { url: 'https://github.com/heroku/node-js-getting-started.git', form: 'https', host: 'github.com' })
  t.equal(validateRepoUrl('ssh://git@git.example.com:2222/org/app.git').form, 'ssh')
  t.equal(validateRepoUrl('git@github.com:org/app.git').form, 'scp')
  t.equal(validateRepoUrl('https://git.example.com:8443/team/app').host, 'git.example.com')
})

t.test('hostile repository URLs are refused before anything runs', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['https://github.com/org/app.git;id', /may only contain/],
    ['https://github.com/org/$(id).git', /may only contain/],
    ['https://github.com/org/`id`.git', /quotes/],
    ['-u https://x', /spaces/],
    ['--upload-pack=touch /tmp/x', /spaces/],
    ['--upload-pack=id', /start with "-"/],
    ['https://github.com/org/app.git --upload-pack=id', /spaces/],
    ['https://github.com/--upload-pack=id', /option/],
    ['ssh://-oProxyCommand=id/x', /option/],
    ['git@github.com:-x/app.git', /option/],
    ['https://github.com/org/app.git\nid', /control characters/],
    ["https://github.com/org/it's.git", /quotes/],
    ['https://x@github.com/org/app.git', /user name or token/],
    ['https://user:ghp_token@github.com/org/app.git', /git:auth/],
    ['http://github.com/org/app.git', /https:\/\/, ssh:\/\/ or the git@host:path form/],
    ['file:///etc/passwd', /https:\/\/, ssh:\/\/ or the git@host:path form/],
    ['ext::sh -c touch% /tmp/pwned', /spaces/],
    ['ext::sh', /https:\/\/, ssh:\/\/ or the git@host:path form/],
    ['https://github.com/../etc', /"\.\."/],
    ['https://gith_ub.com/org/app', /not a valid host name/],
    ['https://github.com/', /repository path/],
    ['', /required/],
    ['https://github.com/org/ünï.git', /may only contain/]
  ]
  for (const [url, message] of cases) refused(t, () => validateRepoUrl(url), message, JSON.stringify(url))
})

t.test('refs: what git check-ref-format refuses, and what looks like an option', async (t) => {
  for (const ok of ['main', 'release/v1.2', 'v1.2.3', 'cd7b8afccb202f222e7dc7b427553e71ba5ddafd', 'feature_x', 'refs/heads/main']) t.equal(validateGitRef(ok), ok)
  const cases: Array<[string, RegExp]> = [
    ['a..b', /"\.\."/], ['a@{1}', /may only contain|"@\{"/], ['@', /"@" alone/], ['a//b', /"\/\/"/], ['a/', /end with/], ['a.', /end with/],
    ['.hidden', /start with "\."/], ['a/.b', /start with "\."/], ['x.lock', /\.lock/], ['a/b.lock/c', /\.lock/], ['a b', /spaces/],
    ['a~1', /~ \^ : \? \* or \[/], ['a^', /~ \^ : \? \* or \[/], ['a:b', /~ \^ : \? \* or \[/], ['a?', /~ \^ : \? \* or \[/], ['a*', /~ \^ : \? \* or \[/], ['a[b', /~ \^ : \? \* or \[/],
    ['a\\b', /quotes or backslashes/], ['-b', /start with "-"/], ['--upload-pack=x', /start with "-"/], ['feature/-x', /option/], ['main;id', /may only contain/]
  ]
  for (const [ref, message] of cases) refused(t, () => validateGitRef(ref), message, JSON.stringify(ref))
})

t.test('image references: the OCI grammar; a digest pins one image', async (t) => {
  t.same(validateImageRef('nginx'), { ref: 'nginx', name: 'nginx', tag: null, digest: null })
  t.same(validateImageRef('registry.example.com:5000/team/api:1.4.0'), { ref: 'registry.example.com:5000/team/api:1.4.0', name: 'registry.example.com:5000/team/api', tag: '1.4.0', digest: null })
  const pinned = validateImageRef('ghcr.io/org/app@sha256:' + 'b'.repeat(64))
  t.equal(pinned.digest, 'sha256:' + 'b'.repeat(64))
  t.equal(pinned.tag, null)
  t.equal(validateImageRef('dokku/node-js:v2@sha256:' + 'c'.repeat(64)).tag, 'v2', 'a tag and a digest: the digest pins it')
  t.equal(validateImageRef('my_org/app__x.y-z').name, 'my_org/app__x.y-z')
  const cases: Array<[string, RegExp]> = [
    ['Nginx', /lowercase/], ['nginx:', /lowercase/], ['nginx:-x', /option/], ['-nginx', /start with "-"/], ['nginx@sha256:abc', /lowercase|sha256/],
    ['nginx@sha256:' + 'A'.repeat(64), /64 lowercase/], ['a/b/', /lowercase/], ['nginx;id', /may only contain/], ['nginx $(id)', /spaces/],
    ['nginx:' + 'x'.repeat(129), /lowercase/], ['a..b', /lowercase/], ['x'.repeat(600), /too long/], ['registry/--x', /option/]
  ]
  for (const [image, message] of cases) refused(t, () => validateImageRef(image), message, JSON.stringify(image))
})

t.test('archives: http(s) URL without credentials or query, and one of three types', async (t) => {
  t.equal(validateArchiveUrl('https://example.com/builds/app-42.tar.gz'), 'https://example.com/builds/app-42.tar.gz')
  t.equal(validateArchiveUrl('http://artifacts.internal:8080/app.zip'), 'http://artifacts.internal:8080/app.zip')
  refused(t, () => validateArchiveUrl('https://s3.example.com/a.tar?X-Amz-Signature=x'), /query string/, 'a query')
  refused(t, () => validateArchiveUrl('https://u:p@example.com/a.tar'), /user name or password/, 'credentials')
  refused(t, () => validateArchiveUrl('ftp://example.com/a.tar'), /must look like/, 'another scheme')
  refused(t, () => validateArchiveUrl('--'), /start with "-"/, 'stdin')
  refused(t, () => validateArchiveUrl('https://example.com/a.tar;id'), /may only contain/, 'a semicolon')
  for (const type of ['tar', 'tar.gz', 'zip']) t.equal(validateArchiveType(type), type)
  for (const type of ['tgz', 'TAR', 'rar', '', '--tar']) refused(t, () => validateArchiveType(type), /one of tar, tar.gz, zip/, type)
})

t.test('commit ids and build ids', async (t) => {
  t.equal(validateCommitSha('cd7b8afccb202f222e7dc7b427553e71ba5ddafd'), 'cd7b8afccb202f222e7dc7b427553e71ba5ddafd')
  refused(t, () => validateCommitSha('cd7b8af'), /full id/, 'short')
  refused(t, () => validateCommitSha('CD7B8AFCCB202F222E7DC7B427553E71BA5DDAFD'), /lowercase/, 'upper case')
  t.equal(validateBuildId('mt3e5zb0k2p9ze'), 'mt3e5zb0k2p9ze')
  t.equal(validateBuildId('pid-480211'), 'pid-480211')
  for (const id of ['current', '../x', 'MT3E5ZB0K2P9ZE', 'pid-', '-x']) refused(t, () => validateBuildId(id), /build id/, id)
})

namespace Tap { export type Test = import('tap').Test }
