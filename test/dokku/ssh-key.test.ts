/**
 * SSH keys as Docklight checks them before dokku sees them: one OpenSSH public key whose blob
 * holds the type it claims, a strictly named key, and a private key refused with a message
 * that never repeats it.
 */
import t from 'tap'
import { InvalidArgumentError } from '../../src/dokku/errors.js'
import { looksLikePrivateKey, parsePublicKey, PRIVATE_KEY_REFUSED, validateFingerprint, validateSshKeyName } from '../../src/dokku/ssh-key.js'
import { ECDSA, ED25519, openSshPrivateKey, pemPrivateKey, RSA } from '../helpers/ssh-keys.js'

function refusal (fn: () => unknown): string {
  try {
    fn()
  } catch (err) {
    if (err instanceof InvalidArgumentError) return err.message
    throw err
  }
  throw new Error('expected a refusal')
}

t.test('a public key is parsed, with the fingerprint ssh-keygen prints for it', async (t) => {
  for (const k of [ED25519, RSA, ECDSA]) {
    const key = parsePublicKey(k.line)
    t.equal(key.fingerprint, k.fingerprint, k.line.slice(0, 20))
    t.equal(key.line, k.line)
  }
  const pasted = parsePublicKey(`  ${ED25519.line}\r\n\n`)
  t.equal(pasted.line, ED25519.line, 'surrounding blanks and a Windows line end are dropped')
  t.equal(pasted.comment, 'alice@laptop')
  t.equal(parsePublicKey(ECDSA.line).comment, '')
})

t.test('anything else is refused, saying why', async (t) => {
  const [type, b64] = ED25519.line.split(' ')
  t.match(refusal(() => parsePublicKey('')), /Paste the public key/)
  t.match(refusal(() => parsePublicKey(`${ED25519.line}\n${RSA.line}`)), /one key at a time/)
  t.match(refusal(() => parsePublicKey(`no-pty ${ED25519.line}`)), /without authorized_keys options/)
  t.match(refusal(() => parsePublicKey('ssh-foo AAAA')), /not an OpenSSH public key/)
  t.match(refusal(() => parsePublicKey(`${type} ${b64!.slice(0, 40)}`)), /not valid base64|not a whole ssh-ed25519 key/, 'a key cut short')
  t.match(refusal(() => parsePublicKey(`ssh-rsa ${b64}`)), /not a whole ssh-rsa key/, 'an ed25519 blob under the rsa type')
  t.match(refusal(() => parsePublicKey(`${type} ${b64} "quoted"`)), /comment/)
  t.match(refusal(() => parsePublicKey(`${type} ${b64} back\\slash`)), /comment/)
  t.match(refusal(() => parsePublicKey('x'.repeat(20_000))), /far longer/)
})

t.test('a private key pasted by mistake is refused, and the message never repeats it', async (t) => {
  for (const privateKey of [openSshPrivateKey(), pemPrivateKey(), 'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n']) {
    t.ok(looksLikePrivateKey(privateKey))
    const message = refusal(() => parsePublicKey(privateKey))
    t.equal(message, PRIVATE_KEY_REFUSED)
    const body = privateKey.split('\n').find((l) => l.length > 20 && !l.startsWith('-----'))
    if (body) t.notOk(message.includes(body.slice(0, 16)), 'none of the key is in the message')
  }
  t.match(refusal(() => parsePublicKey(`${ED25519.line}\n${openSshPrivateKey()}`)), /private key/, 'even behind a public key')
  t.notOk(looksLikePrivateKey(ED25519.line))
})

t.test('key names and fingerprints', async (t) => {
  for (const ok of ['alice', 'ci-bot', 'alice@laptop', 'deploy.bot_2', 'A'.repeat(64)]) t.equal(validateSshKeyName(ok), ok)
  t.equal(validateSshKeyName(' bob '), 'bob')
  for (const bad of ['', '-x', '.hidden', 'a b', 'a"b', 'a/b', 'a;id', '$(id)', 'A'.repeat(65), 'ünï', 'a\nb']) {
    t.throws(() => validateSshKeyName(bad), InvalidArgumentError, JSON.stringify(bad))
  }
  t.equal(validateFingerprint(ED25519.fingerprint), ED25519.fingerprint)
  t.equal(validateFingerprint('2a:f7:39:10:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55'), '2a:f7:39:10:aa:bb:cc:dd:ee:ff:00:11:22:33:44:55')
  for (const bad of ['SHA256:short', 'alice', '--fingerprint', `${ED25519.fingerprint} x`]) t.throws(() => validateFingerprint(bad), InvalidArgumentError)
})
