/**
 * One execution lane: at most `concurrency` runs at once, and a bounded queue behind them in
 * which a run waits at most `queueTimeoutMs`. Reads and jobs each get their own lane, so a page
 * never waits behind a rebuild.
 */
export interface LaneOptions {
  concurrency: number
  /** How long a run may wait for a slot before it is refused. */
  queueTimeoutMs: number
  /** How many runs may wait at once; one more is refused at once. */
  maxQueued: number
}

export class LaneRefusedError extends Error {
  constructor (readonly reason: 'queue-timeout' | 'queue-full' | 'cancelled', message: string) {
    super(message)
    this.name = 'LaneRefusedError'
  }
}

interface Waiter {
  grant: () => void
  refuse: (error: LaneRefusedError) => void
}

export class Lane {
  private active = 0
  private readonly waiting: Waiter[] = []

  constructor (readonly name: string, readonly options: LaneOptions) {}

  get running (): number { return this.active }
  get queued (): number { return this.waiting.length }

  /** A slot now, or null when the lane is full. */
  tryAcquire (): (() => void) | null {
    if (this.active >= this.options.concurrency) return null
    this.active++
    return this.releaser()
  }

  /** Resolves with a release function once a slot is free; rejects with LaneRefusedError. */
  acquire (signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new LaneRefusedError('cancelled', 'cancelled while queued'))
    if (this.active < this.options.concurrency) {
      this.active++
      return Promise.resolve(this.releaser())
    }
    if (this.waiting.length >= this.options.maxQueued) {
      return Promise.reject(new LaneRefusedError('queue-full',
        `too many commands are waiting in the ${this.name} lane (${this.waiting.length}); try again shortly`))
    }
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        const i = this.waiting.indexOf(waiter)
        if (i !== -1) this.waiting.splice(i, 1)
      }
      const waiter: Waiter = {
        grant: () => { done(); this.active++; resolve(this.releaser()) },
        refuse: (error) => { done(); reject(error) }
      }
      const seconds = Math.round(this.options.queueTimeoutMs / 1000)
      const timer = setTimeout(() => waiter.refuse(new LaneRefusedError('queue-timeout',
        `waited ${seconds < 1 ? `${this.options.queueTimeoutMs} ms` : `${seconds} s`} for a free slot in the ${this.name} lane`)),
      this.options.queueTimeoutMs)
      timer.unref()
      const onAbort = () => waiter.refuse(new LaneRefusedError('cancelled', 'cancelled while queued'))
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiting.push(waiter)
    })
  }

  private releaser (): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      this.active--
      this.waiting[0]?.grant()
    }
  }
}
