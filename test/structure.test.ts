/**
 * The layering DESIGN.md fixes, checked on the source: routes parse, call a service and render.
 * No file under src/routes imports the dokku layer, builds a cache key or calls dokku itself.
 */
import t from 'tap'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const ROUTES = join(ROOT, 'src', 'routes')
const DOKKU = join(ROOT, 'src', 'dokku')

function files (dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : []
  })
}

/** Every module a file imports or re-exports, statically or dynamically, resolved to a path. */
function imports (file: string): string[] {
  const text = readFileSync(file, 'utf8')
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!)
  return specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s))
}

/** What only a service may do: a cache key, a cache invalidation, a dokku call. */
const SERVICE_ONLY: Array<[RegExp, string]> = [
  [/\.cache\.(get|invalidateApp|clear)\s*\(/, 'uses the read cache'],
  [/\breadCache\b/, 'uses the read cache'],
  [/\.dokku\.[a-zA-Z]+\s*\(/, 'calls dokku'],
  [/\.runner\.run\s*\(/, 'runs a command']
]

t.test('no route imports the dokku layer', async (t) => {
  const found = files(ROUTES).flatMap((file) =>
    imports(file).filter((target) => target === DOKKU || target.startsWith(DOKKU + '/')).map((target) => `${relative(ROOT, file)} imports ${relative(ROOT, target)}`))
  t.same(found, [])
})

t.test('no route builds a cache key or runs dokku itself', async (t) => {
  const found: string[] = []
  for (const file of files(ROUTES)) {
    const lines = readFileSync(file, 'utf8').split('\n')
    lines.forEach((line, i) => {
      for (const [pattern, what] of SERVICE_ONLY) if (pattern.test(line)) found.push(`${relative(ROOT, file)}:${i + 1} ${what}`)
    })
  }
  t.same(found, [])
})

t.test('the check can fail: it sees a route that reaches into the dokku layer', async (t) => {
  const dir = t.testdir({ 'bad.ts': "import { validateAppName } from '../../src/dokku/validate.js'\nawait host.cache.get('k', 'all', load)\n" })
  const bad = join(dir, 'bad.ts')
  t.ok(imports(bad).some((p) => p.endsWith(join('src', 'dokku', 'validate.js'))))
  t.ok(SERVICE_ONLY.some(([pattern]) => pattern.test(readFileSync(bad, 'utf8'))))
})
