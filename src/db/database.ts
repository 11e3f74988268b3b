import Database from 'better-sqlite3'
import { join } from 'node:path'

export type Db = Database.Database

/** Ordered schema changes; the index + 1 is the schema version kept in `user_version`. */
const MIGRATIONS: string[] = [
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
   CREATE INDEX command_history_app ON command_history (app, id);`
]

export function openDatabase (dataDir: string | ':memory:'): Db {
  const db = new Database(dataDir === ':memory:' ? ':memory:' : join(dataDir, 'docklight.db'))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  db.pragma('busy_timeout = 5000')
  migrate(db)
  return db
}

export function migrate (db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      // SQLite's multi-statement run (better-sqlite3's Database#exec), not a process.
      db['exec'](MIGRATIONS[v]!)
      db.pragma(`user_version = ${v + 1}`)
    })()
  }
}
