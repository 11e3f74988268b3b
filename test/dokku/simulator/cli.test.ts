/**
 * The compiled executable (`dist/dokku/simulator/cli.js`), run as a child process exactly like
 * the app runs dokku: an argv array, no shell. Skipped when the build has not been made
 * (`npx tsc -p tsconfig.build.json`).
 */
import { execFile, spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

const here = fileURLToPath(new URL('.', import.meta.url))
const CLI = join(here, '..', '..', '..', 'dist', 'dokku', 'simulator', 'cli.js')

interface Result { code: number | null, signal: NodeJS.Signals | null, stdout: string, stderr: string }

function run (env: Record<string, string>, args: string[], stdin?: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? '', ...env } }, (err, stdout, stderr) => {
      const e = err as (Error & { code?: number | string, signal?: NodeJS.Signals }) | null
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, signal: e?.signal ?? null, stdout, stderr })
    })
    if (stdin !== undefined) child.stdin!.end(stdin)
    else child.stdin!.end()
  })
}

t.test('compiled cli', { skip: existsSync(CLI) ? false : 'dist/dokku/simulator/cli.js not built' }, async (t) => {
  const dir = t.testdir()
  const env = { DOKKU_SIM_STATE: join(dir, 'state.json'), DOKKU_SIM_STEP_MS: '0' }
  t.match(readFileSync(CLI, 'utf8'), /^#!\/usr\/bin\/env node\n/, 'has a shebang')

  t.same(await run(env, ['version']), { code: 0, signal: null, stdout: 'dokku version 0.38.27\n', stderr: '' })
  t.same(await run(env, ['apps:exists', 'nope']), { code: 20, signal: null, stdout: '', stderr: ' !     App nope does not exist\n' })
  t.same(await run(env, ['apps:list', '--quiet']), {
    code: 2, signal: null, stdout: '', stderr: 'Usage of apps:list:\n      --format string   format: [ stdout | json ] (default "stdout")\nunknown flag: --quiet\n'
  })
  const list = await run(env, ['apps:list', '--format', 'json'])
  t.same(JSON.parse(list.stdout), ['go-worker', 'node-js-app', 'python-app', 'ruby-app', 'static-site'])

  const warn = ' !     WARNING: Potentially Destructive Action\n !     This command will destroy app static-site.\n !     To proceed, type "static-site"\n'
  t.same(await run(env, ['apps:destroy', 'static-site']), { code: 1, signal: null, stdout: '> ', stderr: warn + ' !     EOF\n' })
  t.same(await run(env, ['apps:destroy', 'static-site'], 'wrong\n'), { code: 1, signal: null, stdout: '> ', stderr: warn + 'Confirmation did not match test. Aborted.\n' })
  const yes = await run(env, ['apps:destroy', 'static-site'], 'static-site\n')
  t.equal(yes.code, 0)
  t.match(yes.stdout, /^> -----> Destroying static-site/)

  const value = 'spaces and "quotes"\nnew line ✓'
  const set = await run(env, ['config:set', '--encoded', '--no-restart', 'node-js-app', `V=${Buffer.from(value).toString('base64')}`])
  t.equal(set.code, 0)
  t.equal(JSON.parse((await run(env, ['config:export', '--format', 'json', 'node-js-app'])).stdout).V, value)

  const restart = await run(env, ['ps:restart', 'ruby-app'])
  t.equal(restart.code, 0)
  t.match(restart.stdout, /^-----> Deploying web \(count=2\)/)

  const parallel = await Promise.all(Array.from({ length: 12 }, (_, i) => run(env, ['config:set', '--no-restart', 'python-app', `P_${i}=${i}`])))
  t.ok(parallel.every((r) => r.code === 0), 'parallel processes')
  const keys = (await run(env, ['config:keys', 'python-app'])).stdout.split('\n')
  for (let i = 0; i < 12; i++) t.ok(keys.includes(`P_${i}`), `P_${i} kept`)
})

t.test('logs -t until killed', { skip: existsSync(CLI) ? false : 'not built' }, async (t) => {
  const dir = t.testdir()
  const env = { PATH: process.env.PATH ?? '', DOKKU_SIM_STATE: join(dir, 'state.json'), DOKKU_SIM_STEP_MS: '3' }
  const child = spawn(process.execPath, [CLI, 'logs', 'node-js-app', '-t', '-n', '1'], { env, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr.on('data', (d: Buffer) => { err += d.toString() })
  const enough = new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (out.split('\n').length > 8) resolve()
    })
  })
  await enough
  const ended = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on('close', (code, signal) => resolve([code, signal])))
  child.kill('SIGTERM')
  const [, signal] = await ended
  t.equal(signal, 'SIGTERM')
  t.equal(err, '', 'quiet')
  for (const l of out.split('\n').slice(0, 8)) t.match(l, /^\x1b\[\d+m\S+Z app\[[^\]]+\]:\x1b\[0m /)

  // the reader goes away: EPIPE ends the process quietly
  const piped = spawn(process.execPath, [CLI, 'logs', 'node-js-app', '-t', '-n', '1'], { env: { ...env, DOKKU_SIM_STEP_MS: '0' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let perr = ''
  piped.stderr.on('data', (d: Buffer) => { perr += d.toString() })
  await new Promise<void>((resolve) => piped.stdout.once('data', () => resolve()))
  piped.stdout.destroy()
  const [code] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => piped.on('close', (c, s) => resolve([c, s])))
  t.equal(code, 141)
  t.equal(perr, '')
})
