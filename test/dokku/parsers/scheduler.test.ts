import t from 'tap'
import { clusterFailure, parseClusterListJson, parseSchedulerReportAll } from '../../../src/dokku/parsers/scheduler.js'
import { fixture } from './fixture.js'

t.test('scheduler:report for every app: each app\'s effective scheduler', async (t) => {
  const apps = parseSchedulerReportAll(fixture('scheduler/report-all.txt'))
  t.same(apps.map((a) => [a.app, a.scheduler, a.appSetting, a.globalSetting]), [['api', 'docker-local', '', ''], ['search', 'k3s', 'k3s', '']])
  t.equal(apps[1]!.raw['computed-shell'], '', 'rows with empty values are kept')
})

t.test('the 0.26 to 0.38.5 layout (global carries the default, no shell rows)', async (t) => {
  const apps = parseSchedulerReportAll(fixture('scheduler/report-0.26.txt'))
  t.same(apps.map((a) => [a.app, a.scheduler, a.globalSetting]), [['api', 'docker-local', 'docker-local'], ['search', 'k3s', 'docker-local']])
})

t.test('no apps, a CRLF terminal, a section without computed value', async (t) => {
  t.same(parseSchedulerReportAll(''), [])
  t.same(parseSchedulerReportAll(fixture('scheduler/report-all.txt').replace(/\n/g, '\r\n')).map((a) => a.scheduler), ['docker-local', 'k3s'])
  const bare = '=====> old scheduler information\n       Scheduler selected:            \n'
  t.equal(parseSchedulerReportAll(bare)[0]?.scheduler, 'docker-local', 'nothing set anywhere: docker-local')
})

t.test('cluster:list --format json: the reference\'s node, and a worker with no roles', async (t) => {
  t.same(parseClusterListJson(fixture('scheduler/cluster-list.json')), [
    { name: 'dokku-main', ready: true, roles: ['control-plane', 'etcd', 'master'], version: 'v1.33.4+k3s1', remoteHost: '' }
  ])
  const two = parseClusterListJson(fixture('scheduler/cluster-list-workers.json'))
  t.same(two[1], { name: 'worker-1', ready: false, roles: [], version: 'v1.33.4+k3s1', remoteHost: 'root@10.0.0.12' })
  t.same(parseClusterListJson('[]\n'), [])
  t.throws(() => parseClusterListJson(fixture('scheduler/cluster-list.txt')), { name: 'OutputParseError' }, 'the text table is not JSON')
  t.throws(() => parseClusterListJson('{"Name":"x"}'), { name: 'OutputParseError' })
  t.throws(() => parseClusterListJson('[{"name":"lowercase"}]'), { name: 'OutputParseError' }, 'Go field names only')
})

t.test('a refused cluster:list: no cluster here, or a cluster whose API does not answer', async (t) => {
  const message = (file: string) => fixture(file).replace(/^ !\s+/, '').trim()
  t.same(clusterFailure(message('scheduler/cluster-no-k3s.stderr.txt')), { state: 'none', message: message('scheduler/cluster-no-k3s.stderr.txt') })
  t.match(clusterFailure(message('scheduler/cluster-not-installed-0.33.stderr.txt')), { state: 'none' })
  t.match(clusterFailure(message('scheduler/cluster-unavailable.stderr.txt')), { state: 'unavailable', message: /^kubernetes api not available/ })
  t.match(clusterFailure('Unable to create kubernetes client: invalid configuration: no configuration has been provided'), { state: 'unavailable' })
  t.equal(clusterFailure('Invalid format: xml'), null, 'anything else is a real failure')
})
