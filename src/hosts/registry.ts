import type { HostConfig } from '../config.js'
import type { Host } from './host.js'

/** Every Dokku host Docklight manages, in the configured order; the first is the default. */
export class HostRegistry {
  private readonly byName: Map<string, Host>

  constructor (readonly list: readonly Host[]) {
    if (list.length === 0) throw new Error('at least one host is required')
    this.byName = new Map(list.map((h) => [h.name, h]))
  }

  get default (): Host { return this.list[0]! }

  /** More than one host: pages show host labels and the switcher. */
  get several (): boolean { return this.list.length > 1 }

  get (name: string): Host | undefined {
    return this.byName.get(name)
  }

  get configs (): HostConfig[] {
    return this.list.map((h) => h.config)
  }
}
