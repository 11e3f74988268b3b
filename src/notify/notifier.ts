import type { SecretBox } from '../crypto/secret-box.js'
import { isSnoozed, SEVERITY_RANK, type Finding, type FindingChange, type FindingRepository, type Severity } from '../db/findings.js'
import type { Channel, Delivery, DeliveryEvent, NotificationRepository } from '../db/notifications.js'
import { payloadFor, summaryOf, testFinding, type Payload } from './payloads.js'
import { requestTarget, scrubUrl } from './urls.js'

/**
 * Sends the watchdog's changes to the notification channels: one message per change (a finding
 * opened, got worse, or resolved), never one per check. Each delivery is a row first, then an
 * HTTP request, retried with backoff on a network error, a 5xx or a 429; every attempt's outcome
 * is recorded on the row. Deliveries still pending when Docklight stopped are resumed.
 */

export interface NotifierOptions {
  /** Waits before the 2nd, 3rd, … attempt. */
  retryDelaysMs?: readonly number[]
  /** Per attempt. */
  timeoutMs?: number
  now?: () => Date
  /** Where a finding's page is (DOCKLIGHT_PUBLIC_URL); null: messages carry no link. */
  publicUrl?: string | null
  fetch?: typeof fetch
  onError?: (err: unknown) => void
}

export const DEFAULT_RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000]
/** Bound: deliveries waiting for an attempt (in memory, as timers); beyond it they fail at once. */
export const MAX_PENDING = 200
const MAX_PAYLOAD = 8 * 1024

export interface ChangeOutcome {
  deliveries: Delivery[]
}

/** Whether a channel takes a finding: its severity floor and its app list (host-wide findings always pass). */
export function channelTakes (channel: Channel, finding: Finding, severity: Severity): boolean {
  if (!channel.enabled) return false
  if (SEVERITY_RANK[severity] < SEVERITY_RANK[channel.minSeverity]) return false
  return finding.app === null || channel.apps === null || channel.apps.includes(finding.app)
}

export class Notifier {
  private readonly timers = new Map<number, NodeJS.Timeout>()
  private readonly sending = new Map<number, Promise<void>>()
  private readonly abort = new AbortController()
  private stopped = false
  private readonly delays: readonly number[]
  private readonly now: () => Date
  private readonly fetchImpl: typeof fetch

  constructor (
    private readonly repo: NotificationRepository,
    private readonly findings: FindingRepository,
    private readonly box: SecretBox,
    private readonly options: NotifierOptions = {}
  ) {
    this.delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS
    this.now = options.now ?? (() => new Date())
    this.fetchImpl = options.fetch ?? fetch
  }

  /** Resumes deliveries left pending by the previous process. */
  start (): void {
    for (const d of this.repo.pending()) this.schedule(d, 0)
  }

  async stop (): Promise<void> {
    this.stopped = true
    for (const t of this.timers.values()) clearTimeout(t)
    this.timers.clear()
    this.abort.abort()
    await Promise.allSettled([...this.sending.values()])
  }

  /** Waits until nothing is being sent or waiting for a retry (tests). */
  async idle (): Promise<void> {
    while (this.sending.size > 0 || this.timers.size > 0) {
      await Promise.allSettled([...this.sending.values()])
      if (this.sending.size === 0 && this.timers.size > 0) await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }

  /**
   * Queues one message per channel that takes each change. Opened and worsened findings are
   * sent unless snoozed; a resolution goes to the channels that were told of the finding.
   */
  changed (changes: readonly FindingChange[]): Delivery[] {
    const channels = this.repo.channels()
    const out: Delivery[] = []
    const now = this.now()
    for (const change of changes) {
      const f = change.finding
      let event: DeliveryEvent
      let severity: Severity
      if (change.type === 'opened' || change.type === 'worsened') {
        if (isSnoozed(f, now)) continue
        event = change.type
        severity = f.severity
      } else if (change.type === 'resolved') {
        if (f.notifiedSeverity === null) continue
        event = 'resolved'
        severity = f.notifiedSeverity
      } else {
        continue // better, still open: not worth a message
      }
      for (const channel of channels) {
        if (!channelTakes(channel, f, severity)) continue
        out.push(this.enqueue(channel, f, event))
      }
      if (event !== 'resolved') {
        const prior = f.notifiedSeverity
        if (prior === null || SEVERITY_RANK[f.severity] > SEVERITY_RANK[prior]) this.findings.markNotified(f.id, f.severity)
      }
    }
    return out
  }

  /** "Send test": one message to one channel, now (retried like any other). */
  test (channel: Channel, host: string): Delivery {
    return this.enqueue(channel, testFinding(host, this.now()), 'test')
  }

  private link (f: Finding): string | null {
    const base = this.options.publicUrl
    return base && f.id > 0 ? `${base}/alerts/${f.id}` : null
  }

  private enqueue (channel: Channel, finding: Finding, event: DeliveryEvent): Delivery {
    const message = { event, finding, link: this.link(finding) }
    const payload = payloadFor(channel.kind, message)
    const delivery = this.repo.addDelivery({
      channelId: channel.id,
      findingId: finding.id > 0 ? finding.id : null,
      event,
      summary: summaryOf(message),
      payload: JSON.stringify(payload).slice(0, MAX_PAYLOAD)
    })
    this.schedule(delivery, 0)
    return delivery
  }

  private schedule (delivery: Delivery, delayMs: number): void {
    if (this.stopped) return
    if (this.timers.size + this.sending.size >= MAX_PENDING) {
      this.repo.recordAttempt(delivery.id, { status: 'failed', attempts: delivery.attempts, httpStatus: null, error: 'dropped: too many deliveries waiting' })
      return
    }
    const timer = setTimeout(() => {
      this.timers.delete(delivery.id)
      const run = this.attempt(delivery.id).catch((err: unknown) => this.options.onError?.(err)).finally(() => this.sending.delete(delivery.id))
      this.sending.set(delivery.id, run)
    }, delayMs)
    timer.unref()
    this.timers.set(delivery.id, timer)
  }

  private async attempt (id: number): Promise<void> {
    const delivery = this.repo.delivery(id)
    if (!delivery || delivery.status !== 'pending') return
    const channel = this.repo.channel(delivery.channelId)
    const attempts = delivery.attempts + 1
    if (!channel) return // deleted meanwhile: its deliveries went with it
    const url = this.box.open(channel.sealedUrl)
    if (url === null) {
      this.repo.recordAttempt(id, { status: 'failed', attempts, httpStatus: null, error: 'the channel\'s URL cannot be opened: the session secret changed since it was added; add the channel again' })
      return
    }
    let payload: Payload
    try {
      payload = JSON.parse(delivery.payload) as Payload
    } catch {
      this.repo.recordAttempt(id, { status: 'failed', attempts, httpStatus: null, error: 'the stored message is damaged' })
      return
    }
    let status: number | null = null
    let error: string | null = null
    try {
      const target = requestTarget(url)
      const headers: Record<string, string> = { 'user-agent': 'Docklight', ...payload.headers }
      if (target.authorization) headers.authorization = target.authorization
      const res = await this.fetchImpl(target.url, {
        method: 'POST',
        headers,
        body: payload.body,
        redirect: 'error',
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.options.timeoutMs ?? 10_000)])
      })
      status = res.status
      await res.arrayBuffer().catch(() => undefined)
      if (res.ok) {
        this.repo.recordAttempt(id, { status: 'sent', attempts, httpStatus: status, error: null })
        return
      }
      error = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`
    } catch (err) {
      if (this.stopped) return // shutting down: it stays pending and resumes at the next start
      // fetch says only "fetch failed"; its cause says why (ECONNREFUSED, a timeout, a bad port).
      const cause = (err as { cause?: { code?: string; message?: string } }).cause
      const why = cause?.code ? `${cause.code}${cause.message ? `: ${cause.message}` : ''}` : cause?.message ?? (err instanceof Error ? err.message : String(err))
      error = scrubUrl(why, url)
    }
    // A 4xx other than 408/429 will not get better by asking again.
    const retryable = status === null || status >= 500 || status === 408 || status === 429
    const delay = this.delays[attempts - 1]
    if (retryable && delay !== undefined && !this.stopped) {
      this.repo.recordAttempt(id, { status: 'pending', attempts, httpStatus: status, error })
      this.schedule({ ...delivery, attempts }, delay)
      return
    }
    this.repo.recordAttempt(id, { status: 'failed', attempts, httpStatus: status, error })
  }
}
