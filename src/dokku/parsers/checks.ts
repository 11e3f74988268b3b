import { singleReport, toRecord } from './report.js'

/** `checks:report <app>` (dokku-reference/app-settings.md §3.5, misc.md §5). */

/** `all` for `_all_`; otherwise the process types named (empty for `none`). */
export type ProcessList = 'all' | string[]

export interface ChecksReport {
  app: string
  disabled: ProcessList
  skipped: ProcessList
  /** The app's own wait-to-retire ('' when unset). */
  waitToRetire: string
  /** What applies: the app's, else the global one, else 60. */
  computedWaitToRetire: string
  raw: Record<string, string>
}

/** `none`, `_all_` or `web,worker` (dokku keeps any spaces given; we trim them). */
export function parseProcessList (value: string | undefined): ProcessList {
  const v = (value ?? '').trim()
  if (v === '_all_') return 'all'
  if (v === '' || v === 'none') return []
  const list = v.split(',').map((p) => p.trim()).filter((p) => p !== '')
  return list.includes('_all_') ? 'all' : list
}

/** JSON (0.38.0+; stripped keys only) or text (bash before 0.38.22, Go since). */
export function parseChecksReport (app: string, stdout: string, format: 'json' | 'text'): ChecksReport {
  const fields = singleReport(stdout, format, 'checks')
  const waitToRetire = fields.get('wait-to-retire') ?? ''
  return {
    app,
    disabled: parseProcessList(fields.get('disabled-list')),
    skipped: parseProcessList(fields.get('skipped-list')),
    waitToRetire,
    computedWaitToRetire: fields.get('computed-wait-to-retire') || waitToRetire || fields.get('global-wait-to-retire') || '60',
    raw: toRecord(fields)
  }
}
