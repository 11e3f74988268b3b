import { promises as dns } from 'node:dns'
import { isIP } from 'node:net'

/**
 * How the watchdog looks names up: behind an interface, so tests (and the demo) give their own
 * answers. The system resolver asks for A and AAAA records with a short timeout; a lookup that
 * cannot tell (timeout, SERVFAIL, no network) is `error`, which changes no finding.
 */

export type DnsAnswer =
  | { state: 'ok'; addresses: string[] }
  /** The name does not exist, or has no address record. */
  | { state: 'none'; code: string }
  | { state: 'error'; message: string }

export interface Resolver {
  resolve (name: string): Promise<DnsAnswer>
}

const ABSENT = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN', 'NOTFOUND'])

/** The part of node's DNS resolver the system resolver uses (tests give their own). */
export type AddressLookup = Pick<dns.Resolver, 'resolve4' | 'resolve6'>

export class SystemResolver implements Resolver {
  constructor (private readonly resolver: AddressLookup = new dns.Resolver({ timeout: 3000, tries: 2 })) {}

  async resolve (name: string): Promise<DnsAnswer> {
    if (isIP(name)) return { state: 'ok', addresses: [name] }
    const [v4, v6] = await Promise.allSettled([this.resolver.resolve4(name), this.resolver.resolve6(name)])
    const addresses = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])]
    if (addresses.length > 0) return { state: 'ok', addresses }
    const codes = [v4, v6].map((r) => (r.status === 'rejected' ? String((r.reason as NodeJS.ErrnoException).code ?? '') : 'ENODATA'))
    if (codes.every((c) => ABSENT.has(c))) return { state: 'none', code: codes.includes('ENOTFOUND') ? 'NXDOMAIN' : 'no address record' }
    return { state: 'error', message: codes.find((c) => !ABSENT.has(c)) || 'lookup failed' }
  }
}

/** A resolver with fixed answers: a name maps to its addresses; anything else does not exist. */
export class StaticResolver implements Resolver {
  constructor (private readonly answers: Record<string, string[] | 'error'>) {}

  async resolve (name: string): Promise<DnsAnswer> {
    const answer = this.answers[name.toLowerCase()]
    if (answer === 'error') return { state: 'error', message: 'SERVFAIL' }
    if (answer === undefined || answer.length === 0) return { state: 'none', code: 'NXDOMAIN' }
    return { state: 'ok', addresses: [...answer] }
  }
}
