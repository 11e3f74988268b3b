import type { DatabaseServices } from '../dokku/client.js'
import { DokkuError, InvalidArgumentError } from '../dokku/errors.js'
import type { ServiceInfo, ServiceListItem } from '../dokku/parsers/databases.js'
import { maskDsnPasswords } from '../dokku/redact.js'
import {
  validateAppName, validateConfirmation, validateDbPlugin, validateEnvKey, validateServiceName, type DbPlugin
} from '../dokku/validate.js'
import type { Host } from '../hosts/host.js'
import type { JobSnapshot } from '../jobs/manager.js'
import { appNames } from './apps.js'

/**
 * The services of dokku's official datastore plugins on one host: the list, one service's
 * facts and connection URL, and the jobs that create, link, unlink and destroy them. The one
 * place these are defined, whoever asks.
 *
 * Every read here is cached as spanning all apps: a link changes the app's config and the
 * service's links, so any job on the host drops them.
 */

export type { DbPlugin }

type Errors = Record<string, string>

/** A form refused before anything ran: what was typed (normalised) and each field's message. */
export class FormRefused<F> extends Error {
  readonly statusCode = 422
  constructor (readonly form: F, readonly errors: Errors) {
    super(Object.values(errors).join(' '))
    this.name = 'FormRefused'
  }
}

/** The plugin a URL names is not installed on the host: its page says how to install it. */
export class PluginNotInstalled extends Error {
  readonly statusCode = 404
  readonly label: string
  readonly hint: string
  constructor (readonly plugin: DbPlugin) {
    super(`The ${plugin} plugin is not installed.`)
    this.name = 'PluginNotInstalled'
    this.label = PLUGIN_LABELS[plugin]
    this.hint = installHint(plugin)
  }
}

export const MASK = '••••'

/**
 * `postgres://postgres:secret@host:5432/db` → `postgres://postgres:••••@host:5432/db` (any scheme,
 * an empty user too: `redis://:••••@host:6379`). A DSN without a password is shown as it is.
 */
export function maskDsn (dsn: string): string {
  return maskDsnPasswords(dsn, MASK)
}

/** The name people know each datastore by. */
export const PLUGIN_LABELS: Record<DbPlugin, string> = {
  postgres: 'PostgreSQL',
  redis: 'Redis',
  mysql: 'MySQL',
  mariadb: 'MariaDB',
  mongo: 'MongoDB'
}

/** How to install a datastore plugin (root only, so Docklight cannot do it itself). */
export function installHint (plugin: DbPlugin): string {
  return `sudo dokku plugin:install https://github.com/dokku/dokku-${plugin}.git`
}

/** Serialises jobs on one service (create, destroy); link and unlink lock the app instead. */
export function serviceLockKey (plugin: DbPlugin, service: string): string {
  return `db:${plugin}:${service}`
}

/** A service a URL names. */
export interface ServiceRef {
  plugin: DbPlugin
  service: string
}

/** `:plugin` and `:service` from a URL, checked (InvalidArgumentError, a 400, when refused). */
export function serviceRef (raw: { plugin: unknown; service: unknown }): ServiceRef {
  return { plugin: validateDbPlugin(raw.plugin, 'plugin'), service: validateServiceName(raw.service, 'service') }
}

// ---- reads ---------------------------------------------------------------------------------

function allServices (host: Host): Promise<DatabaseServices[]> {
  return host.cache.get('databases:list', 'all', () => host.dokku.listAllServices())
}

const infoKey = ({ plugin, service }: ServiceRef) => `${plugin}:info:${service}`

function serviceInfo (host: Host, ref: ServiceRef) {
  return host.cache.get(infoKey(ref), 'all', () => host.dokku.serviceInfo(ref.plugin, ref.service))
}

/** The service's facts, or PluginNotInstalled. */
async function installedInfo (host: Host, ref: ServiceRef): Promise<ServiceInfo> {
  const read = await serviceInfo(host, ref)
  if (!read.installed) throw new PluginNotInstalled(ref.plugin)
  return read.info
}

export interface ServiceRow {
  name: string
  status: string | null
  version: string | null
  links: string[]
  /** The service could not be read (its row still shows, with dokku's message). */
  error: string | null
  /**
   * Its facts are not known yet: the row loads them by itself (a panel), and links to the
   * service's page, which has them, for a browser without JavaScript.
   */
  lazy: boolean
}

export interface PluginGroup {
  plugin: DbPlugin
  label: string
  installed: boolean
  hint: string
  services: ServiceRow[]
}

export interface DatabasesOverview {
  groups: PluginGroup[]
  /** What the create form offers. */
  installedPlugins: Array<{ plugin: DbPlugin; label: string }>
}

/**
 * A service's row from its `:info` (read now, or known already). A failure keeps the row, with
 * dokku's message; `missing` when dokku says the service does not exist (any more).
 */
async function readRow (host: Host, ref: ServiceRef, listed?: ServiceListItem): Promise<ServiceRow & { missing: boolean }> {
  try {
    const read = await serviceInfo(host, ref)
    if (!read.installed) return { name: ref.service, status: null, version: null, links: [], error: 'plugin not installed', lazy: false, missing: false }
    return { name: ref.service, status: read.info.status, version: read.info.version, links: read.info.links, error: null, lazy: false, missing: false }
  } catch (err) {
    if (!(err instanceof DokkuError)) throw err
    const known = { status: listed?.status ?? null, version: listed?.version ?? null, links: listed?.links ?? [] }
    return { name: ref.service, ...known, error: err.message, lazy: false, missing: err.kind === 'service-missing' }
  }
}

/**
 * Every datastore plugin with its services, from the bulk `<db>:list` calls alone (one round,
 * however many services). dokku has no bulk call for a service's status, version and links:
 * each is one `<db>:info`, so a row shows them when they are known already (read within the
 * cache's lifetime) and otherwise loads them by itself (`row`), after the page. 50 services
 * cost the page one call, not 50 behind the read lane's six slots.
 */
export async function overview (host: Host): Promise<DatabasesOverview> {
  const listed = await allServices(host)
  const groups = await Promise.all(listed.map(async (entry): Promise<PluginGroup> => ({
    plugin: entry.plugin,
    label: PLUGIN_LABELS[entry.plugin],
    installed: entry.installed,
    hint: installHint(entry.plugin),
    services: await Promise.all(entry.services.map(async (s): Promise<ServiceRow> => {
      const ref = { plugin: entry.plugin, service: s.name }
      if (host.cache.has(infoKey(ref))) {
        const { missing: _missing, ...known } = await readRow(host, ref, s)
        return known
      }
      // The pre-1.10 plugins' table gives these without :info; newer ones, names only.
      return { name: s.name, status: s.status, version: s.version, links: s.links ?? [], error: null, lazy: s.status === null }
    }))
  })))
  return { groups, installedPlugins: groups.filter((g) => g.installed).map((g) => ({ plugin: g.plugin, label: g.label })) }
}

/** One row of the list, its facts read (the panel a lazy row loads); null when the service is gone. */
export async function row (host: Host, ref: ServiceRef): Promise<ServiceRow | null> {
  const { missing, ...read } = await readRow(host, ref)
  return missing ? null : read
}

/** What the detail templates need of a service; the DSN only ever masked. */
export interface ShownService {
  plugin: DbPlugin
  label: string
  name: string
  status: string
  version: string
  internalIp: string
  exposedPorts: string[]
  links: string[]
  dataDir: string
  configDir: string
  serviceRoot: string
  id: string
  maskedDsn: string
  hasPassword: boolean
}

function shownService ({ plugin, service }: ServiceRef, info: ServiceInfo): ShownService {
  const maskedDsn = maskDsn(info.dsn)
  return {
    plugin,
    label: PLUGIN_LABELS[plugin],
    name: service,
    status: info.status,
    version: info.version,
    internalIp: info.internalIp,
    exposedPorts: info.exposedPorts,
    links: info.links,
    dataDir: info.dataDir,
    configDir: info.configDir,
    serviceRoot: info.serviceRoot,
    id: info.id,
    maskedDsn,
    hasPassword: maskedDsn !== info.dsn
  }
}

export interface ServiceDsn {
  svc: ShownService
  /** The DSN with its password, only when asked for; never stored. */
  revealedDsn: string | null
}

export interface ServiceDetail extends ServiceDsn {
  /** Apps the link form offers (not those already linked); null when the list cannot be read. */
  linkableApps: string[] | null
}

/**
 * Everything the service page shows (PluginNotInstalled, or dokku's service-missing error). The
 * app list only fills the link form: when it cannot be read, the form asks for a name instead.
 */
export async function detail (host: Host, ref: ServiceRef, options: { revealDsn?: boolean } = {}): Promise<ServiceDetail> {
  const [info, apps] = await Promise.all([installedInfo(host, ref), appNames(host).catch(() => null)])
  const svc = shownService(ref, info)
  return {
    svc,
    revealedDsn: options.revealDsn === true ? info.dsn : null,
    linkableApps: apps === null ? null : apps.filter((a) => !svc.links.includes(a))
  }
}

/** The page's panel once a job has ended: null when the service (or its plugin) is gone. */
export async function panel (host: Host, ref: ServiceRef): Promise<ServiceDetail | null> {
  try {
    return await detail(host, ref)
  } catch (err) {
    if (err instanceof PluginNotInstalled || (err instanceof DokkuError && err.kind === 'service-missing')) return null
    throw err
  }
}

/** The connection URL alone, masked or (`reveal`) whole. */
export async function dsn (host: Host, ref: ServiceRef, reveal: boolean): Promise<ServiceDsn> {
  const info = await installedInfo(host, ref)
  return { svc: shownService(ref, info), revealedDsn: reveal ? info.dsn : null }
}

// ---- jobs ----------------------------------------------------------------------------------

/** Runs a validator; a refusal becomes the field's message (others are thrown). */
function check<T> (errors: Errors, validate: () => T): T | undefined {
  try {
    return validate()
  } catch (err) {
    if (!(err instanceof InvalidArgumentError)) throw err
    // The link alias is checked as a variable name (dokku appends _URL): say "Alias" to the user.
    errors[err.field] = err.field === 'alias' ? err.message.replace(/^Variable name/, 'Alias') : err.message
    return undefined
  }
}

export interface CreateForm { plugin: string; service: string }

/**
 * `<plugin>:create` as a job locked on the service. Refused (FormRefused) before anything runs
 * when a field is invalid, the plugin is not installed or the name is taken.
 */
export async function create (host: Host, body: { plugin?: string; service?: string }): Promise<JobSnapshot> {
  const form: CreateForm = { plugin: body.plugin ?? '', service: (body.service ?? '').trim() }
  const errors: Errors = {}
  const plugin = check(errors, () => validateDbPlugin(form.plugin, 'plugin'))
  const service = check(errors, () => validateServiceName(form.service, 'service'))
  if (plugin !== undefined && service !== undefined) {
    const entry = (await allServices(host)).find((e) => e.plugin === plugin)
    if (!entry?.installed) {
      errors.plugin = `The ${plugin} plugin is not installed. Install it on the server with: ${installHint(plugin)}`
    } else if (entry.services.some((s) => s.name === service)) {
      errors.service = `A ${PLUGIN_LABELS[plugin]} service named ${service} already exists`
    }
  }
  if (plugin === undefined || service === undefined || Object.keys(errors).length > 0) throw new FormRefused(form, errors)
  return host.startJob({
    app: serviceLockKey(plugin, service),
    label: `Create ${plugin} service ${service}`,
    command: `dokku ${plugin}:create ${service}`,
    run: (ctx) => host.dokku.createService(plugin, service, ctx)
  })
}

export interface LinkForm { app: string; alias: string; noRestart: boolean }

/**
 * `<plugin>:link` as a job locked on the app it restarts. PluginNotInstalled, or FormRefused for
 * a bad app name or alias, or an app already linked.
 */
export async function link (
  host: Host, ref: ServiceRef, body: { app?: string; alias?: string; no_restart?: string }
): Promise<JobSnapshot> {
  const { plugin, service } = ref
  const form: LinkForm = { app: (body.app ?? '').trim(), alias: (body.alias ?? '').trim(), noRestart: body.no_restart === '1' }
  const errors: Errors = {}
  const app = check(errors, () => validateAppName(form.app, 'app'))
  const alias = check(errors, () => form.alias === '' ? undefined : validateEnvKey(form.alias, 'alias'))
  const info = await installedInfo(host, ref)
  if (app !== undefined && info.links.includes(app)) errors.app = `${service} is already linked to ${app}`
  if (app === undefined || Object.keys(errors).length > 0) throw new FormRefused(form, errors)
  return host.startJob({
    app,
    label: `Link ${plugin} service ${service} to ${app}`,
    command: `dokku ${plugin}:link ${service} ${app}`,
    run: (ctx) => host.dokku.linkService(plugin, service, app, { ...ctx, alias, noRestart: form.noRestart })
  })
}

/** `<plugin>:unlink` as a job locked on the app (a bad name: InvalidArgumentError, a 400). */
export function unlink (host: Host, ref: ServiceRef, rawApp: string | undefined): JobSnapshot {
  const { plugin, service } = ref
  const app = validateAppName((rawApp ?? '').trim(), 'app')
  return host.startJob({
    app,
    label: `Unlink ${plugin} service ${service} from ${app}`,
    command: `dokku ${plugin}:unlink ${service} ${app}`,
    run: (ctx) => host.dokku.unlinkService(plugin, service, app, ctx)
  })
}

export interface DestroyForm { confirm: string }

/** `--force <plugin>:destroy` as a job locked on the service, only when the typed name matches. */
export function destroy (host: Host, ref: ServiceRef, typed: string | undefined): JobSnapshot {
  const { plugin, service } = ref
  const form: DestroyForm = { confirm: typed ?? '' }
  const errors: Errors = {}
  check(errors, () => validateConfirmation(form.confirm, service, 'confirm'))
  if (Object.keys(errors).length > 0) throw new FormRefused(form, errors)
  return host.startJob({
    app: serviceLockKey(plugin, service),
    label: `Destroy ${plugin} service ${service}`,
    command: `dokku --force ${plugin}:destroy ${service}`,
    run: (ctx) => host.dokku.destroyService(plugin, service, form.confirm, ctx)
  })
}
