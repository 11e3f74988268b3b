import t from 'tap'
import { stripAnsi } from '../../../src/dokku/parsers/common.js'
import { LineSplitter, parseLogLine, parseLogs } from '../../../src/dokku/parsers/logs.js'
import { fixture } from './fixture.js'

t.test('log lines with the colour codes dokku always adds', async (t) => {
  const [line] = parseLogs(fixture('logs/ansi.txt'))
  t.same(line, {
    timestamp: '2024-01-01T00:00:00.123456789Z',
    time: new Date('2024-01-01T00:00:00.123Z'),
    process: 'web.1',
    processType: 'web',
    index: 1,
    message: 'GET / 200'
  })
})

t.test('log lines without colour (already stripped)', async (t) => {
  const lines = parseLogs(fixture('logs/plain.txt'))
  t.same(lines.map((l) => [l.process, l.message]), [['web.1', 'GET / 200'], ['worker.1', 'processing job 42']])
  t.equal(lines[1]?.timestamp, '2024-01-01T00:00:00.456789012Z')
})

t.test('several containers and colours, an empty message', async (t) => {
  const lines = parseLogs(fixture('logs/multi.txt'))
  t.same(lines.map((l) => `${l.process}|${l.message}`), ['web.1|GET / 200', 'worker.1|processing job 42', 'web.2|'])
  t.notMatch(JSON.stringify(lines), /\\u001b/)
})

t.test('raw (-q) lines, \\r\\n, and text that only looks like a prefix', async (t) => {
  t.same(parseLogLine('plain output\r'), { timestamp: null, time: null, process: null, processType: null, index: null, message: 'plain output' })
  t.equal(parseLogLine('hello 2024-01-01T00:00:00.1Z app[web.1]: x').process, null, 'anchored at the start')
  const odd = parseLogLine('2024-01-01T00:00:00Z app[release]: done')
  t.equal(odd.processType, 'release')
  t.equal(odd.index, null)
  t.equal(stripAnsi('\x1b[1;31mred\x1b[0m'), 'red')
})

t.test('the line splitter keeps partial lines for the next chunk', async (t) => {
  const s = new LineSplitter()
  t.same(s.push('a\nb'), ['a'])
  t.same(s.push('c\n'), ['bc'])
  t.same(s.push('d'), [])
  t.same(s.flush(), ['d'])
  t.same(s.flush(), [])
})
