/**
 * The deploy history the demo hosts start with (deploys.md §2, §4): past build records, one of
 * them a failed push, and, on host `a`, an events log with pushes, a config change and a
 * domain change by named SSH keys (and the noise and `user-auth` lines a real log holds).
 * Only commands that are new with deploys read any of it.
 */
import { eventLine } from './event-log.js'
import { hash32, hexId } from './ids.js'
import type { AppState, BuildRecordState, SimState } from './state.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz'

/** A build id for a seeded time: deterministic, in dokku's format. */
export function seedBuildId (ms: number, salt: string): string {
  let n = hash32(salt)
  let random = ''
  for (let i = 0; i < 6; i++) { random += BASE36[n % 36]; n = Math.floor(n / 36) + hash32(salt + i) }
  return Math.floor(ms).toString(36).padStart(8, '0').slice(-8) + random
}

/** PIDs above Linux's pid_max (2^22) and below the in-process simulator's: never alive. */
const DEAD_PID = 4_400_000

function pushLog (app: string, sha: string, ok: boolean): string {
  const lines = [
    '-----> Cleaning up...',
    `-----> Building ${app} from herokuish`,
    '-----> Adding BUILD_ENV to build environment...',
    '       BUILD_ENV added successfully'
  ]
  if (!ok) {
    lines.push('-----> Installing dependencies', '       npm ERR! code ERESOLVE', '       npm ERR! ERESOLVE unable to resolve dependency tree', ' !     App build failed')
    return lines.join('\n') + '\n'
  }
  lines.push('-----> Build succeeded!', `-----> Releasing ${app}...`, `-----> Deploying ${app} via the docker-local scheduler...`,
    '-----> Deploying web (count=1)', '       Default container check successful (web.1)', '-----> Running post-deploy',
    '=====> Application deployed:', `       http://${app}.dokku.me`, '', `       (revision ${sha.slice(0, 7)})`)
  return lines.join('\n') + '\n'
}

function build (app: string, startedAt: number, seconds: number, status: BuildRecordState['status'], source: string, log: string, i: number): BuildRecordState {
  const record: BuildRecordState = {
    id: seedBuildId(startedAt, `${app}:${i}`),
    kind: source === 'ps:restart' || source === 'config-redeploy' ? 'deploy' : 'build',
    pid: DEAD_PID + (hash32(`${app}:${i}`) % 90_000),
    startedAt,
    status,
    source,
    log
  }
  if (status !== 'running') {
    record.finishedAt = startedAt + seconds * 1000
    record.exitCode = status === 'succeeded' ? 0 : status === 'failed' ? 1 : -1
  }
  return record
}

function sha (a: AppState): string {
  return a.env.GIT_REV ?? a.deploySourceMetadata
}

/** Adds build records to the seeded apps and, on host `a`, the events log. */
export function seedDeploys (state: SimState, nowSeconds: number, seed: 'a' | 'b'): void {
  const now = nowSeconds * 1000
  for (const [name, a] of Object.entries(state.apps)) {
    // The generated apps of the benchmarks (app-001…) stay without: their state stays small.
    if (!a.deployed || /^app-\d{3}$/.test(name)) continue
    const deployedAt = a.lastDeployAt * 1000
    const previous = deployedAt - 7 * DAY
    a.builds = [
      build(name, previous, 71, 'succeeded', 'git-hook', pushLog(name, hexId(`sha:previous:${name}`, 40), true), 0),
      build(name, deployedAt - 74_000, 74, 'succeeded', 'git-hook', pushLog(name, sha(a), true), 1)
    ]
  }
  if (seed === 'a') {
    // ruby-app's latest push failed to build (its record was never finalized, then reaped as failed).
    const ruby = state.apps['ruby-app']
    if (ruby) ruby.builds!.push(build('ruby-app', now - 3 * HOUR, 52, 'failed', 'git-hook', pushLog('ruby-app', sha(ruby), false), 2))
    // A restart from the CLI: its record is never finalized and shows as abandoned.
    const node = state.apps['node-js-app']
    if (node) node.builds!.push(build('node-js-app', now - 26 * HOUR, 0, 'running', 'ps:restart', '-----> Deploying web (count=2)\n', 3))
    state.events = { enabled: true, format: 'classic', hostname: 'dokku-a', log: [] }
    state.events.log = seedEventLog(state, now)
  } else {
    state.events = { enabled: false, format: 'rfc3339', hostname: 'dokku-b', log: [] }
  }
}

const ADMIN = { name: 'admin', fingerprint: 'SHA256:Jq3X0c9WZf1mY2d4oXrJ2b8cFvT5yQ1hN6kLs7pA0eE' }
const ALICE = { name: 'alice', fingerprint: 'SHA256:7bW1p0Qe9sV3kD2xN8mR4tY6uI5oP1aZ0cX9vB8nM7q' }

/** The events log of host `a`, oldest first. */
function seedEventLog (state: SimState, now: number): string[] {
  const lines: Array<{ ms: number; line: string }> = []
  let logger = 480_300
  const add = (ms: number, dokkuPid: number, who: { name: string; fingerprint: string } | null, trigger: string, args: string[]) => {
    lines.push({ ms, line: eventLine(state, { ms, trigger, args, name: who?.name, fingerprint: who?.fingerprint, dokkuPid, loggerPid: logger++ }) })
  }
  const push = (app: string, ms: number, pid: number, who: typeof ADMIN, rev: string, ok: boolean) => {
    add(ms, pid, who, 'app-exists', [app])
    add(ms, pid, who, 'pre-receive-app', [app, 'herokuish', `/tmp/dokku-${pid}`, rev])
    add(ms + 1000, pid, who, 'config-get', [app, 'DOKKU_APP_TYPE'])
    add(ms + 2000, pid, who, 'post-config-update', [app, 'set', 'GIT_REV'])
    if (!ok) return
    add(ms + 60_000, pid, who, 'post-deploy', [app, '', '', 'latest'])
    add(ms + 61_000, pid, who, 'deploy-source-set', [app, 'git-push', rev])
  }
  const node = state.apps['node-js-app']
  const ruby = state.apps['ruby-app']
  if (node) {
    push('node-js-app', node.lastDeployAt * 1000 - 74_000, 480_190, ADMIN, sha(node), true)
    add(now - 4 * DAY, 481_000, ADMIN, 'post-domains-update', ['node-js-app', 'add', 'www.example.com'])
  }
  if (ruby) {
    push('ruby-app', ruby.lastDeployAt * 1000 - 74_000, 481_500, ALICE, sha(ruby), true)
    push('ruby-app', now - 3 * HOUR, 482_200, ALICE, sha(ruby).replace(/^./, 'f'), false)
  }
  // A config change with a restart, from a local shell (no SSH key).
  add(now - 5 * HOUR, 482_000, null, 'post-config-update', ['python-app', 'set', 'WEB_CONCURRENCY'])
  // user-auth carries the whole command line, values included: Docklight must drop it.
  add(now - 5 * HOUR + 500, 482_010, ALICE, 'user-auth', ['dokku', 'alice', 'config:set', 'ruby-app', 'RAILS_MASTER_KEY=seeded-not-a-real-secret'])
  add(now - 5 * HOUR + 900, 482_010, ALICE, 'app-list', [])
  return lines.sort((x, y) => x.ms - y.ms).map((l) => l.line)
}
