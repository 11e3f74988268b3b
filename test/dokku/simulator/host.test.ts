/**
 * The simulator's host commands, as server.md describes dokku's: ssh-keys:* (root only for
 * add/remove, the list's text and JSON layouts, the duplicate and empty cases, the check that
 * fails after the key is in), plugin:installed, domains:*-global, cleanup and dokku report.
 */
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { parseHostReport, parseSshKeysList } from '../../../src/dokku/parsers/host.js'
import { ED25519, RSA } from '../../helpers/ssh-keys.js'
import { makeSim } from './helpers.js'

const ROOT = { env: { DOKKU_SIM_ROOT: '1' } }

t.test('ssh-keys:list: text, JSON unfiltered and filtered, no match, none at all', async (t) => {
  const sim = await makeSim(t)
  const text = await sim.run('ssh-keys:list')
  t.equal(text.code, 0)
  t.same(parseSshKeysList(text.stdout).map((k) => k.name), ['admin', 'ci-bot'])
  t.match(text.stdout, /^SHA256:\S{43} NAME="admin" SSHCOMMAND_ALLOWED_KEYS="no-agent-forwarding,no-user-rc,no-X11-forwarding,no-port-forwarding"\n/)
  const json = await sim.run('ssh-keys:list', '--format', 'json')
  t.match(json.stdout, /^\[\{ "fingerprint": "SHA256:\S+", "name": "admin", "SSHCOMMAND_ALLOWED_KEYS": "[^"]+", "public-key": "ssh-ed25519 \S+ alice@laptop" \},\{ /)
  t.same(JSON.parse(json.stdout).map((k: { name: string }) => k.name), ['admin', 'ci-bot'])
  t.match((await sim.run('ssh-keys:list', '--format', 'json', 'admin')).stdout, /^\[\{"fingerprint":"SHA256:\S+","name":"admin",/, 'filtered JSON is compact')
  t.same(await sim.run('ssh-keys:list', '--format', 'json', 'nobody'), { code: 0, stdout: '[]\n', stderr: '' })
  t.same(await sim.run('ssh-keys:list', 'nobody'), { code: 1, stdout: '', stderr: '' }, 'text with no match: exit 1, nothing printed')
  t.match(await sim.run('ssh-keys:list', '--format', 'xml'), { code: 1, stderr: ' !     Invalid output format specified, supported formats: json, text\n' })
  const empty = await makeSim(t, { setup: (s) => { s.sshKeys = [] } })
  t.same(await empty.run('ssh-keys:list'), { code: 1, stdout: '', stderr: 'authorized_keys is empty for dokku\n' })
  t.same(await empty.runWith({ env: { DOKKU_SIM_VERSION: '0.35.0' } }, 'ssh-keys:list'), { code: 1, stdout: '', stderr: ' !     No public keys found.\n' })
})

t.test('ssh-keys:add needs root, reads a key file (or a pipe), and refuses duplicates', async (t) => {
  const sim = await makeSim(t)
  // Next to the state file: another t.testdir() call would empty the directory it is in.
  const dir = dirname(sim.statePath)
  const files = { 'alice.pub': ED25519.line + '\n', 'two.pub': `${ED25519.line}\n${RSA.line}\n`, 'bad.pub': 'ssh-rsa nope\n', 'empty.pub': '' }
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
  t.same(await sim.run('ssh-keys:add', 'alice', join(dir, 'alice.pub')), { code: 1, stdout: '', stderr: ' !     This command must be run as root\n' })
  t.match(await sim.runWith(ROOT, 'ssh-keys:add', 'alice'), { code: 1, stderr: ' !     No key specified via file or pipe\n' }, 'stdin that is not a pipe is not read')
  t.match(await sim.runWith(ROOT, 'ssh-keys:add', 'alice', join(dir, 'empty.pub')), { code: 1, stderr: ' !     Empty key was specified\n' })
  t.match(await sim.runWith(ROOT, 'ssh-keys:add', 'alice', join(dir, 'two.pub')), { code: 1, stderr: ' !     Too many keys provided, set one per invocation of dokku ssh-keys:add <NAME> <KEY_FILE>\n' })
  t.match(await sim.runWith(ROOT, 'ssh-keys:add', 'alice', join(dir, 'bad.pub')), { code: 1, stderr: ' !     Key specified in is not a valid ssh public key\n' })
  t.same(await sim.runWith(ROOT, 'ssh-keys:add', 'alice', join(dir, 'alice.pub')), { code: 0, stdout: ED25519.fingerprint + '\n', stderr: '' })
  t.match(await sim.runWith(ROOT, 'ssh-keys:add', 'alice', join(dir, 'alice.pub')), { code: 1, stderr: 'Duplicate ssh key name\n !     sshcommand returned an error: 1\n' })
  t.match(await sim.runWith(ROOT, 'ssh-keys:add', 'alice2', join(dir, 'alice.pub')), { code: 1, stderr: 'Duplicate ssh public key specified\n !     sshcommand returned an error: 1\n' })
  t.same(await sim.runWith({ env: { DOKKU_SIM_ROOT: '1', DOKKU_SIM_STDIN_IS_PIPE: '1' }, stdin: [RSA.line] }, 'ssh-keys:add', 'ci'), { code: 0, stdout: RSA.fingerprint + '\n', stderr: '' }, 'a key on a pipe')
  t.same(parseSshKeysList((await sim.run('ssh-keys:list')).stdout).map((k) => k.name), ['admin', 'ci-bot', 'alice', 'ci'])
})

t.test('a # line in authorized_keys: the key goes in, the fingerprint is printed, and still exit 1', async (t) => {
  const sim = await makeSim(t, { setup: (s) => { s.authorizedKeysHasComment = true } })
  const file = join(dirname(sim.statePath), 'k.pub')
  writeFileSync(file, ED25519.line + '\n')
  t.same(await sim.runWith(ROOT, 'ssh-keys:add', 'alice', file), {
    code: 1, stdout: ED25519.fingerprint + '\n', stderr: ' !     /home/dokku/.ssh/authorized_keys line 1 failed ssh-keygen check.\n'
  })
  t.ok((await sim.state()).sshKeys!.some((k) => k.name === 'alice'), 'the key is in')
})

t.test('ssh-keys:remove: root only, silent, by name or fingerprint, exit 0 when nothing matched', async (t) => {
  const sim = await makeSim(t)
  const admin = (await sim.state()).sshKeys![0]!
  t.match(await sim.run('ssh-keys:remove', 'admin'), { code: 1, stderr: ' !     This command must be run as root\n' })
  t.same(await sim.runWith(ROOT, 'ssh-keys:remove', '--fingerprint', admin.fingerprint), { code: 0, stdout: '', stderr: '' })
  t.same(await sim.runWith(ROOT, 'ssh-keys:remove', 'nobody'), { code: 0, stdout: '', stderr: '' })
  t.match(await sim.runWith(ROOT, 'ssh-keys:remove'), { code: 1, stderr: ' !     A name is required to remove a key, ie: dokku ssh-keys:remove <name>\n' })
  t.match(await sim.runWith(ROOT, 'ssh-keys:remove', '--fingerprint'), { code: 1, stderr: / !     A fingerprint is required to remove a key/ })
  t.same((await sim.state()).sshKeys!.map((k) => k.name), ['ci-bot'])
})

t.test('plugin:installed: root only, no output, exit 0 or 1', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('plugin:installed', 'ssh-keys'), { code: 1, stdout: '', stderr: ' !     This command must be run as root\n' })
  t.same(await sim.runWith(ROOT, 'plugin:installed', 'ssh-keys'), { code: 0, stdout: '', stderr: '' })
  t.same(await sim.runWith(ROOT, 'plugin:installed', 'nope'), { code: 1, stdout: '', stderr: '' })
})

t.test('global domains: add, remove, set, clear, and the usage error with its two spaces', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('domains:add-global', 'Example.org', 'dokku.me'), { code: 0, stdout: '-----> Added example.org\n-----> Skipping dokku.me: already added\n', stderr: '' })
  t.match(await sim.run('domains:add-global', 'ok.io', 'foo_bar'), { code: 1, stderr: ' !     foo_bar is invalid. exiting...\n' })
  t.same((await sim.state()).global.vhosts, ['dokku.me', 'example.org'], 'nothing added when one is invalid')
  t.same(await sim.run('domains:remove-global', 'example.org', 'never.io'), { code: 0, stdout: '-----> Removed example.org\n-----> Removed never.io\n', stderr: '' })
  t.same(await sim.run('domains:set-global', 'a.io', 'b.io'), { code: 0, stdout: '-----> Set a.io b.io\n', stderr: '' })
  t.match((await sim.run('domains:report', '--global')).stdout, /Domains global vhosts:\s+a\.io b\.io/)
  t.match(await sim.run('domains:add-global'), { code: 1, stderr: ' !     Please specify a domain name. Usage: dokku  <domain> [<domain> ...]\n' })
  t.same(await sim.run('domains:clear-global'), { code: 0, stdout: '-----> Clearing global domains\n', stderr: '' })
  t.match((await sim.run('domains:report', 'node-js-app')).stdout, /Domains app vhosts:\s+node-js-app\.dokku\.me www\.example\.com/, 'apps keep their domains')
})

t.test('cleanup removes exited containers (ps:report then says missing); DOKKU_SKIP_CLEANUP skips it', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.runWith({ env: { DOKKU_SKIP_CLEANUP: 'true' } }, 'cleanup'), { code: 0, stdout: '-----> DOKKU_SKIP_CLEANUP set. Skipping dokku cleanup\n', stderr: '' })
  t.same(await sim.run('cleanup'), { code: 0, stdout: '-----> Cleaning up...\n', stderr: '' })
  t.match((await sim.run('ps:report', 'go-worker')).stdout, /Status worker 1:\s+missing \(CID: /)
  t.match((await sim.run('ps:report', 'node-js-app')).stdout, /Status web 1:\s+running/, 'running ones stay')
})

t.test('dokku report: the global section, with the disks of the state', async (t) => {
  const sim = await makeSim(t, { setup: (s) => { s.global.disk = [{ filesystem: '/dev/sda1', mount: '/', sizeBytes: 40 * 1024 ** 3, usedBytes: 34 * 1024 ** 3 }] } })
  const out = await sim.run('report')
  t.equal(out.code, 0)
  t.match(out.stdout, /^-----> uname: Linux /)
  t.match(out.stdout, /\n-----> memory: \n/, 'header lines end in a space, as dokku\'s do')
  t.match(out.stderr, / !     dokku-event-listener binary is not available\n/)
  const report = parseHostReport(out.stdout)
  t.same(report.disk.map((d) => [d.filesystem, d.mount, d.usePercent]), [['/dev/sda1', '/', 85]])
  t.equal(report.versions.dokku, 'dokku version 0.38.27')
  t.match(await sim.run('report', '--format', 'json'), { code: 1, stderr: ' !     --format flag not supported on global report\n' })
})
