import type { RunStatus } from '../db/history.js'

export type HostState = 'unknown' | 'reachable' | 'unreachable'

export interface HostHealthView {
  state: HostState
  /** dokku's or ssh's own words for the last failure to reach it; null while reachable. */
  message: string | null
  /** When the state last changed (ISO time). */
  since: string | null
}

/** What the runner tells a host about each finished run. */
export interface RunReport {
  status: RunStatus
  exitCode: number | null
  error: string | null
  stderr: string
}

/** The last few lines of stderr, without dokku's message prefix: ssh's reason for failing. */
function lastLines (text: string): string {
  return text.split(/\r?\n/).map((l) => l.replace(/^ !\s+/, '').trim()).filter((l) => l !== '').slice(-2).join(' ')
}

/**
 * Whether a host answers: any run where dokku itself answered (success or a dokku failure)
 * makes it reachable; a program that would not start, ssh failing (exit 255) or a timeout makes
 * it unreachable, with the message that says why.
 */
export class HostHealth {
  private current: HostHealthView = { state: 'unknown', message: null, since: null }

  constructor (private readonly now: () => Date = () => new Date()) {}

  get view (): HostHealthView { return { ...this.current } }

  record (run: RunReport): void {
    if (run.status === 'cancelled' || run.status === 'queued' || run.status === 'running' || run.status === 'interrupted') return
    if (run.status === 'error' || run.status === 'timeout' || run.exitCode === 255) {
      const why = run.exitCode === 255 ? lastLines(run.stderr) || run.error : run.error
      this.set('unreachable', why ?? 'no answer')
      return
    }
    this.set('reachable', null)
  }

  /** A failure seen outside a run (a page's own timeout on a hung host). */
  markUnreachable (message: string): void {
    this.set('unreachable', message)
  }

  private set (state: HostState, message: string | null): void {
    if (this.current.state === state && this.current.message === message) return
    this.current = { state, message, since: this.current.state === state ? this.current.since : this.now().toISOString() }
  }
}
