import type { FastifyPluginAsync } from 'fastify'
import { sessionOf } from '../../plugins/auth.js'
import { notificationSettings } from '../../services/notifications.js'
import { NOTIFICATION_SECTIONS } from './notifications.js'

/**
 * One section of /settings: its anchor id, heading, and the partial that renders it from the
 * page's data under the same id. Later sections (API tokens, notification channels, watchdog
 * thresholds) are one more entry here, one partial, and their data in `sectionData`.
 */
export interface SettingsSection {
  id: string
  title: string
  partial: string
}

export const SETTINGS_SECTIONS: readonly SettingsSection[] = [
  { id: 'sessions', title: 'Sessions', partial: 'settings-sessions' },
  // issue 11: the watchdog's messages and its DNS check (routes in ./notifications.ts)
  ...NOTIFICATION_SECTIONS
]

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

const settingsRoutes: FastifyPluginAsync = async (app) => {
  app.get('/settings', async (req, reply) => {
    const session = sessionOf(req)
    const sectionData = {
      sessions: {
        startedAt: session ? iso(session.iat * 1000) : null,
        expiresAt: session ? iso(session.exp * 1000) : null,
        endedAllAt: iso(app.sessionRevocations.endedAllAt)
      },
      notifications: notificationSettings(app.alerts, app.hosts.list)
    }
    return reply.render('settings', { title: 'Settings', sections: SETTINGS_SECTIONS, ...sectionData })
  })
}

export default settingsRoutes
