/**
 * App settings in the demo data: node-js-app (host a) with mapped ports, a mount, a memory
 * limit and two cron tasks, the maintenance and http-auth plugins on host a (host b has neither,
 * to show their missing states), and on host b an API whose hourly task fails.
 */
import { hexId } from './ids.js'
import { settingsOf } from './settings-state.js'
import type { AppState, PluginState } from './state.js'

/** The official plugins Docklight's settings page drives. */
export function settingsPlugins (): PluginState[] {
  return [
    {
      name: 'http-auth', version: '0.10.0', enabled: true, core: false, description: 'HTTP authentication for apps',
      sourceUrl: 'https://github.com/dokku/dokku-http-auth.git', committish: hexId('plugin:http-auth', 40), branch: 'master'
    },
    {
      name: 'maintenance', version: '0.10.1', enabled: true, core: false, description: 'Maintenance mode for apps',
      sourceUrl: 'https://github.com/dokku/dokku-maintenance.git', committish: hexId('plugin:maintenance', 40), branch: 'master'
    }
  ]
}

/** Seed a: node-js-app's settings. */
export function seedSettingsA (apps: Record<string, AppState>): void {
  const node = apps['node-js-app']
  if (!node) return
  const settings = settingsOf(node)
  // It has a certificate: certs:add added https:443 next to http:80.
  settings.ports = ['http:80:5000', 'https:443:5000']
  settings.storage = [{ host: '/var/lib/dokku/data/storage/node-js-app', container: '/app/storage', readonly: false, options: [] }]
  settings.resource = { '_default_.limit.memory': '512m' }
  settings.cron = [
    {
      command: 'npm run send-email',
      schedule: '@daily',
      output: ['', '> node-js-app@1.4.2 send-email', '> node scripts/send-email.js', '', 'Sending the daily digest to 3 subscribers', 'Sent 3 e-mails']
    },
    {
      command: 'node scripts/cleanup.js',
      schedule: '*/5 * * * *',
      concurrency: 'forbid',
      output: ['Removing expired sessions', 'Removed 12 expired sessions']
    }
  ]
}

/** Seed b: the API's hourly reindex, which fails (and dokku will not say with which code). */
export function seedSettingsB (apps: Record<string, AppState>): void {
  const api = apps.api
  if (!api) return
  settingsOf(api).cron = [
    { command: './bin/reindex --all', schedule: '@hourly', output: ['reindex: connecting to search.example.net:9200', 'reindex: connection refused'], fails: true }
  ]
}
