import { createHash } from 'node:crypto'

/** Deterministic hex string of `length` characters derived from `seed` (container IDs, passwords, shas). */
export function hexId (seed: string, length = 64): string {
  let out = ''
  let round = 0
  while (out.length < length) {
    out += createHash('sha256').update(`${seed}#${round++}`).digest('hex')
  }
  return out.slice(0, length)
}

/** FNV-1a 32-bit hash. */
export function hash32 (s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}

/** A small seeded PRNG (mulberry32) returning floats in [0, 1). */
export function prng (seed: string): () => number {
  let a = hash32(seed)
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Picks one element deterministically. */
export function pick<T> (rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length) % items.length]!
}
