import { SETTINGS_FEATURES } from '../dokku/commands/settings-features.js'
import { InvalidArgumentError } from '../dokku/errors.js'
import type { CronTask } from '../dokku/parsers/cron.js'
import { versionAtLeast } from '../dokku/parsers/version.js'
import { validateCronId } from '../dokku/validate-settings.js'
import type { Host } from '../hosts/host.js'
import type { JobSnapshot } from '../jobs/manager.js'
import { appState, type DisplayState } from './apps.js'

/**
 * An app's cron tasks (`cron:list`): they come from the app.json the last deploy stored, so an
 * edit to app.json shows after the next deploy (and changes the task's id). Run one now as a job
 * (dokku does not report the task's exit code: any failure is exit 1), suspend and resume one
 * (0.37.0+; the host's crontab is rewritten at once).
 */

export type { CronTask }

export const cronList = (host: Host, app: string): Promise<CronTask[]> =>
  host.cache.get(`cron:list:${app}`, [app], () => host.dokku.cronList(app))

export interface CronPage {
  tasks: CronTask[]
  /** cron:run exists (0.31.0+). */
  canRun: boolean
  /** cron:suspend and cron:resume exist (0.37.0+). */
  canSuspend: boolean
  appState: DisplayState | null
  runningJob: JobSnapshot | null
}

export async function page (host: Host, app: string): Promise<CronPage> {
  const [tasks, version, state] = await Promise.all([cronList(host, app), host.dokku.version(), appState(host, app)])
  return {
    tasks,
    canRun: versionAtLeast(version, SETTINGS_FEATURES.cronRun),
    canSuspend: versionAtLeast(version, SETTINGS_FEATURES.cronSuspend),
    appState: state,
    runningJob: host.runningJob(app) ?? null
  }
}

/** A task of the app by id, from the (cached) list: an unknown id is refused before anything runs. */
async function task (host: Host, app: string, rawId: unknown): Promise<CronTask> {
  const id = validateCronId(rawId)
  const found = (await cronList(host, app)).find((t) => t.id === id)
  if (!found) throw new InvalidArgumentError('id', 'There is no such task (its id changes when the app.json entry does: reload the list).')
  return found
}

/** `cron:run` as a job with live output. */
export async function run (host: Host, app: string, rawId: unknown): Promise<JobSnapshot> {
  const t = await task(host, app, rawId)
  return host.startJob({ app, label: `Run "${t.command.slice(0, 60)}" on ${app}`, run: (ctx) => host.dokku.cronRun(app, t.id, ctx) })
}

/** `cron:suspend` / `cron:resume`, at once; returns the updated list. */
export async function suspend (host: Host, app: string, rawId: unknown, suspended: boolean): Promise<{ task: CronTask, tasks: CronTask[] }> {
  const t = await task(host, app, rawId)
  try {
    await host.dokku.cronSuspend(app, t.id, suspended)
  } finally {
    host.cache.invalidateApp(app)
  }
  return { task: t, tasks: await cronList(host, app) }
}
