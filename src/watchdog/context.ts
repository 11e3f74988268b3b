import type { SecretBox } from '../crypto/secret-box.js'
import type { DiskSampleRepository } from '../db/disk-samples.js'
import type { FindingRepository } from '../db/findings.js'
import type { NotificationRepository } from '../db/notifications.js'
import type { WatchSettings } from '../db/watch-settings.js'
import type { Notifier } from '../notify/notifier.js'
import type { DiskSampler } from './disk.js'
import type { Watchdog } from './watchdog.js'

/**
 * Everything the alert features share, made once per app by the watchdog plugin and handed to
 * the services (`app.alerts`): the stores, the watchdog, the notifier.
 */
export interface AlertsContext {
  findings: FindingRepository
  disk: DiskSampleRepository
  notifications: NotificationRepository
  settings: WatchSettings
  watchdog: Watchdog
  notifier: Notifier
  /** Seals the channels' URLs. */
  box: SecretBox
  diskSampler: DiskSampler
  now: () => Date
  /** The watchdog runs on its timers (false in tests unless asked). */
  running: boolean
}
