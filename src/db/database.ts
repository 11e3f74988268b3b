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

  // v4: deploys (issue 9). Releases: every deploy Docklight ran or learned of (its own jobs,
  // dokku's build records, the events log), since dokku keeps none. Webhooks: one per app and
  // host (the secret sealed), and every delivery with its outcome. dokku_events: the useful
  // groups of `dokku events` lines, kept because dokku's own log shows only the last 100 lines.
  `CREATE TABLE releases (
     id          INTEGER PRIMARY KEY AUTOINCREMENT,
     host        TEXT    NOT NULL,
     app         TEXT    NOT NULL,
     status      TEXT    NOT NULL,
     source      TEXT    NOT NULL DEFAULT '',
     metadata    TEXT    NOT NULL DEFAULT '',
     gitRev      TEXT,
     image       TEXT,
     imageDigest TEXT,
     actorKind   TEXT    NOT NULL,
     actor       TEXT,
     learnedFrom TEXT    NOT NULL,
     buildId     TEXT,
     eventKey    TEXT,
     jobId       INTEGER,
     rollbackOf  INTEGER,
     startedAt   TEXT    NOT NULL,
     finishedAt  TEXT,
     durationMs  INTEGER,
     error       TEXT
   );
   CREATE INDEX releases_app ON releases (host, app, startedAt, id);
   CREATE INDEX releases_started ON releases (startedAt, id);
   CREATE INDEX releases_job ON releases (jobId);
   CREATE UNIQUE INDEX releases_build ON releases (host, app, buildId) WHERE buildId IS NOT NULL;
   CREATE UNIQUE INDEX releases_event ON releases (host, app, eventKey) WHERE eventKey IS NOT NULL;
   CREATE TABLE webhooks (
     host         TEXT NOT NULL,
     app          TEXT NOT NULL,
     sealedSecret TEXT NOT NULL,
     repoUrl      TEXT NOT NULL,
     branch       TEXT NOT NULL,
     createdAt    TEXT NOT NULL,
     PRIMARY KEY (host, app)
   );
   CREATE TABLE webhook_deliveries (
     id         INTEGER PRIMARY KEY AUTOINCREMENT,
     host       TEXT    NOT NULL,
     app        TEXT    NOT NULL,
     provider   TEXT    NOT NULL,
     deliveryId TEXT,
     event      TEXT,
     ref        TEXT,
     sha        TEXT,
     outcome    TEXT    NOT NULL,
     reason     TEXT    NOT NULL,
     jobId      INTEGER,
     historyId  INTEGER,
     receivedAt TEXT    NOT NULL
   );
   CREATE INDEX webhook_deliveries_app ON webhook_deliveries (host, app, id);
   CREATE INDEX webhook_deliveries_seen ON webhook_deliveries (host, app, provider, deliveryId);
   CREATE INDEX webhook_deliveries_received ON webhook_deliveries (receivedAt, id);
   CREATE TABLE dokku_events (
     id          INTEGER PRIMARY KEY AUTOINCREMENT,
     host        TEXT    NOT NULL,
     groupKey    TEXT    NOT NULL,
     app         TEXT,
     pid         INTEGER NOT NULL,
     kind        TEXT    NOT NULL,
     summary     TEXT    NOT NULL,
     detail      TEXT    NOT NULL DEFAULT '{}',
     who         TEXT,
     at          TEXT    NOT NULL,
     historyId   INTEGER,
     releaseId   INTEGER
   );
   CREATE UNIQUE INDEX dokku_events_group ON dokku_events (host, groupKey);
   CREATE INDEX dokku_events_at ON dokku_events (at, id);
   CREATE INDEX dokku_events_app ON dokku_events (host, app, at);`,

  // v5: the watchdog (issue 11). Findings: what it saw, one open row per host and key, kept after
  // they resolve (recent alerts); the fix is data we chose, never user input. Disk samples: the
  // used bytes of each partition over time, for the days-to-full forecast. Notification
  // channels (the URL sealed with SecretBox) and every delivery with its outcome.
  `CREATE TABLE findings (
     id               INTEGER PRIMARY KEY AUTOINCREMENT,
     host             TEXT    NOT NULL,
     app              TEXT,
     rule             TEXT    NOT NULL,
     findingKey       TEXT    NOT NULL,
     severity         TEXT    NOT NULL,
     title            TEXT    NOT NULL,
     detail           TEXT    NOT NULL,
     action           TEXT    NOT NULL,
     fix              TEXT,
     firstSeen        TEXT    NOT NULL,
     lastSeen         TEXT    NOT NULL,
     resolvedAt       TEXT,
     snoozedUntil     TEXT,
     notifiedSeverity TEXT
   );
   CREATE UNIQUE INDEX findings_open ON findings (host, findingKey) WHERE resolvedAt IS NULL;
   CREATE INDEX findings_app ON findings (host, app, id);
   CREATE INDEX findings_resolved ON findings (resolvedAt, id);
   CREATE TABLE disk_samples (
     host      TEXT    NOT NULL,
     mount     TEXT    NOT NULL,
     at        INTEGER NOT NULL,
     usedBytes INTEGER NOT NULL,
     sizeBytes INTEGER NOT NULL,
     PRIMARY KEY (host, mount, at)
   );
   CREATE TABLE notification_channels (
     id          INTEGER PRIMARY KEY AUTOINCREMENT,
     name        TEXT    NOT NULL,
     kind        TEXT    NOT NULL,
     sealedUrl   TEXT    NOT NULL,
     minSeverity TEXT    NOT NULL,
     apps        TEXT,
     enabled     INTEGER NOT NULL DEFAULT 1,
     createdAt   TEXT    NOT NULL
   );
   CREATE TABLE notification_deliveries (
     id         INTEGER PRIMARY KEY AUTOINCREMENT,
     channelId  INTEGER NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
     findingId  INTEGER,
     event      TEXT    NOT NULL,
     summary    TEXT    NOT NULL,
     payload    TEXT    NOT NULL,
     status     TEXT    NOT NULL,
     attempts   INTEGER NOT NULL DEFAULT 0,
     httpStatus INTEGER,
     error      TEXT,
     createdAt  TEXT    NOT NULL,
     updatedAt  TEXT    NOT NULL
   );
   CREATE INDEX notification_deliveries_channel ON notification_deliveries (channelId, id);
   CREATE INDEX notification_deliveries_status ON notification_deliveries (status, id);`,

  // v6: actions and jobs by host (the default /history view) and by host and app (the overview,
  // releases, activity). Without them SQLite walks the host's whole history through (host, id),
  // reads included, which grows with every poll. Partial: reads, the bulk of all rows, cost
  // these indexes nothing. HistoryRepository.list writes the same `kind IN (…)` term.
  `CREATE INDEX command_history_host_actions ON command_history (host, id) WHERE kind IN ('action', 'job');
   CREATE INDEX command_history_app_actions ON command_history (host, app, id) WHERE kind IN ('action', 'job');`
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
