/**
 * `dokku logs APP [-n N] [-t] [-p PROC] [-q]` as the docker-local scheduler prints it:
 * `docker logs -t --tail N` per container, prefixed by sed with `ESC[<colour>m<ts> app[proc.n]:ESC[0m`.
 * Log text is generated deterministically from the app, container and line number.
 */
import type { Ctx } from '../context.js'
import { columnize, compareBytes, dockerTimestamp } from '../format.js'
import { hash32, pick, prng } from '../ids.js'
import type { FlagSpec } from '../pflag.js'
import type { AppProfile, ContainerState } from '../state.js'

const COLORS = [36, 33, 32, 35, 31]

const LOGS_FLAGS: FlagSpec[] = [
  { name: 'help', short: 'h', type: 'bool', def: false, usage: 'print help for the command' },
  { name: 'num', short: 'n', type: 'int64', def: 100, usage: 'the number of lines to display' },
  { name: 'ps', short: 'p', type: 'string', def: '', usage: 'only display logs from the given process' },
  { name: 'tail', short: 't', type: 'bool', def: false, usage: 'continually stream logs' },
  { name: 'quiet', short: 'q', type: 'bool', def: false, usage: 'display raw logs without colors, time and names' }
]

const HELP_HEADER = 'Usage: dokku logs[:COMMAND]\n\nManage log integration for an app\n\nAdditional commands:'
const HELP_CONTENT = [
  'logs [-h|--help] [-t|--tail] [-n|--num num] [-q|--quiet] [-p|--ps process] <app>, Display recent log output',
  'logs:failed [--all|<app>], Shows the last failed deploy logs',
  'logs:report [<app>] [<flag>], Displays a logs report for one or more apps',
  'logs:set [--global|<app>] <key> <value>, Set or clear a logs property for an app',
  'logs:vector-logs [--num num] [--tail], Display vector log output',
  'logs:vector-start, Start the vector logging container',
  'logs:vector-stop, Stop the vector logging container',
  ''
]

const PATHS = ['/', '/api/items', '/api/items/42', '/api/orders', '/login', '/health', '/static/app.js', '/api/users/7', '/search?q=dokku']
const METHODS = ['GET', 'GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE']
const STATUSES = [200, 200, 200, 200, 200, 201, 204, 301, 304, 404, 500]
const JOBS = ['send-email', 'resize-image', 'sync-inventory', 'generate-report', 'charge-card']

function clfTime (ms: number): string {
  const d = new Date(ms)
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]
  const p = (n: number) => String(n).padStart(2, '0')
  return `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`
}

function startupLines (app: string, profile: AppProfile, proc: string): string[] {
  const web = proc === 'web'
  switch (profile) {
    case 'node': return web
      ? [`> ${app}@1.0.0 start`, '> node server.js', '', 'Server listening on port 5000']
      : [`> ${app}@1.0.0 ${proc}`, `> node ${proc}.js`, '', 'Worker connected to redis, waiting for jobs']
    case 'python': return web
      ? ['[1] [INFO] Starting gunicorn 23.0.0', '[1] [INFO] Listening at: http://0.0.0.0:5000 (1)', '[1] [INFO] Using worker: sync', '[7] [INFO] Booting worker with pid: 7']
      : ['Running migrations:', '  No migrations to apply.']
    case 'ruby': return web
      ? ['=> Booting Puma', '=> Rails 7.2.2 application starting in production', 'Puma starting in single mode...', '* Listening on http://0.0.0.0:5000', 'Use Ctrl-C to stop']
      : ['INFO: Booted Rails 7.2.2 application in production environment', 'INFO: Running in ruby 3.3.9', 'INFO: Starting processing, hit Ctrl-C to stop']
    case 'go': return ['{"level":"info","msg":"starting","process":"' + proc + '","concurrency":4}']
    default: return ['nginx: ready']
  }
}

function shutdownLines (profile: AppProfile, exitCode: number | undefined): string[] {
  if (exitCode === 0 || exitCode === undefined) return ['Received SIGTERM, shutting down gracefully']
  if (exitCode === 137) return ['Killed']
  switch (profile) {
    case 'node': return ['Error: connect ECONNREFUSED 172.17.0.8:6379', '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1611:16)']
    case 'go': return ['{"level":"fatal","msg":"cannot connect to redis","error":"dial tcp 172.17.0.8:6379: connect: connection refused"}']
    default: return ['fatal error, exiting', `exit status ${exitCode}`]
  }
}

function regularLine (profile: AppProfile, proc: string, seed: string, ms: number): string {
  const r = prng(seed)
  const duration = (1 + r() * 180).toFixed(1)
  const bytes = Math.floor(r() * 9000) + 15
  const method = pick(r, METHODS)
  const path = pick(r, PATHS)
  const status = pick(r, STATUSES)
  const job = 1000 + Math.floor(r() * 9000)
  const ip = `10.0.${Math.floor(r() * 4)}.${2 + Math.floor(r() * 250)}`
  if (proc !== 'web') {
    switch (profile) {
      case 'ruby': return r() < 0.5 ? `INFO: ${pick(r, JOBS)} jid=${job.toString(16)}abc start` : `INFO: ${pick(r, JOBS)} jid=${job.toString(16)}abc done: ${(Number(duration) / 100).toFixed(3)} sec`
      case 'go': return `{"level":"info","ts":"${new Date(ms).toISOString()}","msg":"processed task","task":"${pick(r, JOBS)}","task_id":${job},"duration_ms":${Math.round(Number(duration))}}`
      default: return r() < 0.5 ? `[${proc}] processing job ${job} (${pick(r, JOBS)})` : `[${proc}] job ${job} completed in ${Math.round(Number(duration))}ms`
    }
  }
  switch (profile) {
    case 'python': return `${ip} - - [${clfTime(ms)}] "${method} ${path} HTTP/1.1" ${status} ${bytes} "-" "Mozilla/5.0"`
    case 'ruby': return `[${job.toString(16)}-req] Completed ${status} in ${Math.round(Number(duration))}ms (Views: ${(Number(duration) / 3).toFixed(1)}ms | ActiveRecord: ${(Number(duration) / 5).toFixed(1)}ms)`
    case 'go': return `{"level":"info","ts":"${new Date(ms).toISOString()}","msg":"request","method":"${method}","path":"${path}","status":${status},"duration_ms":${duration}}`
    case 'static': return `${ip} - - [${clfTime(ms)}] "GET ${path} HTTP/1.1" ${status} ${bytes}`
    default: return `${method} ${path} ${status} ${duration} ms - ${bytes}`
  }
}

interface LogLine { ms: number, nanos: number, text: string }

/** The last `num` lines of one container (`num < 0`: everything, capped). */
export function containerTail (app: string, profile: AppProfile, c: ContainerState, num: number, nowMs: number): LogLine[] {
  const start = c.startedAt * 1000
  const end = c.finishedAt !== undefined ? c.finishedAt * 1000 : Math.max(start, nowMs)
  const interval = (c.proc === 'web' ? 7000 : 19000) + (hash32(app) % 3000)
  const head = startupLines(app, profile, c.proc)
  const tail = c.finishedAt !== undefined ? shutdownLines(profile, c.exitCode) : []
  const regular = Math.max(0, Math.floor((end - start - 2000) / interval))
  const total = head.length + regular + tail.length
  const want = num < 0 ? Math.min(total, 10000) : Math.min(total, num)
  const out: LogLine[] = []
  for (let k = total - want; k < total; k++) {
    const nanos = hash32(`${c.cid}:${k}`) % 1000000
    if (k < head.length) {
      out.push({ ms: start + k * 137, nanos, text: head[k]! })
    } else if (k >= head.length + regular) {
      const j = k - head.length - regular
      out.push({ ms: end - (tail.length - j) * 53, nanos, text: tail[j]! })
    } else {
      const r = k - head.length
      const ms = start + 1000 + (r + 1) * interval - (hash32(`${c.cid}/${r}`) % Math.floor(interval / 2))
      out.push({ ms, nanos, text: regularLine(profile, c.proc, `${c.cid}/${r}`, ms) })
    }
  }
  return out
}

function render (line: LogLine, c: ContainerState, color: number, quiet: boolean): string {
  if (quiet) return line.text + '\n'
  return `\x1b[${color}m${dockerTimestamp(line.ms, line.nanos)} app[${c.proc}.${c.index}]:\x1b[0m ${line.text}\n`
}

export async function cmdLogs (ctx: Ctx, args: string[]): Promise<void> {
  const { values, positional } = ctx.pflags('logs', LOGS_FLAGS, args)
  if (values.help === true) {
    ctx.line(HELP_HEADER)
    ctx.line(columnize(HELP_CONTENT.map((l) => l.split(',')), '    '))
    return
  }
  const app = positional[0] ?? ''
  const state = await ctx.store.read()
  const a = ctx.requireApp(state, app)
  if (!a.deployed) ctx.fail(`App ${app} has not been deployed`)
  const num = Number(values.num)
  const proc = String(values.ps)
  const quiet = values.quiet === true
  const containers = [...a.containers]
    .sort((x, y) => compareBytes(`${x.proc}.${x.index}`, `${y.proc}.${y.index}`))
    .filter((c) => proc === '' || c.proc === proc)
  const nowMs = ctx.nowMs()
  containers.forEach((c, i) => {
    for (const l of containerTail(app, a.profile, c, num, nowMs)) ctx.out(render(l, c, COLORS[i % COLORS.length]!, quiet))
  })
  if (values.tail !== true) return

  const live = containers.map((c, i) => ({ c, color: COLORS[i % COLORS.length]! })).filter(({ c }) => c.status === 'running')
  if (live.length === 0) return
  const limit = Number(ctx.env.DOKKU_SIM_FOLLOW_LIMIT ?? '')
  const interval = Math.round(ctx.stepMs * 1000 / 150)
  const rand = prng(`follow:${app}:${nowMs}`)
  for (let n = 0; !(limit > 0 && n >= limit); n++) {
    await ctx.io.sleep(interval)
    if (ctx.io.signal?.aborted) return
    const { c, color } = pick(rand, live)
    const ms = ctx.clockFixed ? nowMs + (n + 1) * Math.max(interval, 1000) : ctx.nowMs()
    const text = regularLine(a.profile, c.proc, `${c.cid}/live/${ms}/${n}`, ms)
    ctx.out(render({ ms, nanos: Math.floor(rand() * 1000000), text }, c, color, quiet))
  }
}
