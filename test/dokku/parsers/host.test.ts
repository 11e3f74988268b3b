/** Parsers of the host's own commands (server.md §1, §4.3, §5, §9), against the reference's output. */
import t from 'tap'
import { OutputParseError } from '../../../src/dokku/errors.js'
import { sshKeysList, rootProbe, certsReportAll, letsencryptCronJob } from '../../../src/dokku/commands/host.js'
import {
  isNoKeys, parseAddedFingerprint, parseCronJobStatus, parseGlobalDomains, parseHostReport, parseHumanSize, parseSshKeysList
} from '../../../src/dokku/parsers/host.js'
import { fixture } from './fixture.js'

t.test('ssh-keys:list, text', async (t) => {
  t.same(parseSshKeysList(fixture('host/ssh-keys-list.txt')), [
    { fingerprint: 'SHA256:8Ixyj/HlSjD4AJ7Bvf7Q77vuvwL/8XVLEz8Yi/Q5VkY', name: 'admin', options: 'no-agent-forwarding,no-user-rc,no-X11-forwarding,no-port-forwarding' },
    { fingerprint: 'SHA256:k2OdNzE8B4QbcLEyD6yv2+tdPOs/kKW2ubdaYb7q5tQ', name: 'ci-bot', options: 'no-agent-forwarding,no-user-rc,no-X11-forwarding,no-port-forwarding' }
  ])
  t.equal(parseSshKeysList(fixture('host/ssh-keys-list-md5.txt'))[1]!.fingerprint, '2a:f7:39:10:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55', 'an MD5 fingerprint of a key added long ago')
  t.same(parseSshKeysList('SHA256:abc NAME=old\n'), [{ fingerprint: 'SHA256:abc', name: 'old', options: '' }], 'an unquoted name of a very old line')
  t.same(parseSshKeysList('\n'), [], 'only blank or comment lines in the file')
  t.throws(() => parseSshKeysList('what is this\n'), OutputParseError)
})

t.test('no keys at all is an empty list, not a failure', async (t) => {
  t.ok(isNoKeys(fixture('host/ssh-keys-empty.stderr.txt')))
  t.ok(isNoKeys(fixture('host/ssh-keys-none-old.stderr.txt')), 'before 0.35.16')
  const spec = sshKeysList()
  const out = { stdout: '', stderr: fixture('host/ssh-keys-empty.stderr.txt'), exitCode: 1 }
  t.ok(spec.acceptFailure!(out))
  t.same(spec.parse(out), [])
  t.notOk(spec.acceptFailure!({ stdout: '', stderr: '/home/dokku/.ssh/authorized_keys line 3 failed ssh-keygen check.\n', exitCode: 1 }), 'a broken file is a failure')
  t.equal(parseAddedFingerprint(fixture('host/ssh-keys-add.txt')), 'SHA256:8Ixyj/HlSjD4AJ7Bvf7Q77vuvwL/8XVLEz8Yi/Q5VkY')
  t.equal(parseAddedFingerprint(''), null)
})

t.test('the root probe: exit 0 is root; a refusal is an answer in dokku\'s words', async (t) => {
  const spec = rootProbe()
  t.same(spec.parse({ stdout: '', stderr: '', exitCode: 0 }), { root: true, refusal: null })
  const refused = { stdout: '', stderr: fixture('host/root-only.stderr.txt'), exitCode: 1 }
  t.ok(spec.acceptFailure!(refused))
  t.same(spec.parse(refused), { root: false, refusal: 'This command must be run as root' })
  t.notOk(spec.acceptFailure!({ stdout: '', stderr: 'ssh: connect to host x port 22: Connection refused\n', exitCode: 255 }), 'ssh failing is not an answer')
})

t.test('global domains: the Go and the bash layouts', async (t) => {
  t.same(parseGlobalDomains(fixture('host/domains-global.txt')), { enabled: true, vhosts: ['dokku.me'] })
  t.same(parseGlobalDomains(fixture('host/domains-global-bash.txt')), { enabled: true, vhosts: ['dokku.me', 'example.org'] })
  t.throws(() => parseGlobalDomains(''), OutputParseError)
})

t.test('dokku report: disks, uname and tool versions', async (t) => {
  const report = parseHostReport(fixture('host/report.txt'))
  t.match(report.uname, /^Linux dokku01 6\.8\.0-60-generic/)
  t.same(report.disk, [{ filesystem: '/dev/vda1', mount: '/', sizeBytes: 78 * 1024 ** 3, usedBytes: 31 * 1024 ** 3, availBytes: 47 * 1024 ** 3, usePercent: 40 }])
  t.equal(report.versions.dokku, 'dokku version 0.38.27')
  t.equal(report.versions.sshcommand, 'sshcommand 0.20.2')
  t.same(parseHostReport('-----> uname: Linux x\n-----> disk utilization: \n       Filesystem      Size  Used Avail Use% Mounted on\n').disk, [], 'an XFS root: only the header')
  t.throws(() => parseHostReport(' !     --format flag not supported on global report\n'), OutputParseError)
  t.equal(parseHumanSize('4.6M'), Math.round(4.6 * 1024 ** 2))
  t.equal(parseHumanSize('0'), 0)
  t.equal(parseHumanSize('lots'), null)
})

t.test('letsencrypt:cron-job status', async (t) => {
  t.equal(parseCronJobStatus(fixture('host/cron-job-enabled.txt')), 'enabled')
  t.equal(parseCronJobStatus(fixture('host/cron-job-disabled.txt')), 'disabled')
  t.equal(parseCronJobStatus(fixture('host/cron-job-old.txt')), 'unknown', 'plugins before 0.25.0 print no status')
  const spec = letsencryptCronJob()
  const missing = { stdout: '', stderr: ' !     `letsencrypt:cron-job` is not a dokku command.\n !     See `dokku help` for a list of available commands.\n', exitCode: 1 }
  t.same(spec.parse(missing), { installed: false })
})

t.test('certs:report for every app', async (t) => {
  const text = fixture('certs/report.txt') + '=====> python-app ssl information\n       Ssl dir:                       /home/dokku/python-app/tls\n       Ssl enabled:                   false\n'
  const all = certsReportAll(new Date('2026-01-01T00:00:00Z')).parse({ stdout: text, stderr: '', exitCode: 0 })
  t.same(all.map((c) => [c.app, c.enabled]), [['node-js-app', true], ['python-app', false]])
  t.ok(all[0]!.expiresAt instanceof Date)
})
