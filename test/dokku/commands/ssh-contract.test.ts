/**
 * The SSH contract of the command layer, for every builder in src/dokku/commands: with
 * representative and hostile inputs, each argv it builds has no word dokku's re-split would
 * swallow (`^-[neE]+$`, `--help`, `--version`), and reaches dokku over SSH exactly as built
 * (ssh-resplit.ts: our quoting, ssh's join, the entry script's xargs or git split).
 */
import t from 'tap'
import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { CommandSpec } from '../../../src/dokku/commands/spec.js'
import { InvalidArgumentError } from '../../../src/dokku/errors.js'
import { ECHO_EATS } from '../../../src/dokku/transport.js'
import { dokkuReceives } from '../ssh-resplit.js'
import { FakeRunner } from './fake-runner.js'
import { HOSTILE, V } from './versions.js'

const COMMANDS_DIR = fileURLToPath(new URL('../../../src/dokku/commands/', import.meta.url))

/** Exports of the command modules that build no command. */
const NOT_BUILDERS = new Set(['spec.noParse', 'spec.isNotInstalled', 'version.supports', 'version.reportFormat'])

/** Values dokku's re-split would mangle, or that no validator may let through. */
const WORDS = [...HOSTILE, '-e', '-E', '-ne', '-nEe', '--help', '--version', "it's", '"q"', 'ünï', ' x', 'x ', 'git:x', 'a\tb', '*']

type Args = unknown[]
interface Cases {
  /** Inputs a user may really give: these must build. */
  good: Args[]
  /** Each position filled with a hostile value in turn. */
  hostile: (v: string) => Args[]
}

const app = (good: Args[] = [['node-js-app'], ['git-app']]): Cases => ({ good, hostile: (v) => [[v]] })
const versioned = (): Cases => ({ good: [['node-js-app', V.current], ['node-js-app', V.v0_20]], hostile: (v) => [[v, V.current], [v, V.v0_20]] })
const noInput = (good: Args[] = [[]]): Cases => ({ good, hostile: () => [] })

const CASES: Record<string, Cases> = {
  'apps.listApps': noInput([[V.current], [V.v0_20]]),
  'apps.appReport': versioned(),
  'apps.createApp': app([['new-app']]),
  'apps.destroyApp': { good: [['node-js-app', 'node-js-app']], hostile: (v) => [[v, v], ['node-js-app', v]] },
  'builds.cancelBuild': app(),
  'builds.listBuilds': {
    good: [['node-js-app'], ['node-js-app', { kind: 'build', status: 'running' }], ['node-js-app', { status: 'abandoned' }]],
    hostile: (v) => [[v], ['node-js-app', { kind: v }], ['node-js-app', { status: v }]]
  },
  'builds.buildOutput': { good: [['node-js-app', 'mt3e5zb0k2p9ze']], hostile: (v) => [[v, 'mt3e5zb0k2p9ze'], ['node-js-app', v]] },
  'events.events': noInput(),
  'events.eventsList': noInput(),
  'events.eventsOn': noInput(),
  'git.gitSync': {
    good: [
      ['node-js-app', 'https://github.com/heroku/node-js-getting-started.git', 'main', 'build', V.current],
      ['node-js-app', 'git@github.com:org/app.git', null, 'build-if-changes', V.current],
      ['node-js-app', 'ssh://git@git.example.com:2222/org/app.git', 'cd7b8afccb202f222e7dc7b427553e71ba5ddafd', 'none', V.current],
      ['node-js-app', 'https://git.example.com/org/app.git', 'release/v1.2', 'build', V.v0_30]
    ],
    hostile: (v) => [
      [v, 'https://github.com/org/app.git', 'main', 'build', V.current],
      ['node-js-app', v, 'main', 'build', V.current],
      ['node-js-app', `https://github.com/org/${v}`, 'main', 'build', V.current],
      ['node-js-app', 'https://github.com/org/app.git', v, 'build', V.current],
      ['node-js-app', 'https://github.com/org/app.git', 'main', v, V.current]
    ]
  },
  'git.gitFromImage': {
    good: [['node-js-app', 'registry.example.com:5000/team/api@sha256:' + 'a'.repeat(64), V.current], ['node-js-app', 'nginx:1.27-alpine', V.v0_30]],
    hostile: (v) => [[v, 'nginx:1.27', V.current], ['node-js-app', v, V.current], ['node-js-app', `team/${v}`, V.current]]
  },
  'git.gitFromArchive': {
    good: [['node-js-app', 'https://example.com/build-42.tar.gz', 'tar.gz', V.current], ['node-js-app', 'http://artifacts.internal:8080/app.zip', 'zip', V.current]],
    hostile: (v) => [[v, 'https://example.com/a.tar', 'tar', V.current], ['node-js-app', v, 'tar', V.current], ['node-js-app', `https://example.com/${v}`, 'tar', V.current], ['node-js-app', 'https://example.com/a.tar', v, V.current]]
  },
  'git.gitReport': versioned(),
  'scheduler.schedulerReportAll': noInput(),
  'scheduler.k3sClusterList': noInput([[V.current]]),
  'certs.certsReport': versioned(),
  'config.configExport': app(),
  'config.configGet': { good: [['node-js-app', 'KEY']], hostile: (v) => [[v, 'KEY'], ['node-js-app', v]] },
  'config.configKeys': app(),
  'config.configSet': {
    good: [
      ['node-js-app', { KEY: 'a b' }],
      ['node-js-app', { A: '-n', B: "it's $(id) `id`\n", C: 'ünïcödé ☃', D: '' }, { noRestart: true }],
      ['node-js-app', { BYTES: new Uint8Array([0, 10, 13, 255]) }]
    ],
    hostile: (v) => [[v, { KEY: 'x' }], ['node-js-app', { [v]: 'x' }], ['node-js-app', { KEY: v }], ['node-js-app', { KEY: v }, { noRestart: true }]]
  },
  'config.configUnset': {
    good: [['node-js-app', ['KEY', 'OTHER']], ['node-js-app', ['KEY'], { noRestart: true }]],
    hostile: (v) => [[v, ['KEY']], ['node-js-app', [v]]]
  },
  'databases.listServices': { good: [['postgres'], ['redis'], ['mysql'], ['mariadb'], ['mongo']], hostile: (v) => [[v]] },
  'databases.serviceInfo': { good: [['postgres', 'lollipop']], hostile: (v) => [['postgres', v], [v, 'lollipop']] },
  'databases.createService': { good: [['redis', 'cache_1']], hostile: (v) => [['redis', v]] },
  'databases.linkService': {
    good: [['postgres', 'lollipop', 'playground'], ['redis', 'cache', 'playground', { alias: 'BLUE_DATABASE', noRestart: true }]],
    hostile: (v) => [['postgres', v, 'playground'], ['postgres', 'lollipop', v], ['postgres', 'lollipop', 'playground', { alias: v }]]
  },
  'databases.unlinkService': {
    good: [['postgres', 'lollipop', 'playground'], ['mongo', 'm', 'playground', { noRestart: true }]],
    hostile: (v) => [['postgres', v, 'playground'], ['postgres', 'lollipop', v]]
  },
  'databases.destroyService': { good: [['mysql', 'shop', 'shop']], hostile: (v) => [['mysql', v, v], ['mysql', 'shop', v]] },
  'domains.domainsReport': versioned(),
  'domains.domainsReportAll': noInput(),
  'domains.addDomains': { good: [['node-js-app', ['WWW.Example.com', '*.example.io', '_']]], hostile: (v) => [[v, ['x.io']], ['node-js-app', [v]]] },
  'domains.removeDomains': { good: [['node-js-app', ['example.com']]], hostile: (v) => [[v, ['x.io']], ['node-js-app', [v]]] },
  'domains.setDomains': { good: [['node-js-app', ['a.io', 'b.io']]], hostile: (v) => [[v, ['x.io']], ['node-js-app', [v]]] },
  'letsencrypt.letsencryptList': noInput([[], [{ legacy: true }]]),
  'letsencrypt.letsencryptReport': app(),
  'letsencrypt.letsencryptEnable': app([['node-js-app'], ['node-js-app', { force: true }]]),
  'letsencrypt.letsencryptDisable': app(),
  'letsencrypt.letsencryptAutoRenew': app([[], ['node-js-app']]),
  'letsencrypt.letsencryptSetEmail': {
    good: [['node-js-app', 'admin@example.com'], [null, null], [null, 'a$b`c{d|e}~f&g*h@example.com']],
    hostile: (v) => [[v, 'admin@example.com'], ['node-js-app', v], [null, v]]
  },
  'logs.logs': {
    good: [['node-js-app'], ['node-js-app', { lines: 1 }], ['node-js-app', { lines: 10_000, process: 'web', quiet: true }]],
    hostile: (v) => [[v], ['node-js-app', { process: v }], ['node-js-app', { lines: v }]]
  },
  'logs.tailLogs': {
    good: [['node-js-app'], ['node-js-app', { lines: 3, process: 'worker', quiet: true }]],
    hostile: (v) => [[v], ['node-js-app', { process: v }], ['node-js-app', { lines: v }]]
  },
  'plugins.pluginList': noInput([[V.current], [V.v0_20]]),
  'ps.psReport': versioned(),
  'ps.psReportAll': noInput(),
  'ps.getScale': versioned(),
  'ps.setScale': {
    good: [['node-js-app', { web: 2, worker: '0' }], ['node-js-app', [{ type: 'web', quantity: 1 }], { skipDeploy: true }]],
    hostile: (v) => [[v, { web: 1 }], ['node-js-app', { [v]: 1 }], ['node-js-app', { web: v }]]
  },
  'ps.restart': app([['node-js-app'], ['node-js-app', { process: 'web' }]]),
  'ps.rebuild': app(),
  'ps.stop': app(),
  'ps.start': app(),
  // the host (issue 11): ssh-keys, global domains, cleanup, report, cron job, root probe
  'host.sshKeysList': noInput(),
  'host.sshKeysAdd': {
    good: [['alice', '/tmp/docklight-key-Ab12Cd/key.pub'], ['ci-bot@github', '/var/lib/docklight/tmp/k.pub']],
    hostile: (v) => [[v, '/tmp/k.pub'], ['alice', v], ['alice', `/tmp/${v}`]]
  },
  'host.sshKeysRemove': {
    good: [[{ name: 'alice', fingerprint: 'SHA256:8Ixyj/HlSjD4AJ7Bvf7Q77vuvwL/8XVLEz8Yi/Q5VkY' }, V.current], [{ name: 'old', fingerprint: '2a:f7:39:10:00:00:00:00:00:00:00:00:00:00:00:01' }, V.v0_20]],
    hostile: (v) => [[{ name: v, fingerprint: 'SHA256:8Ixyj/HlSjD4AJ7Bvf7Q77vuvwL/8XVLEz8Yi/Q5VkY' }, V.current], [{ name: 'alice', fingerprint: v }, V.current], [{ name: v, fingerprint: v }, V.v0_20]]
  },
  'host.rootProbe': noInput(),
  'host.globalDomainsReport': noInput(),
  'host.addGlobalDomains': { good: [[['dokku.me']], [['Example.ORG', '*.apps.example.net']]], hostile: (v) => [[[v]], [['dokku.me', v]]] },
  'host.removeGlobalDomains': { good: [[['dokku.me']]], hostile: (v) => [[[v]]] },
  'host.setGlobalDomains': { good: [[['dokku.me', 'example.org']]], hostile: (v) => [[[v]]] },
  'host.cleanup': noInput(),
  'host.hostReport': noInput(),
  'host.letsencryptCronJob': noInput(),
  'host.letsencryptCronJobSet': noInput([[true], [false]]),
  'host.certsReportAll': noInput(),
  // app settings (issue 10)
  'ports.portsReport': versioned(),
  'ports.portsChange': {
    good: [['node-js-app', 'add', ['http:80:5000', 'https:443:5000']], ['node-js-app', 'set', ['tcp:2222:22']], ['node-js-app', 'remove', ['80', 'http:8080:5000']], ['node-js-app', 'clear', []]],
    hostile: (v) => [[v, 'add', ['http:80:5000']], ['node-js-app', 'add', [v]], ['node-js-app', 'remove', [v]], ['node-js-app', 'set', ['http:80:5000', v]]]
  },
  'proxy.proxyReport': versioned(),
  'proxy.proxySetType': {
    good: [['node-js-app', 'caddy', V.current], ['node-js-app', null, V.current], ['node-js-app', 'traefik', V.v0_30], ['node-js-app', null, V.v0_30]],
    hostile: (v) => [[v, 'caddy', V.current], ['node-js-app', v, V.current], ['node-js-app', v, V.v0_30]]
  },
  'proxy.proxyToggle': { good: [['node-js-app', true], ['node-js-app', false]], hostile: (v) => [[v, true]] },
  'proxy.proxyBuildConfig': app(),
  'checks.checksReport': versioned(),
  'checks.checksChange': {
    good: [['node-js-app', 'disable', ['web', 'worker']], ['node-js-app', 'enable', null], ['node-js-app', 'skip', ['web']]],
    hostile: (v) => [[v, 'enable', null], ['node-js-app', 'disable', [v]], ['node-js-app', 'skip', ['web', v]]]
  },
  'checks.checksSetWaitToRetire': { good: [['node-js-app', 30], ['node-js-app', '60'], ['node-js-app', null]], hostile: (v) => [[v, 30], ['node-js-app', v]] },
  'resource.resourceReport': versioned(),
  'resource.resourceSet': {
    good: [['node-js-app', 'limit', '_default_', { memory: '512m', cpu: '0.5' }, V.current], ['node-js-app', 'reserve', 'web', { memory: 'clear' }, V.current],
      ['node-js-app', 'limit', 'build', { memory: '1g' }, V.current], ['node-js-app', 'limit', 'web', { memory: '512Mi', cpu: '500m' }, V.current, 'k3s']],
    hostile: (v) => [[v, 'limit', 'web', { memory: '1g' }, V.current], ['node-js-app', 'limit', v, { memory: '1g' }, V.current],
      ['node-js-app', 'limit', 'web', { memory: v }, V.current], ['node-js-app', 'limit', 'web', { cpu: v }, V.current], ['node-js-app', 'limit', 'web', { 'nvidia-gpu': v }, V.current]]
  },
  'resource.resourceClear': {
    good: [['node-js-app', 'limit', null, V.current], ['node-js-app', 'reserve', '_default_', V.current], ['node-js-app', 'limit', 'worker', V.current]],
    hostile: (v) => [[v, 'limit', null, V.current], ['node-js-app', 'limit', v, V.current]]
  },
  'storage.storageList': versioned(),
  'storage.storageMount': {
    good: [['node-js-app', '/var/lib/dokku/data/storage/node-js-app:/app/storage'], ['node-js-app', 'some-volume:/data:ro,Z']],
    hostile: (v) => [[v, '/a:/b'], ['node-js-app', v], ['node-js-app', `/a:${v}`], ['node-js-app', `${v}:/b`], ['node-js-app', `/a:/b:${v}`]]
  },
  'storage.storageUnmount': {
    good: [['node-js-app', '/var/lib/dokku/data/storage/node-js-app:/app/storage'], ['node-js-app', { entry: 'uploads', containerPath: '/app/uploads' }]],
    hostile: (v) => [[v, '/a:/b'], ['node-js-app', v], ['node-js-app', { entry: v, containerPath: '/x' }], ['node-js-app', { entry: 'uploads', containerPath: v }]]
  },
  'storage.storageEnsureDirectory': {
    good: [['node-js-app', 'node-js-app', 'heroku'], ['node-js-app', 'data_1', null], ['node-js-app', 'd', '1000']],
    hostile: (v) => [[v, 'd', null], ['node-js-app', v, null], ['node-js-app', 'd', v]]
  },
  'nginx.nginxReport': versioned(),
  'nginx.nginxSet': {
    good: [['node-js-app', 'client-max-body-size', '10m'], ['node-js-app', 'hsts', 'false'], ['node-js-app', 'access-log-path', 'off'], ['node-js-app', 'proxy-read-timeout', null]],
    hostile: (v) => [[v, 'hsts', 'true'], ['node-js-app', v, '1m'], ['node-js-app', 'client-max-body-size', v], ['node-js-app', 'error-log-path', v], ['node-js-app', 'proxy-send-timeout', v]]
  },
  'nginx.nginxLogs': { good: [['node-js-app', 'access'], ['node-js-app', 'error']], hostile: (v) => [[v, 'access']] },
  'ps-set.psSet': {
    good: [['node-js-app', 'restart-policy', 'on-failure:5', V.current], ['node-js-app', 'procfile-path', 'deploy/Procfile', V.current], ['node-js-app', 'stop-timeout-seconds', '45', V.current], ['node-js-app', 'restart-policy', null, V.current]],
    hostile: (v) => [[v, 'restart-policy', 'no', V.current], ['node-js-app', 'restart-policy', v, V.current], ['node-js-app', 'procfile-path', v, V.current], ['node-js-app', 'stop-timeout-seconds', v, V.current], ['node-js-app', v, 'x', V.current]]
  },
  'builder.builderReport': versioned(),
  'builder.builderSetSelected': { good: [['node-js-app', 'dockerfile'], ['node-js-app', null]], hostile: (v) => [[v, 'pack'], ['node-js-app', v]] },
  'builder.dockerfileReport': versioned(),
  'builder.dockerfileSetPath': { good: [['node-js-app', 'docker/web.Dockerfile'], ['node-js-app', null]], hostile: (v) => [[v, 'Dockerfile'], ['node-js-app', v]] },
  'buildpacks.buildpacksReport': versioned(),
  'buildpacks.buildpacksAdd': {
    good: [['node-js-app', 'https://github.com/heroku/heroku-buildpack-nodejs.git#v200'], ['node-js-app', 'heroku/ruby', 2], ['node-js-app', 'git@github.com:me/pack.git']],
    hostile: (v) => [[v, 'heroku/ruby'], ['node-js-app', v], ['node-js-app', 'heroku/ruby', v]]
  },
  'buildpacks.buildpacksRemove': { good: [['node-js-app', 'heroku/ruby']], hostile: (v) => [[v, 'heroku/ruby'], ['node-js-app', v]] },
  'buildpacks.buildpacksReplace': {
    good: [['node-js-app', ['heroku/nodejs', 'https://github.com/heroku/heroku-buildpack-python.git'], V.current]],
    hostile: (v) => [[v, ['heroku/nodejs'], V.current], ['node-js-app', ['heroku/nodejs', v], V.current]]
  },
  'buildpacks.buildpacksClear': app(),
  'docker-options.dockerOptionsReport': versioned(),
  'docker-options.dockerOptionsAdd': {
    good: [['node-js-app', ['deploy', 'run'], '--ulimit nofile=1024', V.current], ['node-js-app', ['deploy'], '--shm-size=256m', V.current, 'web']],
    hostile: (v) => [[v, ['deploy'], '--ulimit nofile=1', V.current], ['node-js-app', [v], '--ulimit nofile=1', V.current], ['node-js-app', ['deploy'], v, V.current], ['node-js-app', ['deploy'], `--label ${v}`, V.current], ['node-js-app', ['deploy'], '--ulimit nofile=1', V.current, v]]
  },
  'docker-options.dockerOptionsRemove': {
    good: [['node-js-app', ['deploy'], '-v /var/log/app:/app/logs', V.current], ['node-js-app', ['deploy'], '--label "a b"', V.current, 'web']],
    hostile: (v) => [[v, ['deploy'], '--x', V.current], ['node-js-app', ['deploy'], v, V.current], ['node-js-app', [v], '--x', V.current]]
  },
  'docker-options.dockerOptionsClear': { good: [['node-js-app', null, V.current], ['node-js-app', ['build', 'run'], V.current]], hostile: (v) => [[v, null, V.current], ['node-js-app', [v], V.current]] },
  'cron.cronList': versioned(),
  'cron.cronRun': { good: [['node-js-app', '247690ba52tdfo1wwtdro75ksuq6sxb1gsws3ck8x8olqljlrnfcn5fe9bhxw321', V.current]], hostile: (v) => [[v, 'abc', V.current], ['node-js-app', v, V.current]] },
  'cron.cronSuspend': { good: [['node-js-app', 'abc123', true, V.current], ['node-js-app', 'abc123', false, V.current]], hostile: (v) => [[v, 'abc', true, V.current], ['node-js-app', v, true, V.current]] },
  'maintenance.maintenanceReport': app(),
  'maintenance.maintenanceToggle': { good: [['node-js-app', true], ['node-js-app', false]], hostile: (v) => [[v, true]] },
  'http-auth.httpAuthReport': app(),
  'http-auth.httpAuthEnable': {
    good: [['node-js-app'], ['node-js-app', 'alice', `it's a "pass" $(x) \\ ünï`]],
    hostile: (v) => [[v], ['node-js-app', v, 'long enough password'], ['node-js-app', 'alice', v]]
  },
  'http-auth.httpAuthDisable': app(),
  'http-auth.httpAuthAddUser': {
    good: [['node-js-app', 'bob_2', 'correct horse battery'], ['node-js-app', 'carol', "quote'n\"dollar$1"]],
    hostile: (v) => [[v, 'bob', 'long enough password'], ['node-js-app', v, 'long enough password'], ['node-js-app', 'bob', v]]
  },
  'http-auth.httpAuthRemoveUser': { good: [['node-js-app', 'bob']], hostile: (v) => [[v, 'bob'], ['node-js-app', v]] },
  'http-auth.httpAuthAllowedIp': {
    good: [['node-js-app', '10.0.0.0/8', true], ['node-js-app', '2001:db8::1', false], ['node-js-app', '::ffff:192.0.2.1/128', true]],
    hostile: (v) => [[v, '1.2.3.4', true], ['node-js-app', v, true], ['node-js-app', `1.2.3.4${v}`, false]]
  },
  'version.versionCommand': noInput()
}

type Builder = (...args: unknown[]) => CommandSpec<unknown>

async function builders (): Promise<Map<string, Builder>> {
  const found = new Map<string, Builder>()
  for (const file of readdirSync(COMMANDS_DIR).filter((f) => f.endsWith('.ts')).sort()) {
    const mod = await import(new URL(file.replace(/\.ts$/, '.js'), new URL('../../../src/dokku/commands/', import.meta.url)).href) as Record<string, unknown>
    for (const [name, value] of Object.entries(mod)) {
      const id = `${file.replace(/\.ts$/, '')}.${name}`
      if (typeof value === 'function' && !NOT_BUILDERS.has(id)) found.set(id, value as Builder)
    }
  }
  return found
}

/** Builds, or returns null when a validator refused the input (anything else is a failure). */
function build (builder: Builder, args: Args): CommandSpec<unknown> | null {
  try {
    return builder(...args)
  } catch (error) {
    if (error instanceof InvalidArgumentError) return null
    throw error
  }
}

t.test('every command builder has cases here', async (t) => {
  const found = await builders()
  t.same([...found.keys()].filter((id) => !(id in CASES)), [], 'a new builder needs good and hostile cases in CASES')
  t.same(Object.keys(CASES).filter((id) => !found.has(id)), [], 'no case for a builder that is gone')
})

t.test('no argv word is one echo would swallow, and every argv survives the SSH re-split', async (t) => {
  for (const [id, builder] of await builders()) {
    const cases = CASES[id]
    if (!cases) continue
    const specs: Array<[string, CommandSpec<unknown>]> = []
    for (const args of cases.good) {
      const spec = build(builder, args)
      t.ok(spec, `${id} builds with ${JSON.stringify(args)}`)
      if (spec) specs.push([JSON.stringify(args), spec])
    }
    for (const word of WORDS) {
      for (const args of cases.hostile(word)) {
        const spec = build(builder, args)
        if (spec) specs.push([JSON.stringify(args), spec])
      }
    }
    for (const [input, spec] of specs) {
      const label = `${id}(${input.slice(0, 60)})`
      const eaten = spec.args.filter((word) => ECHO_EATS.test(word))
      t.same(eaten, [], `${label}: no word echo would swallow`)
      if (eaten.length > 0) continue
      t.same(dokkuReceives(spec.args).argv, spec.args, `${label}: reaches dokku as built`)
    }
  }
})

t.test('the guard itself', async (t) => {
  for (const word of ['-n', '-e', '-E', '-ne', '-en', '-nE', '-neE', '-nnn', '--help', '--version']) t.match(word, ECHO_EATS, word)
  for (const word of ['-', '--', '-x', '-nx', '--num', '--no-restart', '--tail', '-N', 'n', '---help', '--helpx']) t.notMatch(word, ECHO_EATS, word)
  const runner = new FakeRunner({ 'logs a -n 1': {} }, '0.38.27', { ssh: false })
  await t.rejects(runner.run('dokku', { args: ['logs', 'a', '-n', '1'] }), { message: 'FakeRunner: "-n" in "dokku logs a -n 1" would be swallowed by dokku\'s SSH re-split: use the long flag' },
    'the test runner fails loudly on such a word, even with a reply for it')
})
