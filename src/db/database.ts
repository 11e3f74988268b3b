import Database from 'better-sqlite3'
import { join } from 'node:path'
import { commandGroup } from './command-group.js'

export type Db = Database.Database

type Migration = string | ((db: Db) => void)

/** Ordered schema changes; the index + 1 is the schema version kept in `user_version`. */
const MIGRATIONS: Migration[] = [
  `CREATE TABLE command_history (
     id          INTEGER PRIMARY KEY AUTOINCREMENT,
     command     TEXT    NOT NULL,
     app         TEXT,
     status      TEXT    NOT NULL,
     exitCode    INTEGER,
     stdout      TEXT    NOT NULL DEFAULT '',
     stderr      TEXT    NOT NULL DEFAULT '',
     error       TEXT,
     createdAt   TEXT    NOT NULL,
     finishedAt  TEXT,
     durationMs  INTEGER,
     kind        TEXT    NOT NULL DEFAULT 'command',
     label       TEXT
   );
   CREATE INDEX command_history_createdAt ON command_history (createdAt);
   CREATE INDEX command_history_app ON command_history (app, id);`,

  // v2: output moves to its own table, so that listing and pruning never read through large
  // text; rows learn their host, kind (action, read, job), origin and command group.
  (db) => {
    db['exec'](`
      CREATE TABLE command_output (
        id     INTEGER PRIMARY KEY REFERENCES command_history (id) ON DELETE CASCADE,
        stdout TEXT NOT NULL DEFAULT '',
        stderr TEXT NOT NULL DEFAULT ''
      );
      INSERT INTO command_output (id, stdout, stderr)
        SELECT id, stdout, stderr FROM command_history WHERE stdout <> '' OR stderr <> '';
      ALTER TABLE command_history DROP COLUMN stdout;
      ALTER TABLE command_history DROP COLUMN stderr;
      ALTER TABLE command_history ADD COLUMN host TEXT NOT NULL DEFAULT 'local';
      ALTER TABLE command_history ADD COLUMN origin TEXT NOT NULL DEFAULT 'page';
      ALTER TABLE command_history ADD COLUMN cmdGroup TEXT;
      UPDATE command_history SET kind = 'action' WHERE kind = 'command';
      CREATE INDEX command_history_kind ON command_history (kind, id);
      CREATE INDEX command_history_host ON command_history (host, id);
      CREATE INDEX command_history_group ON command_history (cmdGroup, id);
      CREATE INDEX command_history_status ON command_history (status, id);`)
    const rows = db.prepare('SELECT id, command FROM command_history').all() as Array<{ id: number; command: string }>
    const set = db.prepare('UPDATE command_history SET cmdGroup = ? WHERE id = ?')
    for (const row of rows) set.run(commandGroup(row.command), row.id)
  },

  // v3: sessions that ended before their JWT expired (logout), and small run-time settings.
  `CREATE TABLE revoked_sessions (
     sid       TEXT    PRIMARY KEY,
     expiresAt INTEGER NOT NULL
   );
   CREATE TABLE settings (
     key   TEXT PRIMARY KEY,
     value TEXT NOT NULL
   );`,

  // v4: deploys: releases, webhook secrets and deliveries (PLACEHOLDER-V4).
  '-- v4',

  // v5: the watchdog: findings, disk samples, notification channels and deliveries (PLACEHOLDER-V5).
  '-- v5',

  // v6: app settings (PLACEHOLDER-V6; stays a no-op if that work needs no table).
  '-- v6'
]

export const SCHEMA_VERSION = MIGRATIONS.length

export function openDatabase (dataDir: string | ':memory:'): Db {
  const db = new Database(dataDir === ':memory:' ? ':memory:' : join(dataDir, 'docklight.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  db.pragma('foreign_keys = ON')
  enableIncrementalVacuum(db)
  migrate(db)
  return db
}

/**
 * Pruned history gives its pages back to the file (`PRAGMA incremental_vacuum`), which needs
 * auto_vacuum=INCREMENTAL. A database made before that setting gets it with one VACUUM.
 */
function enableIncrementalVacuum (db: Db): void {
  const INCREMENTAL = 2
  if (db.pragma('auto_vacuum', { simple: true }) === INCREMENTAL) return
  db.pragma('auto_vacuum = INCREMENTAL')
  // SQLite's VACUUM statement (better-sqlite3's Database#exec), not a process.
  db['exec']('VACUUM')
}

export function migrate (db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number
  for (let v = current; v < MIGRATIONS.length; v++) {
    const step = MIGRATIONS[v]!
    db.transaction(() => {
      // SQLite's multi-statement run (better-sqlite3's Database#exec), not a process.
      if (typeof step === 'string') db['exec'](step)
      else step(db)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}
