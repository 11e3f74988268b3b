import type { FastifyPluginAsync } from 'fastify'
import { Type, type Static } from 'typebox'
import type { LogTail } from '../../dokku/client.js'
import { DokkuError, httpStatusFor, InvalidArgumentError } from '../../dokku/errors.js'
import type { LogLine } from '../../dokku/parsers/logs.js'
import { validateLogLines, validateProcessType } from '../../dokku/validate.js'
import { AppParams, appParam } from '../apps/params.js'
import { formatLogLine, laterThan, normalizeTimestamp, processColour, validateSince } from './lines.js'
import { tailSlots } from './slots.js'
import { displayState, loadPsReport } from '../apps/model.js'

export { tailSlots } from './slots.js'

const DEFAULT_LINES = 100
/** Lines per container the tail asks for again, to fill the gap since the page (or a lost connection). */
const TAIL_BACKFILL = 100
/** Messages wait in the socket's buffer up to this; beyond it, lines are counted and skipped. */
const MAX_BUFFERED_BYTES = 1024 * 1024
const PING_MS = 30_000

const LogsQuery = Type.Object({
  lines: Type.Optional(Type.String()),
  process: Type.Optional(Type.String())
})
type LogsQuery = Static<typeof LogsQuery>

// The socket route checks everything itself, so that a bad value closes the socket with a code
// and a reason the page can show, rather than failing the upgrade with a bare HTTP 400.
const WsParams = Type.Object({ app: Type.String() })
type WsParams = Static<typeof WsParams>
const WsQuery = Type.Object({
  lines: Type.Optional(Type.String()),
  process: Type.Optional(Type.String()),
  since: Type.Optional(Type.String())
})
type WsQuery = Static<typeof WsQuery>

export type LogMessage =
  | { type: 'line'; text: string; timestamp: string | null; process: string | null; message: string; colour: number }
  | { type: 'notice'; message: string }
  | { type: 'end'; reason: 'stopped' | 'ended' | 'timeout'; message: string }
  | { type: 'error'; message: string; historyId: number | null }

const END_MESSAGES = {
  ended: 'dokku stopped sending logs: no running container matches.',
  timeout: 'The log stream reached its time limit.',
  stopped: 'The log stream was stopped.'
} as const

/**
 * dokku prints each container's lines as a block (and, without -t, the blocks interleave at
 * random): shown in time order, like one log. Lines without a timestamp (`-q`, a log driver's
 * error) leave the order as dokku gave it.
 */
function inTimeOrder (lines: LogLine[]): LogLine[] {
  const keyed = lines.map((line) => ({ line, ts: line.timestamp === null ? null : normalizeTimestamp(line.timestamp) }))
  if (keyed.some((k) => k.ts === null)) return lines
  return keyed.sort((a, b) => (a.ts! < b.ts! ? -1 : a.ts! > b.ts! ? 1 : 0)).map((k) => k.line)
}

/** A close reason is at most 123 bytes of UTF-8. */
function closeReason (text: string): string {
  let reason = text.replace(/\s+/g, ' ').trim()
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -2) + '…'
  return reason
}

const logsRoutes: FastifyPluginAsync = async (app) => {
  // Tails outlive no server: on shutdown each is stopped and its history row closed before the
  // database goes away.
  const running = new Set<LogTail>()
  app.addHook('preClose', async () => {
    const tails = [...running]
    for (const tail of tails) tail.stop()
    await Promise.allSettled(tails.map((tail) => tail.done))
  })

  app.get<{ Params: AppParams; Querystring: LogsQuery }>('/apps/:app/logs', {
    schema: { params: AppParams, querystring: LogsQuery }
  }, async (req, reply) => {
    const appName = appParam(req.params)
    const form = { lines: req.query.lines ?? String(DEFAULT_LINES), process: req.query.process?.trim() ?? '' }
    const errors: Record<string, string> = {}
    let lines = DEFAULT_LINES
    let proc: string | undefined
    try {
      lines = validateLogLines(form.lines, 'lines')
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err
      errors.lines = err.message
    }
    try {
      proc = form.process === '' ? undefined : validateProcessType(form.process, 'process')
    } catch (err) {
      if (!(err instanceof InvalidArgumentError)) throw err
      errors.process = err.message
    }

    // A refused filter runs nothing. The process list only feeds the nav badge and the filter's
    // suggestions: its failure is not the page's.
    const valid = Object.keys(errors).length === 0
    const ps = valid
      ? loadPsReport(app, appName).catch(() => null)
      : Promise.resolve(null)
    let logLines: LogLine[] = []
    let notice: { message: string; historyId: number | null } | null = null
    if (valid) {
      try {
        logLines = inTimeOrder(await app.dokku.logs(appName, { lines, process: proc }))
      } catch (err) {
        if (!(err instanceof DokkuError && err.kind === 'not-deployed')) throw err
        notice = { message: err.message, historyId: err.historyId }
      }
    }
    const report = await ps
    const processTypes = [...new Set((report?.processes ?? []).map((p) => p.type))]

    let since: string | null = null
    for (const line of logLines) {
      const ts = line.timestamp === null ? null : normalizeTimestamp(line.timestamp)
      if (ts !== null && (since === null || ts > since)) since = ts
    }
    if (!valid) reply.code(422)
    return reply.render('app-logs', {
      title: `Logs · ${appName}`,
      appName,
      appState: report ? displayState(report) : null,
      form,
      errors,
      processTypes,
      lines: logLines.map((l) => ({ ...formatLogLine(l), colour: processColour(l.process) })),
      notice,
      live: valid && notice === null,
      stream: { process: proc ?? '', since, lines: since === null ? lines : TAIL_BACKFILL }
    })
  })

  app.get<{ Params: WsParams; Querystring: WsQuery }>('/apps/:app/logs/ws', {
    websocket: true,
    schema: { params: WsParams, querystring: WsQuery }
  }, (socket, req) => {
    app.trackSessionSocket(req, socket)
    // Browsers only listen: whatever they send is ignored, never parsed.
    socket.on('message', () => {})
    const send = (message: LogMessage) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message))
    }
    const close = (code: number, reason: string) => {
      if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, closeReason(reason))
    }

    let appName: string
    let lines: number
    let proc: string | undefined
    let since: string | null
    try {
      appName = appParam(req.params)
      lines = validateLogLines(req.query.lines ?? String(TAIL_BACKFILL), 'lines')
      proc = req.query.process === undefined || req.query.process === '' ? undefined : validateProcessType(req.query.process, 'process')
      since = req.query.since === undefined || req.query.since === '' ? null : validateSince(req.query.since)
    } catch (err) {
      const message = err instanceof InvalidArgumentError ? err.message : 'Invalid request'
      send({ type: 'error', message, historyId: null })
      close(4400, message)
      return
    }

    if (!tailSlots.acquire()) {
      const message = `Too many live log streams are open (${tailSlots.limit}). Close a log tab and reconnect.`
      send({ type: 'error', message, historyId: null })
      close(4429, message)
      return
    }

    let dropped = 0
    const onLine = (line: LogLine) => {
      if (since !== null && line.timestamp !== null && !laterThan(line.timestamp, since)) return
      // A browser that cannot keep up loses lines, not the server its memory.
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        dropped++
        return
      }
      if (dropped > 0) {
        send({ type: 'notice', message: `${dropped} line${dropped === 1 ? '' : 's'} skipped: the connection could not keep up.` })
        dropped = 0
      }
      const f = formatLogLine(line)
      send({ type: 'line', text: f.text, timestamp: f.timestamp, process: f.process, message: f.message, colour: processColour(line.process) })
    }

    let tail: LogTail
    try {
      tail = app.dokku.tailLogs(appName, { lines, process: proc, onLine })
      running.add(tail)
    } catch (err) {
      tailSlots.release()
      const message = err instanceof InvalidArgumentError ? err.message : 'Invalid request'
      send({ type: 'error', message, historyId: null })
      close(4400, message)
      return
    }
    const stop = tail.stop
    const ping = setInterval(() => { if (socket.readyState === socket.OPEN) socket.ping() }, PING_MS)
    ping.unref()
    socket.on('close', () => {
      clearInterval(ping)
      stop()
    })

    tail.done.then((end) => {
      send({ type: 'end', reason: end.reason, message: END_MESSAGES[end.reason] })
      close(1000, end.reason)
    }, (err: unknown) => {
      if (err instanceof DokkuError || err instanceof InvalidArgumentError) {
        const historyId = err instanceof DokkuError ? err.historyId : null
        send({ type: 'error', message: err.message, historyId })
        close(4000 + httpStatusFor(err), err.message)
        return
      }
      req.log.error({ err }, 'log tail failed')
      send({ type: 'error', message: 'The log stream failed. The details are in the server log.', historyId: null })
      close(1011, 'log stream failed')
    }).finally(() => {
      clearInterval(ping)
      running.delete(tail)
      tailSlots.release()
    })
  })
}

export default logsRoutes
