import t from 'tap'
import { execFileSync, spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { openDatabase } from '../src/db/database.js'
import { HistoryRepository } from '../src/db/history.js'

const BACKUP = fileURLToPath(new URL('../dist/backup.js', import.meta.url))

t.test('npm run backup copies the live database with SQLite online backup', async (t) => {
  const dir = t.testdir({ out: {} })
  const db = openDatabase(dir)
  const repo = new HistoryRepository(db)
  const id = repo.start({ command: 'dokku apps:list', kind: 'read' })
  repo.finish(id, { status: 'success', exitCode: 0, stdout: '', stderr: '', durationMs: 3 })
  // The server still has the database open (WAL) while the backup runs.
  const target = join(dir, 'out', 'docklight-backup.db')
  const out = execFileSync(process.execPath, [BACKUP, target], { env: { ...process.env, DOCKLIGHT_DATA_DIR: dir } }).toString()
  t.match(out, /^Backed up .*docklight\.db to .*docklight-backup\.db \(\d+ pages\)\.\n$/)
  db.close()
  const Database = (await import('better-sqlite3')).default
  const restored = new Database(target, { readonly: true })
  t.equal((restored.prepare('SELECT command FROM command_history WHERE id = ?').get(id) as { command: string }).command, 'dokku apps:list')
  restored.close()

  const again = spawnSync(process.execPath, [BACKUP, target], { env: { ...process.env, DOCKLIGHT_DATA_DIR: dir } })
  t.equal(again.status, 73, 'never overwrites a file')
  const none = spawnSync(process.execPath, [BACKUP, join(dir, 'x.db')], { env: { ...process.env, DOCKLIGHT_DATA_DIR: join(dir, 'out', 'nothing') } })
  t.equal(none.status, 66)
  t.match(none.stderr.toString(), /no database at/)
  t.equal(spawnSync(process.execPath, [BACKUP]).status, 64, 'usage without a file')
})
