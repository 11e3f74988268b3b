/**
 * What the watchdog measures with, behind its interfaces: the disk samplers (statfs here,
 * `dokku report` for a host elsewhere), the system resolver's verdicts (with node's DNS lookups
 * replaced), and the demo's fixed DNS.
 */
import t from 'tap'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Host } from '../../src/hosts/host.js'
import { DefaultDiskSampler, LocalDiskSampler, mountOf, parseMounts, ReportDiskSampler } from '../../src/watchdog/disk.js'
import { demoResolver } from '../../src/watchdog/demo.js'
import { StaticResolver, SystemResolver, type AddressLookup } from '../../src/watchdog/resolver.js'
import { build } from '../helpers/build.js'

const GiB = 1024 ** 3

t.test('mounts: parsed with their escapes; a path lives on the longest mount point holding it', async (t) => {
  const mounts = parseMounts('/dev/vda1 / ext4 rw 0 0\n/dev/vdb1 /var/lib/docker xfs rw 0 0\n/dev/vdc1 /mnt/my\\040disk ext4 rw 0 0\n\n')
  t.same(mounts.map((m) => m.mount), ['/', '/var/lib/docker', '/mnt/my disk'])
  t.equal(mountOf('/var/lib/docker/overlay2', mounts)?.device, '/dev/vdb1')
  t.equal(mountOf('/var/lib/dockerx', mounts)?.device, '/dev/vda1', 'a prefix of the name is not the mount')
  t.equal(mountOf('/home/dokku', [])?.mount, undefined)
})

t.test('the local sampler: each partition once, paths that do not exist skipped', async (t) => {
  const dir = t.testdir({})
  const mountsFile = join(dir, 'mounts')
  writeFileSync(mountsFile, '/dev/root / ext4 rw 0 0\n')
  const rows = await new LocalDiskSampler(['/nonexistent-docklight-path/x', '/', dir], mountsFile).sample()
  t.equal(rows.length, 1, 'the root, once (the test dir lives on it too; the missing path is skipped)')
  t.equal(rows[0]!.mount, '/')
  t.equal(rows[0]!.filesystem, '/dev/root')
  t.ok(rows[0]!.sizeBytes > 0 && rows[0]!.usedBytes + rows[0]!.availBytes <= rows[0]!.sizeBytes)
  t.ok(rows[0]!.usePercent >= 0 && rows[0]!.usePercent <= 100)
  const none = await new LocalDiskSampler(['/nonexistent-docklight-path'], join(dir, 'no-such-file')).sample()
  t.same(none, [], 'without a mounts file, a missing path gives nothing')
})

t.test('a host elsewhere: the df rows of dokku report', async (t) => {
  const { app } = await build(t)
  const rows = await new ReportDiskSampler().sample(app.hosts.default)
  t.same(rows.map((r) => [r.mount, r.filesystem, Math.round(r.sizeBytes / GiB)]), [['/', '/dev/vda1', 78]], 'seed a: one ext4 root of 78G')
  const ssh = { config: { target: { kind: 'ssh' } }, dokku: { hostReport: async () => ({ disk: rows }) } } as unknown as Host
  t.same(await new DefaultDiskSampler().sample(ssh), rows, 'an SSH host is measured through dokku report')
})

t.test('the system resolver: addresses, no such name, and a lookup that cannot tell', async (t) => {
  const fail = (code: string) => Promise.reject(Object.assign(new Error(code), { code }))
  const lookup = (v4: () => Promise<string[]>, v6: () => Promise<string[]>) => ({ resolve4: v4, resolve6: v6 }) as unknown as AddressLookup
  const ok = new SystemResolver(lookup(async () => ['203.0.113.10'], () => fail('ENODATA')))
  t.same(await ok.resolve('shop.example.com'), { state: 'ok', addresses: ['203.0.113.10'] })
  t.same(await ok.resolve('2001:db8::1'), { state: 'ok', addresses: ['2001:db8::1'] }, 'an address is itself')
  const both = new SystemResolver(lookup(async () => ['203.0.113.10'], async () => ['2001:db8::10']))
  t.same(await both.resolve('shop.example.com'), { state: 'ok', addresses: ['203.0.113.10', '2001:db8::10'] })
  t.same(await new SystemResolver(lookup(() => fail('ENOTFOUND'), () => fail('ENOTFOUND'))).resolve('gone.example.com'), { state: 'none', code: 'NXDOMAIN' })
  t.same(await new SystemResolver(lookup(() => fail('ENODATA'), () => fail('ENODATA'))).resolve('mx-only.example.com'), { state: 'none', code: 'no address record' })
  t.same(await new SystemResolver(lookup(() => fail('ETIMEOUT'), () => fail('ENODATA'))).resolve('slow.example.com'), { state: 'error', message: 'ETIMEOUT' },
    'a timeout is not an answer: the finding keeps its state')
  t.same(await new SystemResolver(lookup(() => Promise.reject(new Error('x')), () => fail('ENODATA'))).resolve('odd.example.com'), { state: 'error', message: 'lookup failed' })
})

t.test('fixed answers: the test resolver and the demo\'s', async (t) => {
  const fixed = new StaticResolver({ 'a.example.com': ['192.0.2.1'], 'b.example.com': 'error', 'c.example.com': [] })
  t.same(await fixed.resolve('A.example.com'), { state: 'ok', addresses: ['192.0.2.1'] })
  t.same(await fixed.resolve('b.example.com'), { state: 'error', message: 'SERVFAIL' })
  t.same(await fixed.resolve('c.example.com'), { state: 'none', code: 'NXDOMAIN' })
  const demo = demoResolver()
  t.same(await demo.resolve('dokku.me'), { state: 'ok', addresses: ['203.0.113.10'] })
  t.same(await demo.resolve('node-js-app.dokku.me'), { state: 'ok', addresses: ['203.0.113.10'] }, 'a name under demo-a\'s global domain')
  t.same(await demo.resolve('shop.dokku.example.net'), { state: 'ok', addresses: ['203.0.113.20'] })
  t.same(await demo.resolve('api.example.org'), { state: 'ok', addresses: ['198.51.100.7'] }, 'python-app\'s api name points at another server')
  t.same(await demo.resolve('nowhere.example'), { state: 'none', code: 'NXDOMAIN' })
})
