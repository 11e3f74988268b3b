/**
 * The demo data set a fresh state file starts from, plus generated apps for benchmarks
 * (`DOKKU_SIM_APPS=100` adds app-001 … app-100).
 */
import { DATASTORES } from './datastores.js'
import { fingerprintOf } from '../ssh-key.js'
import { hexId } from './ids.js'
import { seedDeploys } from './seed-deploys.js'
import type { AppProfile, AppState, CertState, ContainerState, PluginState, ServiceState, SimSshKey, SimState } from './state.js'
import { STATE_SCHEMA } from './state.js'
import { CURRENT_VERSION } from './version.js'
import { seedSettingsA, seedSettingsB, settingsPlugins } from './settings-seed.js'

const DAY = 86400
const HOUR = 3600
const GiB = 1024 ** 3

/** A deterministic ed25519 public key line and its fingerprint (the seeds' authorized_keys). */
export function demoSshKey (name: string, comment: string): SimSshKey {
  const type = Buffer.from('ssh-ed25519')
  const blob = Buffer.alloc(4 + type.length + 4 + 32)
  blob.writeUInt32BE(type.length, 0)
  type.copy(blob, 4)
  blob.writeUInt32BE(32, 4 + type.length)
  Buffer.from(hexId(`ssh-key:${name}`), 'hex').copy(blob, 8 + type.length)
  return { name, fingerprint: fingerprintOf(blob), publicKey: `ssh-ed25519 ${blob.toString('base64')} ${comment}` }
}

export interface SeedOptions {
  /** UNIX seconds used as "now" for relative dates (cert expiry, uptimes). */
  now: number
  /** Number of generated apps (app-001 …) added to the demo apps. */
  extraApps?: number
  /** Leave out the named demo apps, keep only generated ones. */
  onlyGenerated?: boolean
  /**
   * Which demo host: `a` (the default, what the tests know) or `b`, a second host with other
   * apps, other services and a k3s cluster (demo mode's `demo-b`).
   */
  seed?: 'a' | 'b'
}

export const LETSENCRYPT_ISSUER = "C = US, O = Let's Encrypt, CN = R11"
export const CA_VERIFIED = 'verified by a certificate authority'

/** Container ID for one instance of one release. */
export function containerId (app: string, proc: string, index: number, release: number): string {
  return hexId(`cid:${app}:${proc}.${index}:${release}`)
}

export function servicePassword (prefix: string, svc: string): string {
  return hexId(`pw:${prefix}:${svc}`, 32)
}

/** Containers for a formation, one per instance, all with the given status. */
export function containersFor (app: string, formation: Record<string, number>, release: number, startedAt: number, status = 'running'): ContainerState[] {
  const out: ContainerState[] = []
  for (const proc of Object.keys(formation).sort()) {
    for (let i = 1; i <= formation[proc]!; i++) {
      out.push({ proc, index: i, cid: containerId(app, proc, i, release), status, startedAt })
    }
  }
  return out
}

export function newApp (createdAt: number, vhosts: string[]): AppState {
  return {
    createdAt,
    deployed: false,
    deploySource: '',
    deploySourceMetadata: '',
    hasRepo: false,
    builder: 'herokuish',
    profile: 'static',
    procfile: [],
    formation: {},
    formationFromAppJson: false,
    containers: [],
    restore: true,
    releaseSeq: 0,
    lastDeployAt: 0,
    env: {},
    vhosts,
    ps: {},
    lock: null,
    cert: null,
    letsencrypt: { active: false, props: {} }
  }
}

interface DeployedSpec {
  name: string
  createdAt: number
  profile: AppProfile
  builder?: string
  procfile: string[]
  formation: Record<string, number>
  deployedAt: number
  sha: string
  env?: Record<string, string>
  vhosts: string[]
}

function deployedApp (spec: DeployedSpec): AppState {
  const a = newApp(spec.createdAt, spec.vhosts)
  a.deployed = true
  a.hasRepo = true
  a.deploySource = 'git'
  a.deploySourceMetadata = spec.sha
  a.builder = spec.builder ?? 'herokuish'
  a.profile = spec.profile
  a.procfile = spec.procfile
  a.formation = spec.formation
  a.releaseSeq = 1
  a.lastDeployAt = spec.deployedAt
  a.containers = containersFor(spec.name, spec.formation, 1, spec.deployedAt)
  a.env = { GIT_REV: spec.sha, ...spec.env }
  return a
}

export function letsencryptCert (hostnames: string[], startsAt: number): CertState {
  return {
    startsAt,
    expiresAt: startsAt + 90 * DAY,
    hostnames: [...hostnames],
    issuer: LETSENCRYPT_ISSUER,
    subject: `CN=${hostnames[0] ?? ''}`,
    verified: CA_VERIFIED
  }
}

function service (prefix: string, name: string, createdAt: number, ip: number, links: string[], status = 'running'): ServiceState {
  return {
    password: servicePassword(prefix, name),
    createdAt,
    status,
    image: DATASTORES[prefix]!.image,
    id: hexId(`svc:${prefix}:${name}`),
    ip: status === 'running' ? `172.17.0.${ip}` : '',
    exposedPorts: '-',
    configOptions: '',
    links
  }
}

const CORE_PLUGINS = [
  '00_dokku-standard', '20_events', 'app-json', 'apps', 'builder', 'builder-dockerfile', 'builder-herokuish',
  'builder-lambda', 'builder-nixpacks', 'builder-null', 'builder-pack', 'builder-railpack', 'buildpacks', 'builds',
  'caddy-vhosts', 'certs', 'checks', 'common', 'config', 'cron', 'docker-options', 'domains', 'enter', 'git',
  'haproxy-vhosts', 'logs', 'network', 'nginx-vhosts', 'openresty-vhosts', 'plugin', 'ports', 'proxy', 'ps',
  'registry', 'repo', 'resource', 'run', 'scheduler', 'scheduler-docker-local', 'scheduler-k3s', 'scheduler-null',
  'shell', 'ssh-keys', 'storage', 'trace', 'traefik-vhosts'
]

const CORE_DESCRIPTIONS: Record<string, string> = {
  '00_dokku-standard': 'dokku core standard plugin',
  '20_events': 'dokku core events logging plugin'
}

/** Installed plugins: the core set plus letsencrypt and the datastores (by default postgres, redis and mysql; not mariadb, not mongo). */
export function seedPlugins (datastores: readonly string[] = ['postgres', 'redis', 'mysql']): PluginState[] {
  const core: PluginState[] = CORE_PLUGINS.map((name) => ({
    name,
    version: CURRENT_VERSION,
    enabled: true,
    core: true,
    description: CORE_DESCRIPTIONS[name] ?? `dokku core ${name} plugin`,
    sourceUrl: '',
    committish: '',
    branch: ''
  }))
  const extra: PluginState[] = [
    {
      name: 'letsencrypt',
      version: '0.25.1',
      enabled: true,
      core: false,
      description: "Automated installation of let's encrypt TLS certificates",
      sourceUrl: 'https://github.com/dokku/dokku-letsencrypt.git',
      committish: hexId('plugin:letsencrypt', 40),
      branch: 'master'
    },
    ...datastores.map((p) => ({
      name: p,
      version: DATASTORES[p]!.pluginVersion,
      enabled: true,
      core: false,
      description: `dokku ${p} service plugin`,
      sourceUrl: DATASTORES[p]!.repo,
      committish: hexId(`plugin:${p}`, 40),
      branch: 'master'
    }))
  ]
  return [...core, ...extra].sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
}

function generatedApp (i: number, now: number, globalDomain: string): [string, AppState] {
  const name = `app-${String(i).padStart(3, '0')}`
  const vhosts = [`${name}.${globalDomain}`]
  const createdAt = now - (30 + (i % 200)) * DAY
  const kind = i % 10
  const profiles: AppProfile[] = ['node', 'python', 'ruby', 'go']
  const profile = profiles[i % profiles.length]!
  if (kind === 7) return [name, newApp(createdAt, vhosts)]
  const withWorker = i % 4 === 0
  const formation: Record<string, number> = withWorker ? { web: 1, worker: 1 } : { web: 1 }
  if (kind === 8) formation.web = 2
  const a = deployedApp({
    name,
    createdAt,
    profile,
    procfile: Object.keys(formation),
    formation,
    deployedAt: now - ((i % 20) + 1) * HOUR,
    sha: hexId(`sha:${name}`, 40),
    env: { APP_ENV: 'production', LOG_LEVEL: i % 3 === 0 ? 'debug' : 'info' },
    vhosts
  })
  if (kind === 6) {
    a.restore = false
    for (const c of a.containers) { c.status = 'exited'; c.finishedAt = now - 2 * HOUR; c.exitCode = 0 }
  } else if (kind === 8) {
    const c = a.containers.find((x) => x.proc === 'web' && x.index === 2)!
    c.status = 'exited'; c.finishedAt = now - HOUR; c.exitCode = 137
  } else if (kind === 9) {
    for (const c of a.containers) { c.status = 'exited'; c.finishedAt = now - 30 * 60; c.exitCode = 1 }
  }
  if (i % 3 === 0) {
    // Spread expiries from already-due to fresh.
    const startsAt = now - ((i * 7) % 95) * DAY
    a.cert = letsencryptCert(vhosts, startsAt)
    a.letsencrypt = { active: true, props: { email: `ops+${name}@example.com` } }
  }
  return [name, a]
}

/** The demo state. Deterministic for a given `now`. */
export function createSeedState (opts: SeedOptions): SimState {
  const state = opts.seed === 'b' ? createSeedStateB(opts) : createSeedStateA(opts)
  // Past builds and the events log (deploys); only the deploy commands read them.
  if (!opts.onlyGenerated) seedDeploys(state, Math.floor(opts.now), opts.seed === 'b' ? 'b' : 'a')
  return state
}

/** Demo host `a`: what most tests see. */
function createSeedStateA (opts: SeedOptions): SimState {
  const now = Math.floor(opts.now)
  const domain = 'dokku.me'
  const pg = (svc: string) => DATASTORES.postgres!.dsn(svc, servicePassword('postgres', svc))
  const redis = (svc: string) => DATASTORES.redis!.dsn(svc, servicePassword('redis', svc))
  const mysql = (svc: string) => DATASTORES.mysql!.dsn(svc, servicePassword('mysql', svc))
  const apps: Record<string, AppState> = {}

  if (!opts.onlyGenerated) {
    // Running, web=2 worker=1, Let's Encrypt certificate valid for ~80 more days.
    const node = deployedApp({
      name: 'node-js-app',
      createdAt: 1735689600,
      profile: 'node',
      procfile: ['web', 'worker'],
      formation: { web: 2, worker: 1 },
      deployedAt: now - 2 * DAY - 3 * HOUR,
      sha: 'cd7b8afccb202f222e7dc7b427553e71ba5ddafd',
      env: {
        DATABASE_URL: pg('lollipop'),
        REDIS_URL: redis('cache'),
        NODE_ENV: 'production',
        SECRET_KEY_BASE: hexId('secret:node-js-app', 64),
        LOG_LEVEL: 'info'
      },
      vhosts: ['node-js-app.dokku.me', 'www.example.com']
    })
    node.cert = letsencryptCert(node.vhosts, now - 10 * DAY)
    node.letsencrypt = { active: true, props: { email: 'ops@example.com' } }
    apps['node-js-app'] = node

    // Stopped with ps:stop (restore=false); its certificate expires in under 14 days.
    const python = deployedApp({
      name: 'python-app',
      createdAt: now - 120 * DAY,
      profile: 'python',
      procfile: ['web', 'release'],
      formation: { web: 1, release: 0 },
      deployedAt: now - 9 * DAY,
      sha: hexId('sha:python-app', 40),
      env: {
        DATABASE_URL: mysql('python-db'),
        DJANGO_SETTINGS_MODULE: 'app.settings.production',
        WEB_CONCURRENCY: '2'
      },
      vhosts: ['python-app.dokku.me', 'api.example.org']
    })
    python.restore = false
    for (const c of python.containers) { c.status = 'exited'; c.finishedAt = now - 3 * HOUR; c.exitCode = 0 }
    python.cert = letsencryptCert(python.vhosts, now - 80 * DAY + 6 * HOUR)
    python.letsencrypt = { active: true, props: { email: 'admin@example.org' } }
    apps['python-app'] = python

    // Mixed: web.2 was OOM-killed, web.1 and worker.1 still run. No certificate.
    const ruby = deployedApp({
      name: 'ruby-app',
      createdAt: now - 60 * DAY,
      profile: 'ruby',
      procfile: ['web', 'worker'],
      formation: { web: 2, worker: 1 },
      deployedAt: now - 20 * HOUR,
      sha: hexId('sha:ruby-app', 40),
      env: {
        DATABASE_URL: pg('ruby-db'),
        RAILS_ENV: 'production',
        RAILS_MASTER_KEY: hexId('master:ruby-app', 32),
        RAILS_LOG_TO_STDOUT: 'enabled'
      },
      vhosts: ['ruby-app.dokku.me']
    })
    const web2 = ruby.containers.find((c) => c.proc === 'web' && c.index === 2)!
    web2.status = 'exited'; web2.finishedAt = now - 4 * HOUR; web2.exitCode = 137
    apps['ruby-app'] = ruby

    // Crashed: its only worker exited with status 1 (restore still true).
    const go = deployedApp({
      name: 'go-worker',
      createdAt: now - 30 * DAY,
      profile: 'go',
      builder: 'dockerfile',
      procfile: ['web', 'worker'],
      formation: { web: 0, worker: 1 },
      deployedAt: now - 5 * DAY,
      sha: hexId('sha:go-worker', 40),
      env: { REDIS_URL: redis('cache'), QUEUE_CONCURRENCY: '4' },
      vhosts: ['go-worker.dokku.me']
    })
    for (const c of go.containers) { c.status = 'exited'; c.finishedAt = now - 35 * 60; c.exitCode = 1 }
    go.ps = { 'restart-policy': 'on-failure:5' }
    apps['go-worker'] = go

    // Created but never deployed.
    apps['static-site'] = newApp(now - 2 * DAY, ['static-site.dokku.me'])
  }

  seedSettingsA(apps)

  for (let i = 1; i <= (opts.extraApps ?? 0); i++) {
    const [name, a] = generatedApp(i, now, domain)
    apps[name] = a
  }

  const services: SimState['services'] = {
    postgres: {},
    redis: {},
    mysql: {}
  }
  if (!opts.onlyGenerated) {
    services.postgres = {
      lollipop: service('postgres', 'lollipop', now - 200 * DAY, 5, ['node-js-app']),
      'ruby-db': service('postgres', 'ruby-db', now - 60 * DAY, 6, ['ruby-app']),
      reporting: service('postgres', 'reporting', now - 15 * DAY, 7, [], 'exited')
    }
    services.redis = {
      cache: service('redis', 'cache', now - 150 * DAY, 8, ['go-worker', 'node-js-app'])
    }
    services.mysql = {
      'python-db': service('mysql', 'python-db', now - 120 * DAY, 9, ['python-app'])
    }
  }

  return {
    schema: STATE_SCHEMA,
    createdAt: now,
    global: {
      vhosts: [domain],
      env: { CURL_CONNECT_TIMEOUT: '90', CURL_TIMEOUT: '600' },
      ps: {},
      appsDisableAutocreation: '',
      letsencrypt: {},
      letsencryptAutorenew: true,
      // One ext4 root, filling slowly (issue 11: the disk rule and its forecast).
      disk: [{ filesystem: '/dev/vda1', mount: '/', sizeBytes: 78 * GiB, usedBytes: 31 * GiB, growthBytesPerDay: GiB / 5 }]
    },
    apps,
    services,
    plugins: [...seedPlugins(), ...settingsPlugins()].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0)),
    seq: 100,
    // The people and bots who can push (ssh-keys:list).
    sshKeys: [demoSshKey('admin', 'alice@laptop'), demoSshKey('ci-bot', 'github-actions')]
  }
}

/**
 * Demo host `b`: another team's server. An API and its web front end behind Let's Encrypt
 * (the front end's certificate due in five days), a queue worker with one worker killed, a
 * reporting app stopped with ps:stop, and a search service deployed by dokku's k3s scheduler
 * onto a three-node cluster (one worker not ready). Postgres and redis, no mysql.
 */
function createSeedStateB (opts: SeedOptions): SimState {
  const now = Math.floor(opts.now)
  const domain = 'dokku.example.net'
  const pg = (svc: string) => DATASTORES.postgres!.dsn(svc, servicePassword('postgres', svc))
  const redis = (svc: string) => DATASTORES.redis!.dsn(svc, servicePassword('redis', svc))
  const apps: Record<string, AppState> = {}

  if (!opts.onlyGenerated) {
    const api = deployedApp({
      name: 'api',
      createdAt: now - 400 * DAY,
      profile: 'go',
      builder: 'dockerfile',
      procfile: ['web', 'release'],
      formation: { web: 2, release: 0 },
      deployedAt: now - 6 * HOUR,
      sha: hexId('sha:b:api', 40),
      env: {
        DATABASE_URL: pg('api-db'),
        REDIS_URL: redis('queue'),
        GO_ENV: 'production',
        JWT_SIGNING_KEY: hexId('secret:b:api', 64),
        CORS_ORIGINS: 'https://www.example.net'
      },
      vhosts: ['api.example.net']
    })
    api.cert = letsencryptCert(api.vhosts, now - 30 * DAY)
    api.letsencrypt = { active: true, props: { email: 'platform@example.net' } }
    apps.api = api

    const storefront = deployedApp({
      name: 'storefront',
      createdAt: now - 300 * DAY,
      profile: 'node',
      procfile: ['web'],
      formation: { web: 2 },
      deployedAt: now - 1 * DAY - 2 * HOUR,
      sha: hexId('sha:b:storefront', 40),
      env: { NODE_ENV: 'production', API_URL: 'https://api.example.net', SESSION_SECRET: hexId('secret:b:storefront', 48) },
      vhosts: ['www.example.net', 'storefront.dokku.example.net']
    })
    storefront.cert = letsencryptCert(storefront.vhosts, now - 85 * DAY)
    storefront.letsencrypt = { active: true, props: { email: 'platform@example.net' } }
    apps.storefront = storefront

    // worker.2 was OOM-killed; worker.1 still drains the queue.
    const worker = deployedApp({
      name: 'queue-worker',
      createdAt: now - 200 * DAY,
      profile: 'python',
      procfile: ['worker'],
      formation: { worker: 2 },
      deployedAt: now - 3 * DAY,
      sha: hexId('sha:b:queue-worker', 40),
      env: { REDIS_URL: redis('queue'), DATABASE_URL: pg('api-db'), CELERY_CONCURRENCY: '4' },
      vhosts: []
    })
    const killed = worker.containers.find((c) => c.proc === 'worker' && c.index === 2)!
    killed.status = 'exited'; killed.finishedAt = now - 2 * HOUR; killed.exitCode = 137
    apps['queue-worker'] = worker

    // Stopped on purpose (ps:stop turns restore off) between month-end runs.
    const reports = deployedApp({
      name: 'reports',
      createdAt: now - 90 * DAY,
      profile: 'ruby',
      procfile: ['web'],
      formation: { web: 1 },
      deployedAt: now - 12 * DAY,
      sha: hexId('sha:b:reports', 40),
      env: { DATABASE_URL: pg('analytics'), RAILS_ENV: 'production' },
      vhosts: ['reports.dokku.example.net']
    })
    reports.restore = false
    for (const c of reports.containers) { c.status = 'exited'; c.finishedAt = now - 5 * DAY; c.exitCode = 0 }
    apps.reports = reports

    // Deployed by the k3s scheduler: its processes are pods in the cluster, not containers here.
    const search = deployedApp({
      name: 'search',
      createdAt: now - 40 * DAY,
      profile: 'node',
      builder: 'pack',
      procfile: ['web'],
      formation: { web: 3 },
      deployedAt: now - 4 * HOUR,
      sha: hexId('sha:b:search', 40),
      env: { NODE_ENV: 'production', INDEX_SHARDS: '3' },
      vhosts: ['search.example.net']
    })
    search.scheduler = { selected: 'k3s' }
    apps.search = search
  }

  seedSettingsB(apps)

  for (let i = 1; i <= (opts.extraApps ?? 0); i++) {
    const [name, a] = generatedApp(i, now, domain)
    apps[name] = a
  }

  const services: SimState['services'] = { postgres: {}, redis: {} }
  if (!opts.onlyGenerated) {
    services.postgres = {
      'api-db': service('postgres', 'api-db', now - 400 * DAY, 11, ['api', 'queue-worker']),
      analytics: service('postgres', 'analytics', now - 90 * DAY, 12, ['reports'])
    }
    services.redis = {
      queue: service('redis', 'queue', now - 380 * DAY, 13, ['api', 'queue-worker'])
    }
  }

  const k3sVersion = 'v1.33.4+k3s1'
  return {
    schema: STATE_SCHEMA,
    createdAt: now,
    global: {
      vhosts: [domain],
      env: { CURL_CONNECT_TIMEOUT: '90', CURL_TIMEOUT: '600' },
      ps: {},
      appsDisableAutocreation: '',
      letsencrypt: { email: 'platform@example.net' },
      // Nobody ran `letsencrypt:cron-job --add` here: storefront's certificate, due in five
      // days, was never renewed (issue 11: the watchdog's expiring-certificate alert).
      letsencryptAutorenew: false,
      // A small root at 84% that keeps filling, and docker's data on a disk of its own.
      disk: [
        { filesystem: '/dev/sda1', mount: '/', sizeBytes: 40 * GiB, usedBytes: Math.round(33.6 * GiB), growthBytesPerDay: Math.round(0.4 * GiB) },
        { filesystem: '/dev/sdb1', mount: '/var/lib/docker', sizeBytes: 200 * GiB, usedBytes: 122 * GiB }
      ]
    },
    apps,
    services,
    plugins: seedPlugins(['postgres', 'redis']),
    k3s: {
      nodes: [
        { name: 'dokku-b', roles: ['control-plane', 'etcd', 'master'], ready: true, remoteHost: '', version: k3sVersion },
        { name: 'worker-1', roles: [], ready: true, remoteHost: 'root@10.0.0.21', version: k3sVersion },
        { name: 'worker-2', roles: [], ready: false, remoteHost: 'root@10.0.0.22', version: k3sVersion }
      ]
    },
    seq: 100,
    sshKeys: [demoSshKey('platform-team', 'platform@example.net'), demoSshKey('deploy-bot', 'ci')]
  }
}
