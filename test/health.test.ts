import t from 'tap'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import { cpuPercent, HealthSource, memoryPercent } from '../src/health/server-health.js'
import { build, login } from './helpers/build.js'
import { readFileSync } from 'node:fs'

const proc = fileURLToPath(new URL('./fixtures/proc/', import.meta.url))

t.test('cpu usage from two /proc/stat samples', async (t) => {
  const a = readFileSync(join(proc, 'a', 'stat'), 'utf8')
  const b = readFileSync(join(proc, 'b', 'stat'), 'utf8')
  // 400 busy + 400 idle jiffies between the samples.
  t.equal(cpuPercent(a, b), 50)
  t.equal(cpuPercent(a, a), 0)
  t.equal(cpuPercent('garbage', b), null)
  t.equal(cpuPercent('cpu  1 2 x', b), null)
})

t.test('memory usage from /proc/meminfo, with or without MemAvailable', async (t) => {
  t.equal(memoryPercent(readFileSync(join(proc, 'a', 'meminfo'), 'utf8')), 75)
  t.equal(memoryPercent('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 100 kB\nCached: 300 kB\n'), 50)
  t.equal(memoryPercent('nothing useful'), null)
})

t.test('a health source on a fixture /proc and a real disk', async (t) => {
  const source = new HealthSource({ procRoot: join(proc, 'a'), diskPath: proc, sampleMs: 1 })
  const h = await source.read()
  t.equal(h.cpu, 0)
  t.equal(h.memory, 75)
  t.ok(h.disk !== null && h.disk >= 0 && h.disk <= 100)
  t.equal(await source.read(), h, 'cached reading reused')
  const missing = await new HealthSource({ procRoot: join(proc, 'none'), diskPath: join(proc, 'none'), sampleMs: 1 }).read()
  t.same(missing, { cpu: null, memory: null, disk: null })
})

t.test('health endpoints', async (t) => {
  const { app } = await build(t)
  const open = await app.inject('/api/health')
  t.equal(open.statusCode, 200)
  t.same(open.json(), { status: 'ok' })
  const cookie = await login(app)
  const res = await app.inject({ url: '/api/server/health', headers: { cookie } })
  t.equal(res.statusCode, 200)
  const body = res.json()
  for (const k of ['cpu', 'memory', 'disk']) {
    t.ok(typeof body[k] === 'number' && body[k] >= 0 && body[k] <= 100, `${k} is a percentage`)
  }
  const frag = await app.inject({ url: '/server-health', headers: { cookie, 'hx-request': 'true' } })
  t.match(frag.body, /id="server-health"/)
  t.notMatch(frag.body, /<html/)
})

t.test('later readings measure CPU since the previous one, without sampling again', async (t) => {
  const { copyFileSync } = await import('node:fs')
  const dir = t.testdir({})
  copyFileSync(join(proc, 'a', 'stat'), join(dir, 'stat'))
  copyFileSync(join(proc, 'a', 'meminfo'), join(dir, 'meminfo'))
  const source = new HealthSource({ procRoot: dir, diskPath: dir, sampleMs: 1, cacheMs: 0 })
  t.equal((await source.read()).cpu, 0)
  await new Promise((resolve) => setTimeout(resolve, 5))
  copyFileSync(join(proc, 'b', 'stat'), join(dir, 'stat'))
  t.equal((await source.read()).cpu, 50, 'from the kept sample to now')
})

t.test('a background sample keeps the next reading from waiting for a second one', async (t) => {
  const { copyFileSync } = await import('node:fs')
  const dir = t.testdir({})
  copyFileSync(join(proc, 'a', 'stat'), join(dir, 'stat'))
  copyFileSync(join(proc, 'a', 'meminfo'), join(dir, 'meminfo'))
  const source = new HealthSource({ procRoot: dir, diskPath: dir, sampleMs: 1, cacheMs: 0, keepWarmMs: 2 })
  t.teardown(() => source.close())
  t.equal((await source.read()).cpu, 0)
  copyFileSync(join(proc, 'b', 'stat'), join(dir, 'stat'))
  // Once the background has read the new /proc/stat, a reading measures from that sample (no
  // change since: 0 %), not from the first reading's (50 %).
  let cpu: number | null = 50
  for (let i = 0; i < 200 && cpu !== 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 5))
    cpu = (await source.read()).cpu
  }
  t.equal(cpu, 0, 'measured since the background sample')
  source.close()
  source.close()
  t.equal((await source.read()).memory, 75, 'still read once closed, without the background')
})
