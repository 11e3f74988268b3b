import { OutputParseError } from '../errors.js'
import { certsReportFromFields, type CertsReport } from './certs.js'
import { isTrue, splitLines, words } from './common.js'
import { parseReportText, stripPrefix } from './report.js'

/**
 * Parsers for what a host itself has (server.md): its SSH keys, global domains, disk figures
 * from `dokku report`, the Let's Encrypt cron job, whether dokku runs as root, and every app's
 * certificate in one `certs:report`.
 */

// ---- ssh-keys:list ---------------------------------------------------------------------------

export interface SshKey {
  /** `SHA256:…`, or an MD5 `2a:f7:…` for keys added long ago. */
  fingerprint: string
  name: string
  /** sshcommand's forced options (`no-agent-forwarding,…`); '' when the line has none. */
  options: string
}

// `<fingerprint> NAME="<name>" SSHCOMMAND_ALLOWED_KEYS="<options>"` (the name unquoted on very old lines).
const KEY_LINE = /^(\S+) NAME=(?:"(.*?)"|(\S*))(?: SSHCOMMAND_ALLOWED_KEYS="(.*)")?\s*$/

/** `ssh-keys:list` as text: one line per key, in file order; blank lines (only comments in the file) are none. */
export function parseSshKeysList (stdout: string): SshKey[] {
  const keys: SshKey[] = []
  for (const line of splitLines(stdout)) {
    if (line.trim() === '') continue
    const m = line.match(KEY_LINE)
    if (!m) throw new OutputParseError(`expected "<fingerprint> NAME=… SSHCOMMAND_ALLOWED_KEYS=…", got: ${line.slice(0, 120)}`)
    keys.push({ fingerprint: m[1]!, name: m[2] ?? m[3] ?? '', options: m[4] ?? '' })
  }
  return keys
}

/**
 * No keys at all is an error to dokku (exit 1) but an answer to us: `authorized_keys is empty
 * for dokku` / `… not found for dokku` (sshcommand, no prefix, dokku ≥0.35.16), or
 * ` !     No public keys found.` (dokku's own check before that).
 */
export function isNoKeys (stderr: string): boolean {
  return /authorized_keys is empty for dokku|authorized_keys not found for dokku|No public keys found\./.test(stderr)
}

/** The fingerprint `ssh-keys:add` prints on success (one line), or null. */
export function parseAddedFingerprint (stdout: string): string | null {
  for (const line of splitLines(stdout)) {
    const m = line.trim().match(/^(SHA256:[A-Za-z0-9+/]{43}|(?:MD5:)?[0-9a-f]{2}(?::[0-9a-f]{2}){15})(?:\s|$)/)
    if (m) return m[1]!
  }
  return null
}

// ---- domains:report --global -------------------------------------------------------------------

export interface GlobalDomains {
  enabled: boolean
  vhosts: string[]
}

/** `domains:report --global` as text (Go `--global domains information`, bash `Global domains information`). */
export function parseGlobalDomains (stdout: string): GlobalDomains {
  const sections = parseReportText(stdout)
  const section = sections.find((s) => s.global) ?? sections[0]
  if (!section) throw new OutputParseError('expected the global domains report, got no rows')
  const fields = stripPrefix(section.fields, 'domains')
  return { enabled: isTrue(fields.get('global-enabled')), vhosts: words(fields.get('global-vhosts')) }
}

// ---- dokku report (global section) -------------------------------------------------------------

export interface DiskUsage {
  filesystem: string
  /** Where it is mounted (`/`, `/var/lib/docker`). */
  mount: string
  sizeBytes: number
  usedBytes: number
  availBytes: number
  /** df's Use% column. */
  usePercent: number
}

export interface HostReport {
  /** `uname -a`, as dokku prints it; '' when missing. */
  uname: string
  /**
   * `df -h` rows, limited by dokku to btrfs, ext2/3/4, vfat and iso9660 (server.md §7): an XFS,
   * ZFS or overlay root shows none.
   */
  disk: DiskUsage[]
  /** Tool versions dokku lists (`git version: git version 2.43.0` → git: …). */
  versions: Record<string, string>
}

const UNITS: Record<string, number> = { '': 1, B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4, P: 1024 ** 5, E: 1024 ** 6 }

/** df -h's sizes (`78G`, `4.6M`, `512K`, `0`), in bytes (approximate: df rounds). */
export function parseHumanSize (text: string): number | null {
  const m = text.trim().match(/^(\d+(?:[.,]\d+)?)([BKMGTPE]?)i?$/)
  if (!m) return null
  return Math.round(Number(m[1]!.replace(',', '.')) * UNITS[m[2] ?? '']!)
}

/** One `df -h` row: `/dev/vda1 78G 31G 47G 40% /` (a mount point may hold spaces). */
function diskRow (line: string): DiskUsage | null {
  const parts = line.trim().split(/\s+/)
  if (parts.length < 6) return null
  const [filesystem, size, used, avail, pct] = parts
  const mount = parts.slice(5).join(' ')
  const sizeBytes = parseHumanSize(size!)
  const usedBytes = parseHumanSize(used!)
  const availBytes = parseHumanSize(avail!)
  const usePercent = pct!.match(/^(\d{1,3})%$/)
  if (sizeBytes === null || usedBytes === null || availBytes === null || !usePercent || !mount.startsWith('/')) return null
  return { filesystem: filesystem!, mount, sizeBytes, usedBytes, availBytes, usePercent: Number(usePercent[1]) }
}

/**
 * The global section of `dokku report` (server.md §9.2): `-----> name: value` headers, blocks
 * indented 7 spaces. Reads the uname line, the `disk utilization` block and the one-line tool
 * versions; the rest (docker info, herokuish) is left alone.
 */
export function parseHostReport (stdout: string): HostReport {
  const report: HostReport = { uname: '', disk: [], versions: {} }
  let block: string | null = null
  let sawHeader = false
  for (const line of splitLines(stdout)) {
    const head = line.match(/^-----> ([^:]+):(?: (.*))?$/)
    if (head) {
      sawHeader = true
      const name = head[1]!.trim()
      const value = (head[2] ?? '').trim()
      block = value === '' ? name : null
      if (name === 'uname') report.uname = value
      else if (name.endsWith(' version') && value !== '') report.versions[name.slice(0, -' version'.length)] = value
      continue
    }
    if (block === 'disk utilization' && line.startsWith('       ') && !/^\s*Filesystem\s/.test(line)) {
      const row = diskRow(line)
      if (row) report.disk.push(row)
    }
  }
  if (!sawHeader) throw new OutputParseError(`expected dokku's report ("-----> uname: …"), got: ${stdout.trim().slice(0, 120)}`)
  return report
}

// ---- letsencrypt:cron-job ----------------------------------------------------------------------

/** `unknown`: plugins before 0.25.0 print no status ("Specify --add or --remove …"). */
export type CronJobState = 'enabled' | 'disabled' | 'unknown'

export function parseCronJobStatus (stdout: string): CronJobState {
  if (/Auto-renew cron job is enabled/.test(stdout)) return 'enabled'
  if (/Auto-renew cron job is not enabled/.test(stdout)) return 'disabled'
  if (/Specify --add or --remove/.test(stdout)) return 'unknown'
  throw new OutputParseError(`expected the auto-renew cron job's status, got: ${stdout.trim().slice(0, 120)}`)
}

// ---- certs:report (every app) ------------------------------------------------------------------

/** `certs:report` with no app: one text section per app (`<app> ssl information`). */
export function parseCertsReportAll (stdout: string, now?: Date): CertsReport[] {
  return parseReportText(stdout)
    .filter((s) => !s.global && s.name !== '')
    .map((s) => certsReportFromFields(s.name, stripPrefix(s.fields, 'ssl'), now))
}
