/**
 * Build records as dokku 0.38+ keeps them (deploys.md §2.1): ids of 8 base36 characters of UNIX
 * milliseconds plus 6 random ones, on-disk statuses `running|succeeded|failed|canceled`, a
 * display status that adds `abandoned` (running, its PID gone), retention by count. The log of
 * each record is a file next to the state file, appended to as the deploy prints.
 */
import { randomBytes } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { Ctx } from './context.js'
import type { AppState, BuildRecordState, SimState } from './state.js'

/** The sources whose records are `build`s; every other one is a `deploy` (§2.1). */
const BUILD_SOURCES = new Set(['git-hook', 'ps:rebuild', 'git:sync', 'git:from-archive', 'git:from-image', 'git:load-image'])
export const DEFAULT_RETENTION = 20

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz'

/** `GenerateBuildID`: the first 8 characters sort by start time. */
export function newBuildId (nowMs: number): string {
  const time = Math.floor(nowMs).toString(36).padStart(8, '0').slice(-8)
  const random = [...randomBytes(6)].map((b) => BASE36[b % 36]).join('')
  return time + random
}

export function buildKind (source: string): 'build' | 'deploy' {
  return BUILD_SOURCES.has(source) ? 'build' : 'deploy'
}

/** The capture starts: a running record of this process (0.38+ only; null before). */
export function startBuild (ctx: Ctx, a: AppState, source: string): BuildRecordState | null {
  if (!ctx.atLeast('0.38.0')) return null
  const record: BuildRecordState = { id: newBuildId(ctx.nowMs()), kind: buildKind(source), pid: ctx.pid, startedAt: ctx.nowMs(), status: 'running', source }
  a.builds = [...(a.builds ?? []), record]
  return record
}

/** `builds-record-finalize`: the outcome, then a prune of the app's records. */
export function finalizeBuild (ctx: Ctx, s: SimState, app: string, id: string, status: 'succeeded' | 'failed' | 'canceled', exitCode: number): void {
  const a = s.apps[app]
  const record = a?.builds?.find((b) => b.id === id)
  if (!a || !record) return
  record.status = status
  record.exitCode = exitCode
  record.finishedAt = ctx.nowMs()
  pruneBuilds(ctx, s, app)
}

/** `running` on disk with a dead PID shows as `abandoned`. */
export function displayStatus (ctx: Ctx, b: BuildRecordState): string {
  return b.status === 'running' && !ctx.processAlive(b.pid) ? 'abandoned' : b.status
}

/** The retention by count (app → global → 20); the simulator has no builds:set, so always 20. */
export function retention (): number {
  return DEFAULT_RETENTION
}

/** Reaps abandoned records (failed, -1) and drops finalized ones beyond the retention; live ones stay. */
export function pruneBuilds (ctx: Ctx, s: SimState, app: string): void {
  const a = s.apps[app]
  if (!a?.builds) return
  for (const b of a.builds) {
    if (displayStatus(ctx, b) === 'abandoned') {
      b.status = 'failed'
      b.exitCode = -1
      b.finishedAt = ctx.nowMs()
    }
  }
  const keep = retention()
  const finished = a.builds.filter((b) => b.status !== 'running').sort((x, y) => y.startedAt - x.startedAt).slice(0, keep)
  const kept = new Set(finished.map((b) => b.id))
  a.builds = a.builds.filter((b) => b.status === 'running' || kept.has(b.id))
}

/** Go's `time.Duration` string rounded to seconds: `0s`, `45s`, `1m14s`, `2h3m4s`. */
export function goDuration (ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000))
  const h = Math.floor(total / 3600)
  const m = Math.floor((total % 3600) / 60)
  const sec = total % 60
  if (h > 0) return `${h}h${m}m${sec}s`
  if (m > 0) return `${m}m${sec}s`
  return `${sec}s`
}

/** RFC3339Nano as Go writes it (UTC, trailing zeros of the fraction trimmed). */
export function rfc3339Nano (ms: number): string {
  const iso = new Date(ms).toISOString()
  const [head, frac] = iso.slice(0, -1).split('.')
  const trimmed = (frac ?? '').replace(/0+$/, '')
  return `${head}${trimmed === '' ? '' : '.' + trimmed}Z`
}

/** RFC3339 without a fraction, as the text tables show times. */
export function rfc3339 (ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z')
}

/** Where dokku keeps the log: `/var/lib/dokku/data/builds/<app>/<id>.log`. */
export function dokkuLogPath (app: string, id: string): string {
  return `/var/lib/dokku/data/builds/${app}/${id}.log`
}

/** Where the simulator keeps it: next to its state file. */
export function simLogPath (ctx: Ctx, app: string, id: string): string {
  return join(dirname(ctx.store.path), `${basename(ctx.store.path)}.builds`, app, `${id}.log`)
}

/** Bound: a simulated build log stops growing past this (a real one is capped by the disk). */
const MAX_LOG_BYTES = 512 * 1024

/** The capture's `tee`: appends what the deploy prints to its log. */
export function logAppender (ctx: Ctx, app: string, id: string): (text: string) => void {
  const path = simLogPath(ctx, app, id)
  mkdirSync(dirname(path), { recursive: true })
  appendFileSync(path, '')
  let written = 0
  return (text) => {
    if (written > MAX_LOG_BYTES) return
    written += Buffer.byteLength(text)
    appendFileSync(path, text)
  }
}

/** The record's log: the file, or (seeded records) what journald would give, or null. */
export function readLog (ctx: Ctx, app: string, b: BuildRecordState): string | null {
  const path = simLogPath(ctx, app, b.id)
  if (existsSync(path)) return readFileSync(path, 'utf8')
  return b.log ?? null
}

/** The JSON object `builds:list`/`builds:info` print for one record (declaration order, then the extras). */
export function recordJson (ctx: Ctx, app: string, b: BuildRecordState): Array<[string, string | number]> {
  const fields: Array<[string, string | number]> = [['id', b.id], ['app', app], ['kind', b.kind], ['pid', b.pid], ['started_at', rfc3339Nano(b.startedAt)]]
  if (b.finishedAt !== undefined) fields.push(['finished_at', rfc3339Nano(b.finishedAt)])
  fields.push(['status', b.status], ['source', b.source])
  if (b.exitCode !== undefined) fields.push(['exit_code', b.exitCode])
  const display = displayStatus(ctx, b)
  const end = display === 'running' || display === 'abandoned' || b.finishedAt === undefined ? ctx.nowMs() : b.finishedAt
  fields.push(['display_status', display], ['duration', goDuration(end - b.startedAt)], ['log_path', dokkuLogPath(app, b.id)])
  return fields
}
