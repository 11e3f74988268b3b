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
