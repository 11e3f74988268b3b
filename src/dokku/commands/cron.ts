import { InvalidArgumentError } from '../errors.js'
import { parseCronList, type CronTask } from '../parsers/cron.js'
import { versionAtLeast, type DokkuVersion } from '../parsers/version.js'
import { validateAppName } from '../validate.js'
import { validateCronId } from '../validate-settings.js'
import { SETTINGS_FEATURES } from './settings-features.js'
import { noParse, TIMEOUTS, type CommandSpec } from './spec.js'

/** `dokku cron:list <app> --format json` (0.31.0+), the text table before. */
export function cronList (app: string, version: DokkuVersion): CommandSpec<CronTask[]> {
  const name = validateAppName(app)
  const format = versionAtLeast(version, SETTINGS_FEATURES.cronListJson) ? 'json' : 'text'
  return {
    args: format === 'json' ? ['cron:list', name, '--format', 'json'] : ['cron:list', name],
    app: name,
    kind: 'read', timeoutMs: TIMEOUTS.read,
    parse: ({ stdout }) => parseCronList(stdout, format)
  }
}

/**
 * `dokku cron:run <app> <id>` (0.31.0+), attached: the task's output streams into a job. Any
 * failure of the task exits 1 with no message: dokku loses the task's own exit code.
 */
export function cronRun (app: string, id: string, version: DokkuVersion): CommandSpec<void> {
  const name = validateAppName(app)
  const task = validateCronId(id)
  if (!versionAtLeast(version, SETTINGS_FEATURES.cronRun)) throw new InvalidArgumentError('id', 'Running a task now needs dokku 0.31.0 or newer')
  return { args: ['cron:run', name, task], app: name, kind: 'job', label: `Run cron task ${task.slice(0, 12)}… of ${name}`, timeoutMs: TIMEOUTS.deploy, parse: noParse }
}

/** `dokku cron:suspend|resume <app> <id>` (0.37.0+): the host's crontab is rewritten at once. */
export function cronSuspend (app: string, id: string, suspend: boolean, version: DokkuVersion): CommandSpec<void> {
  const name = validateAppName(app)
  const task = validateCronId(id)
  if (!versionAtLeast(version, SETTINGS_FEATURES.cronSuspend)) throw new InvalidArgumentError('id', 'Suspending a task needs dokku 0.37.0 or newer')
  return {
    args: [suspend ? 'cron:suspend' : 'cron:resume', name, task],
    app: name,
    label: `${suspend ? 'Suspend' : 'Resume'} cron task ${task.slice(0, 12)}… of ${name}`,
    timeoutMs: TIMEOUTS.change,
    parse: noParse
  }
}
