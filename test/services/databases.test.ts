import t from 'tap'
import { maskDsn } from '../../src/services/databases.js'

/** The pure rules of the databases service. */

t.test('maskDsn hides the password and nothing else', async (t) => {
  t.equal(maskDsn('postgres://postgres:s3cr3t@dokku-postgres-x:5432/x'), 'postgres://postgres:••••@dokku-postgres-x:5432/x')
  t.equal(maskDsn('redis://:abc@dokku-redis-cache:6379'), 'redis://:••••@dokku-redis-cache:6379')
  t.equal(maskDsn('mongodb://svc:pw@host:27017/db'), 'mongodb://svc:••••@host:27017/db')
  t.equal(maskDsn('postgres://host/db'), 'postgres://host/db')
  t.equal(maskDsn(''), '')
})
