import t from 'tap'
import { parseDomainsReportAll, parseDomainsReportAllInTurns } from '../../../src/dokku/parsers/domains.js'
import { parsePsReportAll, parsePsReportAllInTurns } from '../../../src/dokku/parsers/ps.js'
import { mapReportSections, parseReportText } from '../../../src/dokku/parsers/report.js'
import { fixture } from './fixture.js'

/** Reports over every app are parsed a few apps at a time: the same answer, the event loop free between. */

/** The fixture's one app, repeated as `n` apps. */
function manyApps (text: string, n: number): string {
  const name = /^=====> (\S+) /m.exec(text)![1]!
  return Array.from({ length: n }, (_, i) => text.split(name).join(`app-${String(i).padStart(3, '0')}`)).join('')
}

t.test('the same reports as the one-go parsers', async (t) => {
  for (const file of ['ps/report-all.txt', 'ps/report-global.txt', 'ps/report.txt']) {
    t.same(await parsePsReportAllInTurns(fixture(file)), parsePsReportAll(fixture(file)), file)
  }
  t.same(await parsePsReportAllInTurns(''), [])
  t.same(await parseDomainsReportAllInTurns(fixture('domains/report-all.txt')), parseDomainsReportAll(fixture('domains/report-all.txt')))
  const big = manyApps(fixture('ps/report.txt'), 300)
  const apps = await parsePsReportAllInTurns(big)
  t.equal(apps.length, 300)
  t.same(apps, parsePsReportAll(big))
  t.same(await parsePsReportAllInTurns(big.replace(/\n/g, '\r\n')), apps, 'CRLF reads the same')
})

t.test('sections are whole, and other work runs while a big report is parsed', async (t) => {
  const big = manyApps(fixture('ps/report.txt'), 300)
  let turns = 0
  let parsing = true
  const tick = () => { if (parsing) { turns++; setImmediate(tick) } }
  setImmediate(tick)
  // A turn after every section: the loop is never held by more than one app's rows.
  const sections = await mapReportSections(big, (s) => s, 0)
  parsing = false
  t.ok(turns >= 100, `the event loop ran in between (${turns} turns)`)
  t.same(sections, parseReportText(big))
  t.same(await mapReportSections(big, (s) => (s.name === 'app-007' ? s.name : undefined), 0), ['app-007'], 'undefined skips a section')
  t.same(await mapReportSections('=====> not a header\n       Label:  value\n', (s) => s.fields.get('label')), ['value'])
})
