import { hash, randomBytes } from 'node:crypto'

/** Bound: at most this many rendered parts are kept, and at most this many bytes of them. */
export const MEMO_MAX_ENTRIES = 64
export const MEMO_MAX_BYTES = 16 * 1024 * 1024

/** A rendered part of a page, kept while what it shows stays the same. */
export interface MemoPart {
  /** UTF-8, encoded once: sent as it is, never encoded again per request. */
  bytes: Buffer
  /** SHA-1 of the part (base64url): its weak ETag, and its name in a page's marker. */
  hash: string
  /** What a page's template prints in its place; the page's HTML gets the part when it is sent. */
  marker: string
}

/** Bound on one synchronous stretch of a big part's rendering (as PARSE_TURN_MS for parsing). */
export const RENDER_TURN_MS = 2

/**
 * A template's `it.turn()`: nothing while less than RENDER_TURN_MS has gone since the last
 * turn, else a promise that gives the event loop a turn. 300 dashboard rows took 15–50 ms in
 * one go; awaited between rows, no request waits behind them for more than a few ms.
 */
export function renderTurns (turnMs = RENDER_TURN_MS): () => Promise<void> | undefined {
  let started = performance.now()
  return () => {
    if (performance.now() - started < turnMs) return undefined
    return new Promise<void>((resolve) => setImmediate(() => {
      started = performance.now()
      resolve()
    }))
  }
}

export function sha1 (text: string | Buffer): string {
  return hash('sha1', text, 'base64url')
}

/**
 * Rendered parts of pages (the dashboard's 300-row table), keyed by a version of everything the
 * part shows, so that identical data is rendered, encoded and hashed once rather than on every
 * view. A page that holds a part prints its marker; the marker names the part's hash, so the
 * page's ETag is computed over the small page around it and still changes whenever the part
 * does. Markers carry a random nonce of the process: no text from dokku can forge one.
 */
export class RenderMemo {
  private readonly entries = new Map<string, MemoPart>()
  private bytes = 0
  private readonly nonce = randomBytes(12).toString('hex')

  constructor (private readonly maxEntries = MEMO_MAX_ENTRIES, private readonly maxBytes = MEMO_MAX_BYTES) {}

  get size (): number { return this.entries.size }

  /** The part for `key`, rendering it when it is not kept (`keep` false: rendered, never kept). */
  async get (key: string, render: () => string | Promise<string>, keep = true): Promise<MemoPart> {
    return this.getBytes(key, async () => Buffer.from(await render(), 'utf8'), keep)
  }

  /** As `get`, for a rendering that comes encoded already (a whole page, assembled). */
  async getBytes (key: string, render: () => Promise<Buffer>, keep = true): Promise<MemoPart> {
    const hit = keep ? this.entries.get(key) : undefined
    if (hit) {
      this.entries.delete(key)
      this.entries.set(key, hit)
      return hit
    }
    const bytes = await render()
    const hash = sha1(bytes)
    const part: MemoPart = { bytes, hash, marker: `\u0000memo:${this.nonce}:${hash}\u0000` }
    if (!keep) return part
    // Another request may have rendered the same key meanwhile: keep one.
    const raced = this.entries.get(key)
    if (raced) this.bytes -= raced.bytes.length
    this.entries.delete(key)
    this.entries.set(key, part)
    this.bytes += bytes.length
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break
      if (oldest === key) continue
      this.entries.delete(oldest)
      this.bytes -= entry.bytes.length
    }
    return part
  }

  clear (): void {
    this.entries.clear()
    this.bytes = 0
  }
}

/**
 * A page's HTML with each part's marker replaced by the part's bytes. The page may come
 * encoded already (the caller hashed those bytes for its ETag): it is not encoded twice.
 */
export function assemble (html: string | Buffer, parts: readonly MemoPart[]): Buffer {
  const page = typeof html === 'string' ? Buffer.from(html, 'utf8') : html
  const markers = parts.map((p) => ({ part: p, bytes: Buffer.from(p.marker, 'utf8') }))
  const chunks: Buffer[] = []
  let from = 0
  for (;;) {
    let next = -1
    let found: (typeof markers)[number] | undefined
    for (const m of markers) {
      const at = page.indexOf(m.bytes, from)
      if (at !== -1 && (next === -1 || at < next)) { next = at; found = m }
    }
    if (next === -1 || found === undefined) break
    chunks.push(page.subarray(from, next), found.part.bytes)
    from = next + found.bytes.length
  }
  if (chunks.length === 0) return page
  chunks.push(page.subarray(from))
  return Buffer.concat(chunks)
}
