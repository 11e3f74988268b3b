import type { DnsAnswer, Resolver } from './resolver.js'

/**
 * DNS for demo mode, which must not depend on the network: the two simulated hosts' names
 * resolve to documentation addresses (RFC 5737), except python-app's api.example.org, which
 * points at another server (the watchdog's DNS finding in the demo).
 */

const DEMO_A = '203.0.113.10'
const DEMO_B = '203.0.113.20'

const NAMES: Record<string, string> = {
  'dokku.me': DEMO_A,
  'www.example.com': DEMO_A,
  'api.example.org': '198.51.100.7',
  'dokku.example.net': DEMO_B,
  'api.example.net': DEMO_B,
  'www.example.net': DEMO_B,
  'search.example.net': DEMO_B
}

const ZONES: Array<[string, string]> = [['.dokku.me', DEMO_A], ['.dokku.example.net', DEMO_B]]

export function demoResolver (): Resolver {
  return {
    async resolve (name: string): Promise<DnsAnswer> {
      const n = name.toLowerCase()
      const address = NAMES[n] ?? ZONES.find(([zone]) => n.endsWith(zone))?.[1]
      return address ? { state: 'ok', addresses: [address] } : { state: 'none', code: 'NXDOMAIN' }
    }
  }
}
