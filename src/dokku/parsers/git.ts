import { singleReport, toRecord } from './report.js'

/** `git:report <app>` (deploys.md §1.4): what the app's repository holds. */
export interface GitReport {
  app: string
  /** The branch pushes and `git:sync` build (app → global → `master`). */
  deployBranch: string
  /** `git rev-parse HEAD` of the bare repo; may be '' with a non-master deploy branch. */
  sha: string
  /** The image of the last `git:from-image` (set before it builds, so also after a failure). */
  sourceImage: string
  /** The config var that gets the built sha (`GIT_REV`); '' when turned off. */
  revEnvVar: string
  /** The deploy branch's ref changed then (null once refs are packed). */
  lastUpdatedAt: Date | null
  raw: Record<string, string>
}

/**
 * JSON (≥0.38.0, stripped keys only) or text in either engine (bash ≤0.38.21, Go after):
 * the labels become `git-deploy-branch` … and lose their `git-` prefix.
 */
export function parseGitReport (app: string, stdout: string, format: 'json' | 'text'): GitReport {
  const fields = singleReport(stdout, format, 'git')
  const get = (k: string) => fields.get(k) ?? ''
  const updated = get('last-updated-at')
  return {
    app,
    // Before 0.38.4 `deploy-branch` was already the computed value (app or master).
    deployBranch: get('computed-deploy-branch') || get('deploy-branch') || get('global-deploy-branch') || 'master',
    sha: get('sha'),
    sourceImage: get('source-image'),
    revEnvVar: fields.has('rev-env-var') ? get('rev-env-var') : 'GIT_REV',
    lastUpdatedAt: /^\d+$/.test(updated) ? new Date(Number(updated) * 1000) : null,
    raw: toRecord(fields)
  }
}
