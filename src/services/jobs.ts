import type { HistoryRepository } from '../db/history.js'
import type { CancelVerdict, JobEvent, JobManager, JobSnapshot } from '../jobs/manager.js'
import { stripAnsi } from '../views/format.js'

/**
 * A job from memory while this process knows it, otherwise from its history row (a job that
 * ran before a restart, or left memory since).
 */
export function findJob (jobs: JobManager, history: HistoryRepository, id: number): JobSnapshot | undefined {
  const live = jobs.get(id)
  if (live) return live
  const row = history.get(id)
  if (!row || row.kind !== 'job') return undefined
  return {
    id: row.id,
    host: row.host,
    app: row.app ?? '',
    label: row.label ?? row.command,
    command: row.command,
    status: row.status,
    exitCode: row.exitCode,
    error: row.error,
    output: stripAnsi(row.stdout + row.stderr),
    startedAt: row.createdAt,
    finishedAt: row.finishedAt
  }
}

export function isRunning (job: JobSnapshot): boolean {
  return job.status === 'running' || job.status === 'queued'
}

/** Asks a job to stop; undefined when it has already ended (or is not this process's). */
export function cancelJob (jobs: JobManager, id: number): Promise<CancelVerdict | undefined> {
  return jobs.cancel(id)
}

/** Live events of a job still running here; undefined when there is nothing to follow. */
export function followJob (jobs: JobManager, job: JobSnapshot, listener: (event: JobEvent) => void): (() => void) | undefined {
  return isRunning(job) ? jobs.subscribe(job.id, listener) : undefined
}

export type { JobEvent, JobSnapshot }
