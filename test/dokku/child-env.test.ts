/**
 * The dokku child's environment is an allowlist (CHILD_ENV_ALLOWLIST): whatever Docklight's own
 * environment holds, no DOCKLIGHT_* variable (the password, the session secret) and no other
 * variable off the list reaches dokku. The loopback-sshd test proves the same across ssh.
 */
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { openDatabase } from '../../src/db/database.js'
import { HistoryRepository } from '../../src/db/history.js'
import { DEFAULT_RUNNER_OPTIONS, Runner } from '../../src/dokku/runner.js'
import { CHILD_ENV_ALLOWLIST, childEnv, LocalTransport, simulatorEnv, SshTransport } from '../../src/dokku/transport.js'
import { isTapVariable, parseEnv, plant } from './planted-env.js'

const fake = fileURLToPath(new URL('../fixtures/bin/fake-dokku', import.meta.url))

t.test('a dokku run through LocalTransport sees only the allowlist', async (t) => {
  plant(t)
  const history = new HistoryRepository(openDatabase(':memory:'))
  const runner = new Runner(new LocalTransport(fake, { DOKKU_SIM_STATE: '/tmp/transport-extra' }), history, DEFAULT_RUNNER_OPTIONS)
  const r = await runner.run('dokku', { args: ['environ'] })
  t.equal(r.status, 'success')
  const seen = new Map([...parseEnv(r.stdout, true)].filter(([k]) => !isTapVariable(k)))
  t.same([...seen.keys()].filter((k) => k.startsWith('DOCKLIGHT_')), [], 'no DOCKLIGHT_* variable')
  t.notMatch([...seen.values()].join('\n'), /planted/, 'no planted value under any name')
  t.equal(seen.get('PATH'), process.env.PATH, 'PATH passes')
  t.equal(seen.get('HOME'), process.env.HOME, 'HOME passes')
  t.equal(seen.get('DOKKU_SIM_STATE'), '/tmp/transport-extra', 'what the transport itself adds passes')
  // /bin/sh adds PWD (and may add OLDPWD, SHLVL, _) on its own.
  const allowed = new Set<string>([...CHILD_ENV_ALLOWLIST, 'DOKKU_SIM_STATE', 'PWD', 'OLDPWD', 'SHLVL', '_'])
  t.same([...seen.keys()].filter((k) => !allowed.has(k)), [], 'nothing off the allowlist')
})

t.test('childEnv refuses a DOCKLIGHT_* extra; the transports build on it', async (t) => {
  plant(t)
  t.throws(() => childEnv({ DOCKLIGHT_SECRET: 'x' }), { message: 'DOCKLIGHT_SECRET must never reach a dokku child' })
  t.throws(() => new LocalTransport(fake, { DOCKLIGHT_PASSWORD: 'x' }).prepare(['version']), /DOCKLIGHT_PASSWORD must never reach/)
  t.same(childEnv({ EXTRA: 'y', GONE: undefined }, { PATH: '/bin', HOME: '/h', DOCKLIGHT_SECRET: 's', TERM: 'xterm' }), { PATH: '/bin', HOME: '/h', EXTRA: 'y' })
  const ssh = new SshTransport({ user: 'dokku', host: 'h', port: 22 }).prepare(['version'], { stream: true }).env ?? {}
  t.same(Object.keys(ssh).filter((k) => !(CHILD_ENV_ALLOWLIST as readonly string[]).includes(k)), [], 'ssh gets the allowlist only (SSH_AUTH_SOCK among it)')
  t.same(simulatorEnv({ DOKKU_SIM_STEP_MS: '5', DOCKLIGHT_SECRET: 's', DOKKU_ROOT: '/x' }), { DOKKU_SIM_STEP_MS: '5' }, 'the demo simulator gets its own knobs only')
})
