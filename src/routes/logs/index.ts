import type { FastifyPluginAsync } from 'fastify'
import { Type, type Static } from 'typebox'
import * as apps from '../../services/apps.js'
import { DokkuError, httpStatusFor, InvalidArgumentError } from '../../services/errors.js'
import * as logs from '../../services/logs.js'
import { AppParams } from '../params.js'

/** Messages wait in the socket's buffer up to this; beyond it, lines are counted and skipped. */
const MAX_BUFFERED_BYTES = 1024 * 1024
const PING_MS = 30_000

const LogsQuery = Type.Object({
  lines: Type.Optional(Type.String()),
  process: Type.Optional(Type.String())
})
type LogsQuery = Static<typeof LogsQuery>

// The socket route checks everything itself (in the service), so that a bad value closes the
// socket with a code and a reason the page can show, rather than failing the upgrade with a
// bare HTTP 400.
const WsParams = Type.Object({ app: Type.String() })
type WsParams = Static<typeof WsParams>
const WsQuery = Type.Object({
  lines: Type.Optional(Type.String()),
  process: Type.Optional(Type.String()),
  since: Type.Optional(Type.String())
})
type WsQuery = Static<typeof WsQuery>

/** A close reason is at most 123 bytes of UTF-8. */
function closeReason (text: string): string {
  let reason = text.replace(/\s+/g, ' ').trim()
  while (Buffer.byteLength(reason) > 123) reason = reason.slice(0, -2) + '…'
  return reason
}

const logsRoutes: FastifyPluginAsync = async (app) => {
  // Tails outlive no server: on shutdown each is stopped and its history row closed before the
  // database goes away. Bound: at most tailSlots.limit entries (a tail holds a slot while here).
  const running = new Set<logs.LiveTail>()
  app.addHook('preClose', async () => {
    const tails = [...running]
    for (const tail of tails) tail.stop()
    await Promise.allSettled(tails.map((tail) => tail.done))
  })

  app.get<{ Params: AppParams; Querystring: LogsQuery }>('/apps/:app/logs', {
    schema: { params: AppParams, querystring: LogsQuery }
  }, async (req, reply) => {
    const appName = apps.appName(req.params.app)
    const page = await logs.page(req.dokkuHost, appName, req.query)
    if (Object.keys(page.errors).length > 0) reply.code(422)
    return reply.render('app-logs', { title: `Logs · ${appName}`, appName, ...page })
  })

  app.get<{ Params: WsParams; Querystring: WsQuery }>('/apps/:app/logs/ws', {
    websocket: true,
    schema: { params: WsParams, querystring: WsQuery }
  }, (socket, req) => {
    app.trackSessionSocket(req, socket)
    // Browsers only listen: whatever they send is ignored, never parsed.
    socket.on('message', () => {})
    const send = (message: logs.LogMessage) => {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message))
    }
    const close = (code: number, reason: string) => {
      if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING) socket.close(code, closeReason(reason))
    }
    const refuse = (code: number, message: string) => {
      send({ type: 'error', message, historyId: null })
      close(code, message)
    }

    // dokku's output comes in chunks of many lines, each line one websocket frame: the frames of
    // one chunk leave in one write (corked until the next tick), not one system call each,
    // which was most of the cost of a busy tail. `req.socket` is the connection the socket runs on.
    let corked = false
    const cork = () => {
      if (corked) return
      corked = true
      req.socket.cork()
      process.nextTick(() => {
        corked = false
        req.socket.uncork()
      })
    }

    let dropped = 0
    const onLine = (line: logs.LineMessage) => {
      cork()
      // A browser that cannot keep up loses lines, not the server its memory.
      if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
        dropped++
        return
      }
      if (dropped > 0) {
        send({ type: 'notice', message: `${dropped} line${dropped === 1 ? '' : 's'} skipped: the connection could not keep up.` })
        dropped = 0
      }
      send(line)
    }

    let tail: logs.LiveTail
    try {
      tail = logs.tail(req.dokkuHost, req.params.app, req.query, onLine)
    } catch (err) {
      if (err instanceof logs.TooManyTails) return refuse(4429, err.message)
      return refuse(4400, err instanceof InvalidArgumentError ? err.message : 'Invalid request')
    }
    running.add(tail)
    const ping = setInterval(() => { if (socket.readyState === socket.OPEN) socket.ping() }, PING_MS)
    ping.unref()
    socket.on('close', () => {
      clearInterval(ping)
      tail.stop()
    })

    tail.done.then((end) => {
      send(end)
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
    })
  })
}

export default logsRoutes
