import { parseVersion } from '../../../src/dokku/parsers/version.js'

/** Versions on each side of the version matrix's boundaries. */
export const V = {
  current: parseVersion('dokku version 0.38.27\n'),
  v0_38_21: parseVersion('dokku version 0.38.21\n'),
  v0_38_0: parseVersion('dokku version 0.38.0\n'),
  v0_30: parseVersion('dokku version 0.30.0\n'),
  v0_20: parseVersion('dokku version 0.20.0\n'),
  master: parseVersion('dokku version ~master (2026-08-21T20:18+00:00)\n')
}

/** Values no validator may let through. */
export const HOSTILE = ['foo;id', '$(x)', '-n', '--force', '../x', 'a\nb', 'a\u0000b', 'x'.repeat(300), '', 'a b', '`id`', 'a|b', 'a&b']
