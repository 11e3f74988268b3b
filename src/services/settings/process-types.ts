import type { Host } from '../../hosts/host.js'
import { psReport } from '../apps.js'

/**
 * The app's process types, as suggestions for the forms that name one (checks, resources,
 * docker options): from its cached ps:report. Only a hint: forms take any valid name.
 */
export async function processTypes (host: Host, app: string): Promise<string[]> {
  try {
    const report = await psReport(host, app)
    return [...new Set(report.processes.map((p) => p.type))].sort()
  } catch {
    return []
  }
}
