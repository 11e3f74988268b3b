/** The official datastore plugins (dokku-postgres, -redis, -mysql, -mariadb, -mongo). */
import type { ServiceState } from './state.js'

export interface DatastoreDef {
  /** Command prefix and plugin name. */
  prefix: string
  /** `PLUGIN_SERVICE`, used in messages. */
  service: string
  /** The link alias without `_URL`. */
  defaultAlias: string
  image: string
  /** `config-dir` is `<root>/<configSuffix>`. */
  configSuffix: 'data' | 'config'
  pluginVersion: string
  repo: string
  /** `dokku_log_verbose_quiet` steps printed by `:create`. */
  createSteps: string[]
  dsn (svc: string, password: string): string
}

export function serviceHost (prefix: string, svc: string): string {
  return `dokku-${prefix}-${svc.replace(/[._]/g, '-')}`
}

export function serviceDbName (svc: string): string {
  return svc.replace(/[.-]/g, '_')
}

export const DATASTORES: Record<string, DatastoreDef> = {
  postgres: {
    prefix: 'postgres',
    service: 'Postgres',
    defaultAlias: 'DATABASE',
    image: 'postgres:17.6',
    configSuffix: 'data',
    pluginVersion: '1.48.0',
    repo: 'https://github.com/dokku/dokku-postgres.git',
    createSteps: ['Waiting for container to be ready', 'Creating container database', 'Securing connection to database'],
    dsn: (svc, pw) => `postgres://postgres:${pw}@${serviceHost('postgres', svc)}:5432/${serviceDbName(svc)}`
  },
  redis: {
    prefix: 'redis',
    service: 'Redis',
    defaultAlias: 'REDIS',
    image: 'redis:8.2.1',
    configSuffix: 'config',
    pluginVersion: '1.43.0',
    repo: 'https://github.com/dokku/dokku-redis.git',
    createSteps: ['Waiting for container to be ready'],
    dsn: (svc, pw) => `redis://:${pw}@${serviceHost('redis', svc)}:6379`
  },
  mysql: {
    prefix: 'mysql',
    service: 'MySQL',
    defaultAlias: 'DATABASE',
    image: 'mysql:9.4.0',
    configSuffix: 'config',
    pluginVersion: '1.44.3',
    repo: 'https://github.com/dokku/dokku-mysql.git',
    createSteps: ['Waiting for container to be ready', 'Creating container database'],
    dsn: (svc, pw) => `mysql://mysql:${pw}@${serviceHost('mysql', svc)}:3306/${serviceDbName(svc)}`
  },
  mariadb: {
    prefix: 'mariadb',
    service: 'MariaDB',
    defaultAlias: 'DATABASE',
    image: 'mariadb:12.0.2',
    configSuffix: 'config',
    pluginVersion: '1.45.2',
    repo: 'https://github.com/dokku/dokku-mariadb.git',
    createSteps: ['Waiting for container to be ready', 'Creating container database'],
    dsn: (svc, pw) => `mysql://mariadb:${pw}@${serviceHost('mariadb', svc)}:3306/${serviceDbName(svc)}`
  },
  mongo: {
    prefix: 'mongo',
    service: 'MongoDB',
    defaultAlias: 'MONGO',
    image: 'mongo:8.0.13',
    configSuffix: 'config',
    pluginVersion: '1.40.6',
    repo: 'https://github.com/dokku/dokku-mongo.git',
    createSteps: ['Waiting for container to be ready', 'Creating container database'],
    dsn: (svc, pw) => `mongodb://${svc}:${pw}@${serviceHost('mongo', svc)}:27017/${serviceDbName(svc)}`
  }
}

/** Alternative alias colours, in the order the plugins try them. */
export const ALIAS_COLORS = ['AQUA', 'BLACK', 'BLUE', 'FUCHSIA', 'GRAY', 'GREEN', 'LIME', 'MAROON', 'NAVY', 'OLIVE', 'PURPLE', 'RED', 'SILVER', 'TEAL', 'WHITE', 'YELLOW']

export function serviceUrl (def: DatastoreDef, svc: string, s: ServiceState): string {
  return def.dsn(svc, s.password)
}
