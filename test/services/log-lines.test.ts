import t from 'tap'
import type { LogLine } from '../../src/dokku/parsers/logs.js'
import {
  formatLogLine, inTimeOrder, laterThan, newestTimestamp, normalizeTimestamp, processColour, validateSince
} from '../../src/services/log-lines.js'

/** How the logs service shows and orders dokku's log lines. */

function line (timestamp: string | null, process: string | null, message: string): LogLine {
  return { timestamp, time: null, process, processType: null, index: null, message }
}

t.test('line helpers', async (t) => {
  t.equal(normalizeTimestamp('2024-01-01T00:00:00.5Z'), '2024-01-01T00:00:00.500000000Z')
  t.equal(normalizeTimestamp('2024-01-01T00:00:00Z'), '2024-01-01T00:00:00.000000000Z')
  t.equal(normalizeTimestamp('yesterday'), null)
  t.ok(laterThan('2024-01-01T00:00:00.000000002Z', '2024-01-01T00:00:00.000000001Z'))
  t.notOk(laterThan('2024-01-01T00:00:00.000000001Z', '2024-01-01T00:00:00.000000001Z'))
  t.ok(laterThan('not a time', '2024-01-01T00:00:00.000000001Z'), 'a line without a readable time is kept')
  t.throws(() => validateSince('2024-01-01 00:00'), { name: 'InvalidArgumentError', field: 'since' })
  t.throws(() => validateSince('x'.repeat(50)), { name: 'InvalidArgumentError' })
  t.equal(processColour('web.1'), processColour('web.1'))
  t.ok(processColour('web.1') >= 0 && processColour('web.1') < 5)
  t.same(formatLogLine({ timestamp: null, time: null, process: null, processType: null, index: null, message: 'raw' }),
    { text: 'raw', timestamp: null, process: null, message: 'raw' })
})

t.test('containers\' blocks are merged in time order; lines without a time keep dokku\'s order', async (t) => {
  const web = [line('2024-01-01T00:00:01Z', 'web.1', 'a'), line('2024-01-01T00:00:03.5Z', 'web.1', 'c')]
  const worker = [line('2024-01-01T00:00:02.000000001Z', 'worker.1', 'b')]
  t.same(inTimeOrder([...web, ...worker]).map((l) => l.message), ['a', 'b', 'c'])
  t.equal(newestTimestamp([...web, ...worker]), '2024-01-01T00:00:03.500000000Z', 'the tail starts after the newest')

  const raw = [line(null, null, 'z'), ...web, ...worker]
  t.same(inTimeOrder(raw).map((l) => l.message), ['z', 'a', 'c', 'b'], 'unchanged when a line has no time')
  t.equal(newestTimestamp([line(null, null, 'z')]), null)
})
