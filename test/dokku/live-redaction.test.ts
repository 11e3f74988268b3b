/**
 * Secrets in live output: every command whose output can carry a secret redacts what a job
 * panel streams exactly as it redacts what history stores, whatever the chunk boundaries.
 */
import t from 'tap'
import { DokkuClient, type OutputListener } from '../../src/dokku/client.js'
import { MAX_LINE_CHARS, LineSplitter } from '../../src/dokku/parsers/logs.js'
import { MAX_PENDING_LINE, redactingOutput } from '../../src/dokku/redact.js'
import { FakeRunner } from './commands/fake-runner.js'
import { fixture } from './parsers/fixture.js'

const DSN_PASSWORD = 'a1b2c3d4e5f6'

/** Splits text into chunks of `size` characters, as a pipe may deliver it. */
function chunked (text: string, size: number): Array<['stdout', string]> {
  const out: Array<['stdout', string]> = []
  for (let i = 0; i < text.length; i += size) out.push(['stdout', text.slice(i, i + size)])
  return out
}

interface Case {
  name: string
  args: string
  stdout: string
  secret: string
  run: (client: DokkuClient, onOutput: OutputListener) => Promise<unknown>
}

const linkOutput = fixture('databases/link.txt')
const createOutput = fixture('databases/create.txt') + fixture('databases/info.txt')

const CASES: Case[] = [
  {
    name: 'postgres:create (its info block ends with the DSN)',
    args: 'postgres:create lollipop',
    stdout: createOutput,
    secret: DSN_PASSWORD,
    run: (c, onOutput) => c.createService('postgres', 'lollipop', { onOutput })
  },
  {
    name: 'postgres:link (sets DATABASE_URL and prints it)',
    args: 'postgres:link lollipop playground',
    stdout: linkOutput,
    secret: DSN_PASSWORD,
    run: (c, onOutput) => c.linkService('postgres', 'lollipop', 'playground', { onOutput })
  },
  {
    name: 'config:set (a deploy that echoes the value)',
    args: `--quiet config:set --encoded node-js-app API_KEY=${Buffer.from('sk_live_0123456789').toString('base64')}`,
    stdout: '-----> Restarting app node-js-app\n       booting with sk_live_0123456789\n',
    secret: 'sk_live_0123456789',
    run: (c, onOutput) => c.configSet('node-js-app', { API_KEY: 'sk_live_0123456789' }, { onOutput })
  }
]

for (const c of CASES) {
  t.test(`${c.name}: live output is redacted like the stored copy`, async (t) => {
    t.match(c.stdout, c.secret, 'the fixture really holds the secret')
    for (const size of [1, 7, 64, 100_000]) {
      const runner = new FakeRunner({ [c.args]: { stdout: c.stdout, chunks: chunked(c.stdout, size) } })
      const live: string[] = []
      await c.run(new DokkuClient(runner), (_stream, text) => live.push(text))
      const streamed = live.join('')
      t.notMatch(streamed, c.secret, `no secret in the live stream (chunks of ${size})`)
      t.equal(streamed, runner.calls.at(-1)!.stored.stdout, `the live copy is the stored copy (chunks of ${size})`)
    }
  })
}

t.test('bounded: a partial line waits for its newline only up to a cap, then is redacted and passed on', async (t) => {
  const seen: string[] = []
  const out = redactingOutput((_s, text) => seen.push(text), (s) => s.replaceAll('hunter2', '<redacted>'))
  out.onOutput('stdout', 'hunter2 ')
  t.same(seen, [], 'a short partial line waits')
  out.onOutput('stdout', 'x'.repeat(MAX_PENDING_LINE))
  t.equal(seen.length, 1, 'a huge one does not')
  t.ok(seen[0]!.startsWith('<redacted> x'))
  out.onOutput('stdout', 'tail\n')
  out.flush()
  t.equal(seen.at(-1), 'tail\n')
})

t.test('bounded: the log line splitter cuts a line that never ends', async (t) => {
  const splitter = new LineSplitter()
  let lines: string[] = []
  for (let i = 0; i < 10; i++) lines = lines.concat(splitter.push('y'.repeat(MAX_LINE_CHARS / 4)))
  t.ok(lines.length >= 2, 'pieces come out before any newline')
  t.ok(lines.every((l) => l.length <= MAX_LINE_CHARS))
  t.same(splitter.push('z\nnext'), ['y'.repeat((10 * MAX_LINE_CHARS / 4) % MAX_LINE_CHARS) + 'z'])
  t.same(splitter.flush(), ['next'])
})
