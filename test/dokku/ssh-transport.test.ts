/**
 * The SSH transport end to end: a real sshd on loopback whose forced command re-splits
 * $SSH_ORIGINAL_COMMAND the way dokku's entry script does (xargs quote rules), then runs the
 * simulator. Proves that argv, exit codes and config values of any bytes survive the trip.
 */
import t from 'tap'
import { execFileSync, spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { openDatabase } from '../../src/db/database.js'
import { HistoryRepository } from '../../src/db/history.js'
import { DokkuClient } from '../../src/dokku/client.js'
import { DokkuError } from '../../src/dokku/errors.js'
import { DEFAULT_RUNNER_OPTIONS, Runner } from '../../src/dokku/runner.js'
import { simulatorCli, SshTransport } from '../../src/dokku/transport.js'

const SSHD = '/usr/sbin/sshd'

async function freePort (): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

if (!existsSync(SSHD)) {
  if (process.env.CI) t.fail(`${SSHD} is missing: .ci/run installs openssh-server`)
  else t.test('ssh transport against a local sshd', { skip: `${SSHD} is not installed (apt-get install -y openssh-server)` }, async () => {})
} else {
  t.test('ssh transport against a local sshd', async (t) => {
    const dir = t.testdir({})
    const user = execFileSync('id', ['-un']).toString().trim()
    const port = await freePort()
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')])
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'client_key')])
    const entry = join(dir, 'dokku-entry')
    // dokku's entry script over SSH: ignore argv, re-split the original command with xargs.
    writeFileSync(entry, `#!/bin/bash
set -f
readarray -t ssh_arg_array < <(printf '%s' "$SSH_ORIGINAL_COMMAND" | xargs -n 1)
exec "${process.execPath}" "${simulatorCli()}" "\${ssh_arg_array[@]}"
`)
    chmodSync(entry, 0o755)
    writeFileSync(join(dir, 'authorized_keys'),
      `command="DOKKU_SIM_STATE=${join(dir, 'state.json')} DOKKU_SIM_STEP_MS=0 ${entry}",no-agent-forwarding,no-user-rc,no-X11-forwarding,no-port-forwarding ${readFileSync(join(dir, 'client_key.pub'), 'utf8')}`)
    writeFileSync(join(dir, 'sshd_config'), [
      `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no', 'UsePAM no', 'PasswordAuthentication no', 'KbdInteractiveAuthentication no',
      'PermitRootLogin forced-commands-only', `AllowUsers ${user}`, 'LogLevel ERROR', ''
    ].join('\n'))
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${readFileSync(join(dir, 'host_key.pub'), 'utf8')}`)
    mkdirSync('/run/sshd', { recursive: true })

    const sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] })
    let sshdLog = ''
    sshd.stderr.on('data', (d: Buffer) => { sshdLog += d.toString() })
    t.teardown(() => { sshd.kill() })

    const transport = new SshTransport({ user, host: '127.0.0.1', port }, [
      '-i', join(dir, 'client_key'), '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, '-o', 'IdentitiesOnly=yes'
    ])
    const history = new HistoryRepository(openDatabase(':memory:'))
    const client = new DokkuClient(new Runner(transport, history, { ...DEFAULT_RUNNER_OPTIONS, maxTimeoutMs: 20_000 }))

    let version
    for (let i = 0; i < 50; i++) {
      try { version = await client.version(); break } catch { await sleep(100) }
    }
    t.ok(version?.parts, `dokku answered over ssh (${version?.raw}) ${sshdLog}`)
    t.ok((await client.listApps()).includes('node-js-app'))

    const values = {
      SPACES: 'a b  c',
      QUOTES: `it's "quoted"`,
      SHELL: '$(id) `id` ; rm -rf / && echo $HOME',
      UNICODE: 'ünïcödé ☃ 日本',
      NEWLINES: 'line 1\nline 2\n',
      EMPTYISH: ' '
    }
    await client.configSet('node-js-app', values, { noRestart: true })
    const exported = await client.configExport('node-js-app')
    for (const [k, v] of Object.entries(values)) t.equal(exported[k], v, `${k} survived ssh and dokku's re-splitting`)

    await client.createApp('made-over-ssh')
    t.ok((await client.listApps()).includes('made-over-ssh'))
    const missing = await client.psReport('no-such-app').catch((e: unknown) => e)
    t.ok(missing instanceof DokkuError && missing.kind === 'app-missing' && missing.exitCode === 20, 'exit 20 passes through ssh')
    t.notMatch(JSON.stringify(history.list({ limit: 500 })), /rm -rf|日本|quoted/, 'no config value in history')
  })
}
