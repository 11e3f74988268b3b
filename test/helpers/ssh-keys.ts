import { generateKeyPairSync, randomBytes } from 'node:crypto'

/**
 * SSH keys for the tests: fixed public keys with the fingerprints `ssh-keygen -l` printed for
 * them (public keys are not secrets), and private keys made fresh at run time, so that no
 * private key sits in the repository.
 */
export const ED25519 = {
  line: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDVIXPtmlZpUTjr6yEzcdVTwi9cHSUryITQs1wbhfA6o alice@laptop',
  fingerprint: 'SHA256:BBJmGDD8CGBroO4kGu0enX+mPxs+H/71yVE5kQTj7iM'
}
export const RSA = {
  line: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCvqF4nGl2Z+BWp5qXLnlnGVHiknmJFyBH18ZH57mP2ZDmwN0QRx649aUFvNgr/2oFjArBwcY8cmOztCSMrts0d3MAzrM8YIWZBxwP9ySlkhQdU4Q40vnME2Jec98KvjroH9eK6YZkef2NgxjSBDW162bBFyAmoF2Wih/Kp2ivATWLIzEK5547Xi99MdmMh4SNIkZMyt/adKPVGXm+pcp5vWrdvo7RXQ2tojd3iMdMZvkUq7d5yxC1ynOvBvnvyy5/XHtgE2TO18Qcbf4g8TiJMX10KeVxOewsGCn6/KCR3ce8Hem+LHhqraQOKOyG9QLVTE1/jlK91la1XMqzkX6nP ci',
  fingerprint: 'SHA256:c7ZaHEjVZvmNQL44CkARgIT7AA1vmMRf4hgazdITe/k'
}
export const ECDSA = {
  line: 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBPg87D9UcoqoA2KxNBFp4abQc/CXLlU37vxlTUbUZqUgHat5Yy9Qatnrev+A0jdVJv18phQSbMc0TDz4kFMGBuc=',
  fingerprint: 'SHA256:YbTtvqqiZwqasbOdphszH0QkGw14N5HXK6LbRPyS8nw'
}

/** A private key as `ssh-keygen` writes it (OpenSSH armour around random bytes: shaped like one, made now). */
export function openSshPrivateKey (): string {
  const body = randomBytes(300).toString('base64').match(/.{1,70}/g)!.join('\n')
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----\n`
}

/** A real PKCS#8 private key, made now. */
export function pemPrivateKey (): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
}
