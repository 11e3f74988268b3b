import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'dokku')

/** A captured dokku output from test/fixtures/dokku (copied from ../shared/dokku-reference). */
export function fixture (path: string): string {
  return readFileSync(join(root, path), 'utf8')
}
