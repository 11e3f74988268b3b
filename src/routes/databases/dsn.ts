import { maskDsnPasswords } from '../../dokku/redact.js'
import type { DbPlugin } from '../../dokku/validate.js'

export const MASK = '••••'

/**
 * `postgres://postgres:secret@host:5432/db` → `postgres://postgres:••••@host:5432/db` (any scheme,
 * an empty user too: `redis://:••••@host:6379`). A DSN without a password is shown as it is.
 */
export function maskDsn (dsn: string): string {
  return maskDsnPasswords(dsn, MASK)
}

/** The name people know each datastore by. */
export const PLUGIN_LABELS: Record<DbPlugin, string> = {
  postgres: 'PostgreSQL',
  redis: 'Redis',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  mongo: 'MongoDB'
}

/** How to install a datastore plugin (root only, so Docklight cannot do it itself). */
export function installHint (plugin: DbPlugin): string {
  return `sudo dokku plugin:install https://github.com/dokku/dokku-${plugin}.git`
}

/** Serialises jobs on one service (create, destroy); link and unlink lock the app instead. */
export function serviceLockKey (plugin: DbPlugin, service: string): string {
  return `db:${plugin}:${service}`
}
