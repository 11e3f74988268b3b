import t from 'tap'
import { goJsonString, goJsonStringMap, letsencryptTimediff, opensslDate, columnize, dockerTimestamp } from '../../../src/dokku/simulator/format.js'
import { flagUsages, parsePflags, PflagFailure, type FlagSpec } from '../../../src/dokku/simulator/pflag.js'
import { splitGlobalFlags } from '../../../src/dokku/simulator/simulate.js'
import { atLeast, compareVersions, parseVersion } from '../../../src/dokku/simulator/version.js'
import { fixture, makeSim } from './helpers.js'

t.test('unknown commands', async (t) => {
  const sim = await makeSim(t)
  t.same(await sim.run('foo:bar', 'arg1'), { code: 1, stdout: '', stderr: fixture('unknown-command.stderr.txt') })
  t.same(await sim.run('--quiet', 'nope'), { code: 1, stdout: '', stderr: ' !     `nope` is not a dokku command.\n !     See `dokku help` for a list of available commands.\n' })
  t.equal((await sim.run('apps:frobnicate', 'x')).stderr.split('\n')[0], ' !     `apps:frobnicate x` is not a dokku command.')
  t.equal((await sim.run('postgres:frobnicate', 'x')).code, 1)
})

t.test('help', async (t) => {
  const sim = await makeSim(t)
  for (const argv of [[], ['help'], ['--quiet']]) {
    const r = await sim.run(...argv)
    t.equal(r.code, 0)
    t.match(r.stdout, /^Usage: dokku \[--quiet\|--trace\|--force\] COMMAND <app> \[command-specific-options\]\n/)
  }
  t.match((await sim.run('plugin:help')).stdout, /plugin:list/)
})

t.test('plugin:list', async (t) => {
  const sim = await makeSim(t, {
    setup: (s) => {
      const core = (name: string, description: string) => ({ name, version: '0.38.27', enabled: true, core: true, description, sourceUrl: '', committish: '', branch: '' })
      s.plugins = [
        core('00_dokku-standard', 'dokku core standard plugin'),
        core('apps', 'dokku core apps plugin'),
        { name: 'letsencrypt', version: '0.25.1', enabled: true, core: false, description: "Automated installation of let's encrypt TLS certificates", sourceUrl: '', committish: '', branch: '' },
        { name: 'postgres', version: '1.48.0', enabled: true, core: false, description: 'dokku postgres service plugin', sourceUrl: '', committish: '', branch: '' },
        core('scheduler-docker-local', 'dokku core scheduler-docker-local plugin'),
        { name: 'smoke-test-plugin', version: '0.2.0', enabled: false, core: false, description: '', sourceUrl: '', committish: '', branch: '' }
      ]
    }
  })
  t.same(await sim.run('plugin:list'), { code: 0, stdout: fixture('plugin-list.txt'), stderr: '' })
  const json = await makeSim(t, {
    setup: (s) => {
      s.plugins = [
        { name: 'apps', version: '0.38.27', enabled: true, core: true, description: 'dokku core apps plugin', sourceUrl: '', committish: '', branch: '' },
        { name: 'postgres', version: '1.42.0', enabled: true, core: false, description: 'dokku postgres service plugin', sourceUrl: 'https://github.com/dokku/dokku-postgres.git', committish: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0', branch: 'master' }
      ]
    }
  })
  t.same(await json.run('plugin:list', '--format', 'json'), { code: 0, stdout: fixture('plugin-list.json'), stderr: '' })
  t.same(await json.run('plugin:list', '--format=json'), { code: 0, stdout: fixture('plugin-list.json'), stderr: '' })
  t.same(await json.run('plugin:list', '--format', 'xml'), { code: 1, stdout: '', stderr: ' !     Invalid output format specified, supported formats: json, stdout\n' })
  t.match((await json.runWith({ env: { DOKKU_SIM_VERSION: '0.38.21' } }, 'plugin:list', '--format', 'json')).stdout, /^ {2}apps {17}0\.38\.21 enabled/, 'older: table, core version follows dokku')
  t.equal((await json.runWith({ env: { DOKKU_SIM_VERSION: '0.22.0' } }, 'plugin:list')).stdout.split('\n')[0], 'plugn: 0.5.0')
  t.same(await json.run('plugin:install', 'https://example.com/x.git'), { code: 1, stdout: '', stderr: ' !     This command must be run as root\n' })
  t.equal((await json.run('plugin:installed', 'postgres')).code, 1)

  const seeded = await makeSim(t)
  const list = JSON.parse((await seeded.run('plugin:list', '--format', 'json')).stdout) as Array<{ name: string, core: boolean }>
  // Seed a also has the maintenance and http-auth plugins (the app settings page drives them).
  t.same(list.filter((p) => !p.core).map((p) => p.name), ['http-auth', 'letsencrypt', 'maintenance', 'mysql', 'postgres', 'redis'])
  t.notOk(list.some((p) => p.name === 'mariadb' || p.name === 'mongo'))
})

t.test('global flags only before the command', async (t) => {
  t.same(splitGlobalFlags(['--quiet', '--force', '--trace', '--app', 'x', '--no-restart', 'apps:list', '--quiet']), {
    globals: { quiet: true, force: true, trace: true, noRestart: true, app: 'x' },
    rest: ['apps:list', '--quiet']
  })
  t.same(splitGlobalFlags(['--app=y', '--unknown', 'version']).globals.app, 'y')
  t.same(splitGlobalFlags(['--version']).rest, ['--version'])
  const sim = await makeSim(t)
  t.same(await sim.run('--trace', 'version'), { code: 0, stdout: 'dokku version 0.38.27\n', stderr: '' })
})

t.test('latency and step knobs', async (t) => {
  const sim = await makeSim(t)
  const slept: number[] = []
  const sleep = async (ms: number) => { slept.push(ms) }
  await sim.runWith({ env: { DOKKU_SIM_LATENCY_MS: '25' }, sleep }, 'version')
  t.same(slept, [25])
  slept.length = 0
  await sim.runWith({ env: { DOKKU_SIM_STEP_MS: '7' }, sleep }, 'ps:restart', 'ruby-app')
  t.ok(slept.length > 10)
  t.ok(slept.every((ms) => ms === 7))
  slept.length = 0
  await sim.runWith({ env: { DOKKU_SIM_STEP_MS: 'x', DOKKU_SIM_LATENCY_MS: '-3' }, sleep }, 'ps:stop', 'ruby-app')
  t.same(slept, [150], 'bad values fall back to the defaults')
})

t.test('version parsing', async (t) => {
  t.same(parseVersion('0.37.0'), [0, 37, 0])
  t.same(parseVersion('v0.38'), [0, 38, 0])
  t.same(parseVersion('1723456789:0.38.27'), [0, 38, 27])
  t.same(parseVersion('junk'), [0, 38, 27])
  t.same(parseVersion(undefined), [0, 38, 27])
  t.ok(atLeast([0, 38, 21], '0.38.21'))
  t.notOk(atLeast([0, 38, 20], '0.38.21'))
  t.equal(compareVersions([1, 0, 0], [0, 99, 99]), 1)
})

t.test('Go JSON encoding', async (t) => {
  t.equal(goJsonString('a<b>&c'), '"a\\u003cb\\u003e\\u0026c"')
  t.equal(goJsonString('"\\\n\r\t\b\f\u0001\u007f'), '"\\"\\\\\\n\\r\\t\\b\\f\\u0001\u007f"')
  t.equal(goJsonString('\u2028\u2029é🚀'), '"\\u2028\\u2029é🚀"')
  t.equal(goJsonString('\ud800'), '"\\ufffd"')
  t.equal(goJsonStringMap({ b: '1', B: '2', a: '3', _: '4' }), '{"B":"2","_":"4","a":"3","b":"1"}')
})

t.test('formatting helpers', async (t) => {
  t.equal(letsencryptTimediff(0), '')
  t.equal(letsencryptTimediff(3600), '1h')
  t.equal(letsencryptTimediff(-61), '1m, 1s ago')
  t.equal(letsencryptTimediff(86400 * 2 + 5), '2d, 5s')
  t.equal(opensslDate(Date.UTC(2026, 0, 1, 12, 0, 1) / 1000), 'Jan  1 12:00:01 2026 GMT')
  t.equal(columnize([['A:', 'x'], ['LONGER:', ' y '], ['C:', '']], '  '), '  A:       x\n  LONGER:  y\n  C:       ')
  t.equal(dockerTimestamp(Date.UTC(2024, 0, 1), 123456), '2024-01-01T00:00:00.000123456Z')
})

t.test('pflag emulation', async (t) => {
  const specs: FlagSpec[] = [
    { name: 'verbose', short: 'v', type: 'bool', def: false, usage: 'be loud' },
    { name: 'name', type: 'string', def: '', usage: 'a name' },
    { name: 'count', short: 'c', type: 'int', def: 3, usage: 'how many' }
  ]
  t.equal(flagUsages(specs), '  -c, --count int     how many (default 3)\n      --name string   a name\n  -v, --verbose       be loud\n')
  t.same(parsePflags('x', specs, ['a', '-v', '--name', 'n', 'b', '--count=0x10', '--', '--not-a-flag']), {
    values: { verbose: true, name: 'n', count: 16 },
    positional: ['a', 'b', '--not-a-flag']
  })
  t.same(parsePflags('x', specs, ['-vc', '7', '-']).values, { verbose: true, name: '', count: 7 })
  t.same(parsePflags('x', specs, ['-c=010', '--verbose=false']).values, { verbose: false, name: '', count: 8 })
  t.same(parsePflags('x', specs, ['-c', '0b1_0', '-c', '-0o7']).values.count, -7)
  const fail = (args: string[]) => {
    try {
      parsePflags('x', specs, args)
      return null
    } catch (err) {
      t.type(err, PflagFailure)
      const e = err as PflagFailure
      return [e.exitCode, e.stderr.split('\n').filter((l) => l !== '').pop()]
    }
  }
  t.same(fail(['--verbose=maybe']), [2, 'invalid argument "maybe" for "-v, --verbose" flag: strconv.ParseBool: parsing "maybe": invalid syntax'])
  t.same(fail(['--count', '1_0']), [2, 'invalid argument "1_0" for "-c, --count" flag: strconv.ParseInt: parsing "1_0": invalid syntax'])
  t.same(fail(['--count', '99999999999999999999']), [2, 'invalid argument "99999999999999999999" for "-c, --count" flag: strconv.ParseInt: parsing "99999999999999999999": value out of range'])
  t.same(fail(['--name']), [2, 'flag needs an argument: --name'])
  t.same(fail(['---x']), [2, 'bad flag syntax: ---x'])
  t.same(fail(['-z']), [2, "unknown shorthand flag: 'z' in -z"])
  t.same(fail(['-h']), [0, '  -v, --verbose       be loud'])
  t.same(fail(['--help']), [0, '  -v, --verbose       be loud'])
  t.equal(fail(['ok']), null)
})
