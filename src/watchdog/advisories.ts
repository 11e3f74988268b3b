import { versionAtLeast, type DokkuVersion } from '../dokku/parsers/version.js'

/**
 * Dokku's security floor (dokku-reference/server.md §8): the published advisories, each with
 * the first release that fixes it. All five are GitHub-CNA records scored CVSS 3.1 9.0
 * Critical: whoever can run dokku commands or push can run code on the host as `dokku`. No
 * advisory was found for the official plugins (postgres, redis, mysql, mariadb, mongo,
 * letsencrypt), sshcommand or plugn (absence of evidence, not proof).
 */

export interface Advisory {
  ghsa: string
  cve: string
  summary: string
  /** The first dokku release without it. */
  fixedIn: string
  url: string
}

export const ADVISORIES: readonly Advisory[] = [
  {
    ghsa: 'GHSA-9x85-7gxq-fcr3', cve: 'CVE-2026-45408', fixedIn: '0.38.2',
    summary: 'OS command injection via the app name in the git pre-receive hook'
  },
  {
    ghsa: 'GHSA-j6qq-xg73-ghqg', cve: 'CVE-2026-45405', fixedIn: '0.38.2',
    summary: 'Arbitrary file write via tar symlink traversal in git:from-archive and certs:add'
  },
  {
    ghsa: 'GHSA-ggqh-98fj-8mg9', cve: 'CVE-2026-45406', fixedIn: '0.38.2',
    summary: 'Host code execution through maliciously named OpenResty include files passed to eval'
  },
  {
    ghsa: 'GHSA-72vm-7pc2-x95w', cve: 'CVE-2026-54636', fixedIn: '0.38.7',
    summary: 'OS command injection via app.json managed cron commands'
  },
  {
    ghsa: 'GHSA-fccf-j7qf-2xp9', cve: 'CVE-2026-86002', fixedIn: '0.38.25',
    summary: 'Host command execution via eval of unsanitized docker options (docker-options, --ttl-seconds, -e)'
  }
].map((a) => ({ ...a, url: `https://github.com/dokku/dokku/security/advisories/${a.ghsa}` }))

/** The release that fixes every advisory above: the floor a host should be at. */
export const SECURITY_FLOOR = '0.38.25'

/** Fixed in 0.38.2 without an advisory id: `.netrc` git credentials could be world-readable. */
export const UNNUMBERED_FIXES = [{ summary: '.netrc git credentials could be world-readable (umask)', fixedIn: '0.38.2' }] as const

/**
 * How to upgrade a packaged install (dokku's docs, "Upgrading using apt"); read the migration
 * guides of the versions in between first.
 */
export const UPGRADE_COMMAND = 'sudo apt-get update && sudo apt-get --no-install-recommends install dokku herokuish sshcommand plugn gliderlabs-sigil dokku-update dokku-event-listener'
export const UPGRADE_DOCS = 'https://dokku.com/docs/getting-started/upgrading/'

/**
 * The advisories that apply to a version, oldest fix first. None for a development build (newer
 * than every release) and none when the version is unknown: `known` says whether it could tell.
 */
export function advisoriesFor (version: DokkuVersion): { known: boolean; advisories: Advisory[] } {
  if (version.parts === null && !version.dev) return { known: false, advisories: [] }
  return { known: true, advisories: ADVISORIES.filter((a) => !versionAtLeast(version, a.fixedIn)) }
}
