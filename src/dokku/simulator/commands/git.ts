/**
 * The git plugin's deploys and report (deploys.md §1): `git:sync`, `git:from-image`,
 * `git:from-archive`, `git:report`. Bash commands: flags anywhere, a missing or unknown app
 * exits 20 (` !     App  does not exist` with two spaces when it is missing), and from 0.38.0
 * everything after the argument checks is in the build capture (one stream on stdout, a
 * build record, the log).
 */
import type { Ctx, StreamLine } from '../context.js'
import { logAppender, startBuild } from '../builds.js'
import { applyDeploy, buildLines, releaseAndDeployLines, runDeploy, type DeployFailure } from '../deploy.js'
import { hexId } from '../ids.js'
import { runReport, type ReportDef } from '../report.js'
import { notACommand } from '../simulate.js'
import type { AppState, SimState } from '../state.js'

/** The bash `for arg in "$@"` loops: known flags anywhere (some with a value), the rest positional. */
function bashArgs (args: readonly string[], bools: readonly string[], valued: readonly string[]): { flags: Record<string, string | true>; positional: string[] } {
  const flags: Record<string, string | true> = {}
  const positional: string[] = []
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!
    if (bools.includes(a)) flags[a] = true
    else if (valued.includes(a)) flags[a] = args[++i] ?? ''
    else positional.push(a)
  }
  return { flags, positional }
}

/** `verify_app_name`: exit 20 for a missing (two spaces) or unknown app. */
async function verifyApp (ctx: Ctx, app: string | undefined): Promise<void> {
  const state = await ctx.store.read()
  if (app === undefined || app === '' || !state.apps[app]) ctx.fail(`App ${app ?? ''} does not exist`, 20)
}

/** The build capture begins (0.38+): one stream from here on, a running record, its log. */
async function startCapture (ctx: Ctx, app: string, source: string): Promise<string | undefined> {
  if (!ctx.atLeast('0.38.0')) return undefined
  ctx.mergeStderr = true
  const id = await ctx.store.update((s) => startBuild(ctx, s.apps[app]!, source)?.id)
  if (id !== undefined) ctx.capture = logAppender(ctx, app, id)
  return id
}

function revEnvVar (a: AppState): string {
  return a.git?.revEnvVar ?? 'GIT_REV'
}

/** What every source deploy does once it succeeded: deploy-source, the rev var, the repo tip. */
function recordSource (a: AppState, source: string, metadata: string, sha: string, now: number): void {
  a.deploySource = source
  a.deploySourceMetadata = metadata
  a.hasRepo = true
  a.git = { ...a.git, sha, lastUpdatedAt: now }
  const rev = revEnvVar(a)
  if (rev !== '') a.env[rev] = sha
}

/** A first deploy of an app with no process types gets a web process, as a Procfile would give it. */
function ensureFormation (a: AppState): void {
  if (Object.keys(a.formation).length > 0) return
  a.formation = { web: 1 }
  a.procfile = ['web']
  if (a.profile === 'static') a.profile = 'node'
}

/** Failing checks (the simulator fails the deploy of anything named `unhealthy`). */
function checksFailure (app: string, name: string): DeployFailure | null {
  if (!name.includes('unhealthy')) return null
  return {
    code: 1,
    finalize: true,
    lines: [
      `       Attempting pre-flight checks (web.1)`,
      `       Waiting for 10 seconds (web.1)`,
      ` !     Container state: exited`,
      `=====> Start of ${app} container output (web.1)`,
      '       Error: listen EADDRINUSE: address already in use 0.0.0.0:5000',
      `=====> End of ${app} container output (web.1)`,
      ' !     Could not start due to 1 failed checks (web.1)'
    ]
  }
}

// ---- git:sync ------------------------------------------------------------------------------

/** The simulator's remotes: any host answers, except names that say they do not. */
function remoteRefusal (repo: string): string | null {
  if (/missing|does-not-exist|\.invalid(?:[:/]|$)/.test(repo)) return `fatal: repository '${repo}' not found`
  return null
}

function resolveSha (repo: string, ref: string): string {
  return /^[0-9a-f]{40}$/.test(ref) ? ref : hexId(`git:${repo}#${ref}`, 40)
}

export async function cmdGitSync (ctx: Ctx, args: string[]): Promise<void> {
  if (!ctx.atLeast('0.23.0')) notACommand(ctx, ['git:sync', ...args])
  const bools = ['--build', ...(ctx.atLeast('0.34.0') ? ['--build-if-changes'] : []), ...(ctx.atLeast('0.37.5') ? ['--skip-deploy-branch'] : [])]
  const { flags, positional } = bashArgs(args, bools, [])
  const [app, repo, ref = ''] = positional
  await verifyApp(ctx, app)
  if (repo === undefined || repo === '') ctx.fail('Missing GIT_REMOTE parameter')
  const buildId = await startCapture(ctx, app!, 'git:sync')

  const state = await ctx.store.read()
  const a = state.apps[app!]!
  const first = !a.hasRepo
  if (first) ctx.info1Quiet(`Cloning ${app} from ${repo}#${ref}`)
  else ctx.verbose(`Fetching remote code for ${app} from ${repo}#${ref}`)
  await ctx.step()
  const refused = remoteRefusal(repo!)
  if (refused) {
    ctx.err(`${refused}\n`)
    ctx.exit(128)
  }
  const branch = ref === '' ? (a.git?.deployBranch || 'master') : ref
  const sha = resolveSha(repo!, branch)
  const isBranch = ref !== '' && !/^[0-9a-f]{7,40}$/.test(ref) && !/^v?\d+(\.\d+)*$/.test(ref)
  if (first && isBranch) {
    ctx.verbose(flags['--skip-deploy-branch'] ? `Detected branch ${ref}, skipping deploy-branch setting` : `Detected branch, setting deploy-branch to ${ref}`)
  } else if (!first) {
    ctx.err(`From ${repo}\n * branch            ${branch.slice(0, 40)} -> FETCH_HEAD\n`)
  }
  const changed = await ctx.store.update((s) => {
    const x = s.apps[app!]!
    const before = x.git?.sha ?? (x.hasRepo ? x.env[revEnvVar(x)] ?? '' : '')
    x.git = { ...x.git, sha, lastUpdatedAt: ctx.now() }
    if (first && isBranch && !flags['--skip-deploy-branch']) x.git.deployBranch = ref
    x.hasRepo = true
    return before !== sha
  })
  if (flags['--build-if-changes'] && !flags['--build'] && !changed) {
    ctx.verbose('Skipping build as no changes were detected')
    return
  }
  if (!flags['--build'] && !flags['--build-if-changes']) return
  const metadata = `${repo}#${sha}`
  await runDeploy<true>(ctx, app!, {
    takesLock: true,
    build: buildId === undefined ? undefined : { source: 'git:sync', existing: buildId },
    plan: (_s, x) => { ensureFormation(x); return true },
    lines: (x, _p, seq) => [...buildLines(app!, x), ...releaseAndDeployLines(app!, x, seq)],
    failure: () => checksFailure(app!, repo!),
    apply: (x, _p, now) => {
      applyDeploy(app!, x, null, now)
      recordSource(x, 'git-sync', metadata, sha, now)
      x.git = { ...x.git, sourceImage: '', imageOrArchive: '' }
    },
    events: () => [['post-config-update', [app!, 'set', revEnvVar(a) || 'GIT_REV']], ['deploy-source-set', [app!, 'git-sync', metadata]]]
  })
}

// ---- git:from-image and git:from-archive ---------------------------------------------------

function imageBuildLines (app: string, image: string): string[] {
  return [
    '-----> Cleaning up...',
    `-----> Building ${app} from Dockerfile`,
    '#0 building with "default" instance using docker driver',
    '#1 [internal] load build definition from Dockerfile',
    '#1 transferring dockerfile: 118B done',
    '#1 DONE 0.0s',
    `#2 [1/1] FROM ${image}`,
    '#2 DONE 0.1s',
    '#3 exporting to image',
    `#3 writing image sha256:${hexId(`built:${app}:${image}`, 64)} done`,
    '#3 DONE 0.1s'
  ]
}

/** No diff to commit: the two warnings, then exit 1 (deploys.md §0, since v0.29.3). */
function noChanges (ctx: Ctx): never {
  ctx.warn('No changes detected, skipping git commit')
  ctx.warn("Call 'ps:rebuild' on app to rebuild the app from existing source")
  return ctx.exit(1)
}

/** Shared tail of from-image and from-archive: commit, then the locked build and deploy. */
async function deployContext (ctx: Ctx, app: string, source: string, metadata: string, buildId: string | undefined, lines: (x: AppState, seq: number) => StreamLine[]): Promise<void> {
  ctx.info1('Updating git repository with specified build context')
  const state = await ctx.store.read()
  if (state.apps[app]!.git?.imageOrArchive === metadata) noChanges(ctx)
  const commit = hexId(`commit:${app}:${metadata}:${ctx.nowMs()}`, 40)
  await runDeploy<true>(ctx, app, {
    takesLock: true,
    build: buildId === undefined ? undefined : { source: source === 'docker-image' ? 'git:from-image' : 'git:from-archive', existing: buildId },
    plan: (_s, x) => { ensureFormation(x); return true },
    lines: (x, _p, seq) => lines(x, seq),
    failure: () => checksFailure(app, metadata),
    // A failed deploy rolls the branch back a commit, so the same source can be retried.
    applyFailure: () => undefined,
    apply: (x, _p, now) => {
      applyDeploy(app, x, null, now)
      recordSource(x, source, metadata, commit, now)
      x.git = { ...x.git, imageOrArchive: metadata, ...(source === 'docker-image' ? {} : { sourceImage: '' }) }
    },
    events: () => [['post-config-update', [app, 'set', 'GIT_REV']], ['deploy-source-set', [app, source, metadata]]]
  })
}

export async function cmdGitFromImage (ctx: Ctx, args: string[]): Promise<void> {
  if (!ctx.atLeast('0.24.0')) notACommand(ctx, ['git:from-image', ...args])
  const { flags, positional } = bashArgs(args, ctx.atLeast('0.37.5') ? ['--force'] : [], ['--build-dir'])
  const [app, image] = positional
  await verifyApp(ctx, app)
  if (image === undefined || image === '') ctx.fail('Please specify a docker image')
  const buildId = await startCapture(ctx, app!, 'git:from-image')
  ctx.info1('Generating build context')
  if (flags['--build-dir'] !== undefined) ctx.verbose('Syncing build directory context')
  await ctx.step()
  const state = await ctx.store.read()
  const present = state.apps[app!]!.git?.sourceImage === image
  const force = flags['--force'] === true || ctx.globals.force
  if (present && !force) ctx.info1('Image exists on host, skipping pull')
  else {
    ctx.info1(present ? 'Force pulling image' : 'Pulling image')
    if (/missing/.test(image!)) {
      ctx.err(`Error response from daemon: manifest for ${image} not found: manifest unknown: manifest unknown\n`)
      ctx.fail(`Failed to pull image: ${image}`)
    }
    const tag = image!.includes('@') ? image!.slice(image!.indexOf('@') + 1) : image!.split(':').slice(1).join(':') || 'latest'
    ctx.line(`${tag}: Pulling from ${image!.split(/[:@]/)[0]}`)
    ctx.line(`Digest: sha256:${hexId(`digest:${image}`, 64)}`)
    ctx.line(`Status: Downloaded newer image for ${image}`)
  }
  // Set before the build: it names the attempted image even when the deploy then fails.
  await ctx.store.update((s) => { const x = s.apps[app!]!; x.git = { ...x.git, sourceImage: image! } })
  await deployContext(ctx, app!, 'docker-image', image!, buildId, (x, seq) => [...imageBuildLines(app!, image!), ...releaseAndDeployLines(app!, x, seq)])
}

export async function cmdGitFromArchive (ctx: Ctx, args: string[]): Promise<void> {
  if (!ctx.atLeast('0.24.0')) notACommand(ctx, ['git:from-archive', ...args])
  const { flags, positional } = bashArgs(args, [], ['--archive-type'])
  const [app, url] = positional
  const type = typeof flags['--archive-type'] === 'string' ? flags['--archive-type'] : 'tar'
  await verifyApp(ctx, app)
  if (url === undefined || url === '') ctx.fail('Please specify an archive url or -- to fetch the archive from stdin')
  const buildId = await startCapture(ctx, app!, 'git:from-archive')
  ctx.info1(url === '--' ? `Fetching ${type} file from stdin` : `Downloading ${type} file from ${url}`)
  ctx.err('#=#=#                                                                          \r######################################################################## 100.0%\n')
  await ctx.step()
  ctx.info1('Generating build context')
  ctx.verbose(type === 'zip' ? 'Extracting zipball' : type === 'tar.gz' ? 'Extracting gzipped tarball' : 'Striping 1 worth of directories from tarball')
  if (ctx.atLeast('0.38.2')) {
    const ts = new Date(ctx.nowMs()).toISOString().replace(/\.\d+Z$/, 'Z')
    ctx.err(`[archive-security] timestamp=${ts} user=dokku event=extraction_started archive_type=${type} source=/tmp/dokku-sim/src.${type} details=dest=/tmp/dokku-sim/build\n`)
    ctx.err(`[archive-security] timestamp=${ts} user=dokku event=extraction_completed archive_type=${type} source=/tmp/dokku-sim/src.${type} details=dest=/tmp/dokku-sim/build\n`)
  }
  ctx.verbose('Stripping top-level archive folder components')
  await deployContext(ctx, app!, type, url!, buildId, (x, seq) => [...buildLines(app!, x), ...releaseAndDeployLines(app!, x, seq)])
}

// ---- git:report ------------------------------------------------------------------------------

function gitFlags (ctx: Ctx, s: SimState, app: string): Array<[string, string]> {
  const a = s.apps[app]!
  const g = a.git ?? {}
  const raw = g.deployBranch ?? ''
  const computed = raw || 'master'
  const sha = g.sha ?? (a.hasRepo ? a.env[revEnvVar(a)] ?? '' : '')
  const updated = a.hasRepo ? String(g.lastUpdatedAt ?? a.lastDeployAt) : ''
  if (!ctx.atLeast('0.38.22')) {
    // The bash report: 7 keys, defaults filled in, fixed order.
    return [['--git-deploy-branch', computed], ['--git-global-deploy-branch', 'master'], ['--git-keep-git-dir', 'false'],
      ['--git-rev-env-var', revEnvVar(a)], ['--git-sha', sha], ['--git-source-image', g.sourceImage ?? ''], ['--git-last-updated-at', updated]]
  }
  return [
    ['--git-computed-archive-max-files', '10000'],
    ['--git-computed-archive-max-size', '1073741824'],
    ['--git-computed-deploy-branch', computed],
    ['--git-computed-keep-git-dir', 'false'],
    ['--git-deploy-branch', raw],
    ['--git-global-archive-max-files', ''],
    ['--git-global-archive-max-size', ''],
    ['--git-global-deploy-branch', ''],
    ['--git-global-keep-git-dir', ''],
    ['--git-keep-git-dir', ''],
    ['--git-last-updated-at', updated],
    ['--git-rev-env-var', revEnvVar(a)],
    ['--git-sha', sha],
    ['--git-source-image', g.sourceImage ?? '']
  ]
}

export async function cmdGitReport (ctx: Ctx, args: string[]): Promise<void> {
  const def: ReportDef = {
    reportType: 'git',
    legacyPrefix: false,
    jsonSince: '0.38.0',
    goSince: '0.38.22',
    globalSince: '0.38.0',
    appFlags: (s, app) => gitFlags(ctx, s, app),
    globalFlags: () => [['--git-computed-deploy-branch', 'master'], ['--git-global-deploy-branch', ''], ['--git-computed-keep-git-dir', 'false'], ['--git-global-keep-git-dir', '']]
  }
  await runReport(ctx, 'git:report', def, args)
}
