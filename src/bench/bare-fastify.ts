/**
 * The bench's yardstick: a bare Fastify 5 server, started by the bench on the same machine in
 * the same run. Its pages are HTML strings of the same size as the Docklight pages they are
 * compared with (BARE_PAGE_BYTES, BARE_APP_BYTES), so the ratio measures what Docklight does
 * per request, not how many bytes it sends. `/health` answers as /api/health does.
 */
import Fastify from 'fastify'

const page = (bytes: number) => `<!doctype html><html><body>${'x'.repeat(Math.max(0, bytes - 40))}</body></html>`

const dashboard = page(Number(process.env.BARE_PAGE_BYTES ?? 1000))
const appPage = page(Number(process.env.BARE_APP_BYTES ?? 1000))
const app = Fastify({ logger: false })
app.get('/page', async (_req, reply) => reply.type('text/html; charset=utf-8').send(dashboard))
app.get('/app', async (_req, reply) => reply.type('text/html; charset=utf-8').send(appPage))
app.get('/health', async () => ({ status: 'ok' }))
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { void app.close().then(() => process.exit(0)) })
