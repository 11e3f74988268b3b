/**
 * The command group of a history row: the dokku plugin a command belongs to (`ps`, `config`,
 * `postgres`, `logs`…), read from the display argv `dokku [--global-flags] plugin:sub …`.
 * Anything that is not a dokku command line (a job's label before it starts) has none.
 */
export function commandGroup (command: string): string | null {
  const words = command.split(' ')
  if (words[0] !== 'dokku') return null
  const sub = words.slice(1).find((w) => !w.startsWith('-'))
  if (sub === undefined) return null
  const group = sub.split(':')[0]!
  return /^[a-z0-9][a-z0-9_-]{0,40}$/.test(group) ? group : null
}
