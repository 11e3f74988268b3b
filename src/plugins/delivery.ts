import compress from '@fastify/compress'
import etag from '@fastify/etag'
import fp from 'fastify-plugin'
import { hash } from 'node:crypto'

/** Smaller answers are sent as they are: compressing them saves less than it costs. */
export const COMPRESS_THRESHOLD_BYTES = 1024

/** What a fragment may do in a browser's cache when it says nothing itself: keep it, but ask first. */
export const FRAGMENT_CACHE_CONTROL = 'private, no-cache'

/**
 * How answers travel, for every route registered after this plugin:
 * - compressed (brotli, else gzip) when the client accepts it and the answer is text over
 *   COMPRESS_THRESHOLD_BYTES (@fastify/compress: brotli at quality 4, not zlib's slow 11).
 *   Event streams are never compressed (that would hold their events back); websockets are not
 *   HTTP answers. A streamed export is compressed as it streams;
 * - a weak ETag on every page and fragment (@fastify/etag): a browser asking again with
 *   If-None-Match gets a 304 and no body, which is what htmx's polling of an unchanged table
 *   costs. Weak, because the compressed and plain bodies share it. A page that holds memoized
 *   parts brings its own ETag (views.ts), so its big parts are not hashed again per request;
 * - caching: a whole page is `no-store` (views.ts: Back after logout shows nothing private), so
 *   its ETag only serves clients that send If-None-Match themselves; HTML that says nothing
 *   (fragments, which htmx polls) gets `private, no-cache`: a browser may keep it but must ask
 *   first, and no shared cache keeps it. Static files bring their own (assets.ts). These are
 *   compressed like the others: the session cookie is SameSite=Strict and cross-site posts are
 *   refused, so no other site can make a victim's browser send the many requests a compression
 *   side channel (BREACH) needs.
 */
export default fp(async (app) => {
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (!reply.hasHeader('cache-control') && String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      reply.header('Cache-Control', FRAGMENT_CACHE_CONTROL)
    }
    done(null, payload)
  })
  // One-shot SHA-1 (crypto.hash): the plugin's default builds a Hash object per answer.
  await app.register(etag, { weak: true, hashFn: (payload: string | Buffer) => hash('sha1', payload, 'base64') })
  // Answers only: request bodies are never decompressed (`globalDecompression: false`). No
  // browser form or webhook sends one compressed, and not inflating what a client sends
  // spares every route two hooks and the server a decompression bomb.
  await app.register(compress, { encodings: ['br', 'gzip'], threshold: COMPRESS_THRESHOLD_BYTES, globalDecompression: false })
}, { name: 'delivery' })
