import { AsyncLocalStorage } from 'node:async_hooks'
import type { RunOrigin } from './db/history.js'

/**
 * Who a dokku run is for, carried through async calls, so that a history row records where
 * it came from (page, job, webhook, API, watchdog) without every call passing it along. A
 * request sets it once; a job's body and the watchdog's loop set their own.
 */
const storage = new AsyncLocalStorage<{ origin: RunOrigin }>()

export function withOrigin<T> (origin: RunOrigin, fn: () => T): T {
  return storage.run({ origin }, fn)
}

export function currentOrigin (): RunOrigin {
  return storage.getStore()?.origin ?? 'page'
}
