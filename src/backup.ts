/**
 * `npm run backup -- <file>` (or `node dist/backup.js <file>`): a consistent copy of
 * docklight.db made with SQLite's online backup API, safe while Docklight runs (WAL readers
 * never block it). Reads DOCKLIGHT_DATA_DIR like the server. The session secret next to it
 * (`session-secret`) is a separate small file to copy alongside.
 */
import Database from 'better-sqlite3'
import { existsSync } from 'node:fs'
import { isAbsolute, join, resolve } from 'node:path'

async function main (): Promise<void> {
  const target = process.argv[2]
  if (target === undefined || target === '' || target.startsWith('-')) {
    process.stderr.write('usage: npm run backup -- <backup-file.db>\n')
    process.exit(64)
  }
  const rawDir = process.env.DOCKLIGHT_DATA_DIR || './data'
  const dataDir = isAbsolute(rawDir) ? rawDir : resolve(rawDir)
  const source = join(dataDir, 'docklight.db')
  if (!existsSync(source)) {
    process.stderr.write(`docklight: no database at ${source} (set DOCKLIGHT_DATA_DIR)\n`)
    process.exit(66)
  }
  if (existsSync(target)) {
    process.stderr.write(`docklight: ${target} exists; give a new file name\n`)
    process.exit(73)
  }
  const db = new Database(source, { readonly: true, fileMustExist: true })
  try {
    const { totalPages } = await db.backup(target)
    process.stdout.write(`Backed up ${source} to ${target} (${totalPages} pages).\n`)
  } finally {
    db.close()
  }
}

main().catch((err) => {
  process.stderr.write(`docklight: backup failed: ${err instanceof Error ? err.message : String(err)}\n`)
  process.exit(1)
})
