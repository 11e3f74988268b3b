import type { PluginResult } from '../../dokku/commands/spec.js'
import type { BuilderReport, BuildpacksReport, DockerfileReport } from '../../dokku/parsers/builder.js'
import type { ChecksReport } from '../../dokku/parsers/checks.js'
import type { DockerOptionsReport } from '../../dokku/parsers/docker-options.js'
import type { HttpAuthReport, MaintenanceReport } from '../../dokku/parsers/maintenance.js'
import type { NginxReport } from '../../dokku/parsers/nginx.js'
import type { PortsReport } from '../../dokku/parsers/ports.js'
import type { ProxyReport } from '../../dokku/parsers/proxy.js'
import type { ResourceReport } from '../../dokku/parsers/resource.js'
import type { Mount } from '../../dokku/parsers/storage.js'
import type { Host } from '../../hosts/host.js'

/**
 * The settings reads, each cached under one key per app (dropped with the app's other reads
 * after any change): the one place the keys are made, for the sections and the overview line.
 */

export const portsReport = (host: Host, app: string): Promise<PortsReport> =>
  host.cache.get(`ports:report:${app}`, [app], () => host.dokku.portsReport(app))
export const proxyReport = (host: Host, app: string): Promise<ProxyReport> =>
  host.cache.get(`proxy:report:${app}`, [app], () => host.dokku.proxyReport(app))
export const checksReport = (host: Host, app: string): Promise<ChecksReport> =>
  host.cache.get(`checks:report:${app}`, [app], () => host.dokku.checksReport(app))
export const resourceReport = (host: Host, app: string): Promise<ResourceReport> =>
  host.cache.get(`resource:report:${app}`, [app], () => host.dokku.resourceReport(app))
export const storageList = (host: Host, app: string): Promise<Mount[]> =>
  host.cache.get(`storage:list:${app}`, [app], () => host.dokku.storageList(app))
export const nginxReport = (host: Host, app: string): Promise<NginxReport> =>
  host.cache.get(`nginx:report:${app}`, [app], () => host.dokku.nginxReport(app))
export const builderReport = (host: Host, app: string): Promise<BuilderReport> =>
  host.cache.get(`builder:report:${app}`, [app], () => host.dokku.builderReport(app))
export const buildpacksReport = (host: Host, app: string): Promise<BuildpacksReport> =>
  host.cache.get(`buildpacks:report:${app}`, [app], () => host.dokku.buildpacksReport(app))
export const dockerfileReport = (host: Host, app: string): Promise<DockerfileReport> =>
  host.cache.get(`builder-dockerfile:report:${app}`, [app], () => host.dokku.dockerfileReport(app))
export const dockerOptionsReport = (host: Host, app: string): Promise<DockerOptionsReport> =>
  host.cache.get(`docker-options:report:${app}`, [app], () => host.dokku.dockerOptionsReport(app))
export const maintenanceReport = (host: Host, app: string): Promise<PluginResult<{ report: MaintenanceReport }>> =>
  host.cache.get(`maintenance:report:${app}`, [app], () => host.dokku.maintenanceReport(app))
export const httpAuthReport = (host: Host, app: string): Promise<PluginResult<{ report: HttpAuthReport }>> =>
  host.cache.get(`http-auth:report:${app}`, [app], () => host.dokku.httpAuthReport(app))

/** The keys of the six reads the overview's settings line is made of (see summary.ts). */
export const summaryKeys = (app: string): string[] =>
  ['ports:report', 'proxy:report', 'storage:list', 'resource:report', 'maintenance:report', 'http-auth:report'].map((k) => `${k}:${app}`)
