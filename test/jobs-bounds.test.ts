/**
 * The job manager's memory bounds: a job's output, a line that never ends, and the finished
 * jobs kept for late watchers. History keeps the full record either way.
 */
import t from 'tap'
import { openDatabase } from '../src/db/database.js'
import { HistoryRepository } from '../src/db/history.js'
import { JobManager, MAX_JOB_OUTPUT, MAX_PARTIAL_LINE, type JobEvent } from '../src/jobs/manager.js'

function setup () {
  const history = new HistoryRepository(openDatabase(':memory:'))
  return { history, jobs: new JobManager(history) }
}

t.test('a chatty job keeps a bounded copy of its output, and its watchers still get every line', async (t) => {
  const { jobs } = setup()
  const line = 'x'.repeat(1023) + '\n'
  const total = Math.ceil((MAX_JOB_OUTPUT * 1.5) / line.length)
  let streamed = 0
  const job = jobs.start({
    host: 'local',
    remote: false,
    app: 'chatty',
    label: 'Flood',
    run: async (ctx) => {
      await new Promise((resolve) => setImmediate(resolve))
      ctx.onStart()
      for (let i = 0; i < total; i++) ctx.onOutput('stdout', line)
    }
  })
  jobs.subscribe(job.id, (e: JobEvent) => { if (e.type === 'output') streamed += e.text.length })
  await jobs.drain()
  const done = jobs.get(job.id)!
  t.ok(done.output.length <= MAX_JOB_OUTPUT + 200, `memory holds at most the cap (${done.output.length})`)
  t.match(done.output, /\[output truncated at 512 KiB; the job goes on\]/)
  t.equal(streamed, total * line.length, 'every line reached the watcher')
})

t.test('a line without a newline is cut at the cap instead of growing', async (t) => {
  const { jobs } = setup()
  const job = jobs.start({
    host: 'local',
    remote: false,
    app: 'progress',
    label: 'Progress bar',
    run: async (ctx) => {
      for (let i = 0; i < 200; i++) ctx.onOutput('stdout', '#'.repeat(1024))
    }
  })
  await jobs.drain()
  const { output } = jobs.get(job.id)!
  t.match(output, /\[line cut\]/)
  t.ok(output.split('\n').every((l) => l.length <= MAX_PARTIAL_LINE + 20))
})

t.test('finished jobs leave memory beyond a count; their history rows stay', async (t) => {
  const { jobs, history } = setup()
  const ids: number[] = []
  for (let i = 0; i < 60; i++) {
    ids.push(jobs.start({ host: 'local', remote: false, app: `app-${i}`, label: `Job ${i}`, run: async (ctx) => { ctx.onStart(); ctx.onOutput('stdout', `done ${i}\n`) } }).id)
    await jobs.drain()
  }
  t.equal(jobs.get(ids[0]!), undefined, 'the oldest finished job was let go')
  t.ok(jobs.get(ids[59]!), 'the newest is still in memory')
  t.equal(history.getRow(ids[0]!)!.label, 'Job 0', 'history has it')
})
