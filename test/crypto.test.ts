import t from 'tap'
import { maskSecret, SecretBox } from '../src/crypto/secret-box.js'

const SECRET = 'a-session-secret-that-is-long-enough-0123456789'

t.test('sealed values open with the same secret and purpose only', async (t) => {
  const box = new SecretBox(SECRET, 'webhooks')
  const sealed = box.seal('https://hooks.slack.com/services/T000/B000/XXXX')
  t.notMatch(sealed, /hooks\.slack\.com/)
  t.not(box.seal('same'), box.seal('same'), 'a fresh IV each time')
  t.equal(box.open(sealed), 'https://hooks.slack.com/services/T000/B000/XXXX')
  t.equal(new SecretBox(SECRET, 'notifications').open(sealed), null, 'another purpose has another key')
  t.equal(new SecretBox(SECRET.replace('a', 'b'), 'webhooks').open(sealed), null, 'another secret')
  const [v, iv, tag, body] = sealed.split('.')
  t.equal(box.open([v, iv, tag, body!.slice(0, -2) + (body!.endsWith('A') ? 'B' : 'A')].join('.')), null, 'tampering is refused')
  for (const junk of ['', 'v1', 'v2.a.b.c', 'v1.!.!.!']) t.equal(box.open(junk), null, JSON.stringify(junk))
  t.throws(() => new SecretBox('short', 'x'))
})

t.test('masking shows the start and the length, never the rest', async (t) => {
  t.equal(maskSecret('whsec_0123456789abcdef'), 'whse…•••••• (22 characters)')
  t.equal(maskSecret('short'), '••••••••')
})
