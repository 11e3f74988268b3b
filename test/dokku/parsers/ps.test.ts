import t from 'tap'
import { OutputParseError } from '../../../src/dokku/errors.js'
import { parsePsReport, parsePsReportAll, parseScaleJson, parseScaleText } from '../../../src/dokku/parsers/ps.js'
import { fixture } from './fixture.js'

t.test('ps:report current Go text and JSON agree', async (t) => {
  const text = parsePsReport('node-js-app', fixture('ps/report.txt'), 'text')
  const json = parsePsReport('node-js-app', fixture('ps/report.json'), 'json')
  for (const r of [text, json]) {
    t.equal(r.deployed, true)
    t.equal(r.state, 'running')
    t.equal(r.processCount, 2)
    t.equal(r.canScale, true)
    t.equal(r.restore, true)
    t.equal(r.restartPolicy, 'on-failure:10')
    t.equal(r.procfilePath, 'Procfile')
    t.same(r.processes, [
      { type: 'web', index: 1, status: 'running', cid: '3fa8b2c1d9e' },
      { type: 'worker', index: 1, status: 'exited', cid: '71c0d9a2b4f' }
    ])
    t.equal(r.raw['computed-stop-timeout-seconds'], '30')
    t.equal(r.raw['start-cmd'], '')
  }
})

t.test('ps:report from the docs (stale): undeployed, no Status rows', async (t) => {
  const r = parsePsReport('node-js-app', fixture('ps/report-docs-old.txt'), 'text')
  t.equal(r.deployed, false)
  t.equal(r.state, 'undeployed')
  t.equal(r.processCount, 0)
  t.same(r.processes, [])
  t.equal(r.restartPolicy, 'on-failure:10')
})

t.test('ps:report from bash ≤0.21: unsorted, padded values, Status web.1 and a 12-char CID', async (t) => {
  const r = parsePsReport('node-js-app', fixture('ps/report-bash-0.20.txt'), 'text')
  t.equal(r.state, 'running')
  t.equal(r.processCount, 1)
  t.equal(r.restartPolicy, 'on-failure:10', 'from the old "Restart policy:" key')
  t.same(r.processes, [{ type: 'web', index: 1, status: 'running', cid: '3fa8b2c1d9e0' }])
})

t.test('ps:report 0.30 layout: raw restart policy before 0.38.9', async (t) => {
  const r = parsePsReport('node-js-app', fixture('ps/report-0.30.txt'), 'text')
  t.equal(r.restartPolicy, 'on-failure:10')
  t.equal(r.procfilePath, 'Procfile')
  t.same(r.processes, [{ type: 'web', index: 1, status: 'running', cid: '3fa8b2c1d9e' }])
})

t.test('ps:report JSON before 0.38.8: prefixed keys, mixed state, numeric order, dashed process types', async (t) => {
  const r = parsePsReport('node-js-app', fixture('ps/report-0.23.json'), 'json')
  t.equal(r.state, 'mixed')
  t.equal(r.canScale, true)
  t.equal(r.restartPolicy, 'on-failure:10')
  t.same(r.processes.map((p) => `${p.type}.${p.index}:${p.status}`), [
    'my-worker.1:exited', 'web.1:running', 'web.2:missing', 'web.10:running'
  ])
})

t.test('Go labels with dashes in the process type', async (t) => {
  const r = parsePsReport('a', '=====> a ps information\n       Deployed: true\n       Running: false\n       Status my worker 10: restarting (CID: abcdef01234)\n       Status web 1: weird\n', 'text')
  t.equal(r.state, 'stopped')
  t.same(r.processes, [
    { type: 'my-worker', index: 10, status: 'restarting', cid: 'abcdef01234' },
    { type: 'web', index: 1, status: 'weird', cid: null }
  ])
  t.equal(parsePsReport('a', '       Processes: -1\n', 'text').processCount, null, 'dokku reports -1 on error')
})

t.test('ps:report for every app in one call', async (t) => {
  const all = parsePsReportAll(fixture('ps/report-all.txt'))
  t.same(all.map((r) => [r.app, r.state, r.processes.length]), [['node-js-app', 'running', 2], ['python-app', 'undeployed', 0]])
  t.same(parsePsReportAll(fixture('ps/report-global.txt')), [], 'a --global section is not an app')
  t.same(parsePsReportAll(''), [], 'no apps: nothing on stdout')
})

t.test('ps:scale table with headers, --quiet, squeezed, and JSON', async (t) => {
  t.same(parseScaleText(fixture('ps/scale.txt')), [{ type: 'web', quantity: 1 }])
  t.same(parseScaleText(fixture('ps/scale-quiet.txt')), [
    { type: 'beat', quantity: 0 }, { type: 'web', quantity: 4 }, { type: 'worker', quantity: 1 }
  ])
  t.same(parseScaleText(fixture('ps/scale-quiet-squeezed.txt')).map((p) => `${p.type}=${p.quantity}`),
    ['cron=0', 'custom=0', 'release=0', 'web=1', 'worker=0'])
  t.same(parseScaleJson(fixture('ps/scale.json')), [{ type: 'web', quantity: 1 }, { type: 'worker', quantity: 4 }])
  t.same(parseScaleJson('[]'), [])
  t.same(parseScaleText(fixture('ps/scale-deploy.txt')), [], 'deploy output has no formation rows')
})

t.test('ps:scale JSON that is not a formation', async (t) => {
  t.throws(() => parseScaleJson('{}'), OutputParseError)
  t.throws(() => parseScaleJson('[{"process_type":"web","quantity":"1"}]'), OutputParseError)
})
