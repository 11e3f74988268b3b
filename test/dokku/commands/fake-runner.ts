import type { RunRequest, RunResult } from '../../../src/dokku/runner.js'
import { ECHO_EATS } from '../../../src/dokku/transport.js'
import { dokkuReceives } from '../ssh-resplit.js'

export type Reply = Partial<Omit<RunResult, 'id'>> & {
  /** Chunks sent to onOutput before the run ends. */
  chunks?: Array<['stdout' | 'stderr', string]>
}
export type Responder = Reply | ((req: RunRequest) => Reply | Promise<Reply>)

export interface Call {
  program: string
  req: RunRequest
  /** What the real runner would store in history: output after `redactOutput`. */
  stored: { stdout: string, stderr: string }
}

let sshByDefault = false

/**
 * From now on, every FakeRunner made in this process answers what dokku would receive over SSH
 * (ssh-resplit.ts): test/dokku/client-ssh.test.ts runs the whole client suite this way.
 */
export function resplitLikeDokkuSsh (): void {
  sshByDefault = true
}

/**
 * A Runner stand-in (structurally `Pick<Runner, 'run'>`): answers by the exact argv joined with
 * spaces, records every call, and fails loudly on a command it was not told about, and on an
 * argv word that dokku's SSH re-split would swallow (`-n`, `-e`, `-E`, …).
 * With `ssh`, the argv first goes through that re-split, and replies, responders and `calls`
 * see what dokku would receive.
 */
export class FakeRunner {
  readonly calls: Call[] = []
  private readonly replies = new Map<string, Responder>()
  readonly ssh: boolean

  constructor (replies: Record<string, Responder> = {}, version = '0.38.27', options: { ssh?: boolean } = {}) {
    this.ssh = options.ssh ?? sshByDefault
    this.replies.set('version', { stdout: `dokku version ${version}\n` })
    for (const [args, reply] of Object.entries(replies)) this.replies.set(args, reply)
  }

  on (args: string, reply: Responder): this {
    this.replies.set(args, reply)
    return this
  }

  /** The argv of every call except `version`. */
  get commands (): string[] {
    return this.calls.map((c) => c.req.args.join(' ')).filter((a) => a !== 'version')
  }

  async run (program: 'dokku', sent: RunRequest): Promise<RunResult> {
    const eaten = sent.args.find((word) => ECHO_EATS.test(word))
    if (eaten !== undefined) {
      throw new Error(`FakeRunner: "${eaten}" in "dokku ${sent.args.join(' ')}" would be swallowed by dokku's SSH re-split: use the long flag`)
    }
    const req = this.ssh ? this.overSsh(sent) : sent
    const key = req.args.join(' ')
    const responder = this.replies.get(key)
    if (responder === undefined) {
      const changed = key === sent.args.join(' ') ? '' : ` (sent as ${JSON.stringify(sent.args)})`
      throw new Error(`FakeRunner: no reply for "dokku ${key}"${changed}`)
    }
    const reply = typeof responder === 'function' ? await responder(req) : responder
    for (const [stream, text] of reply.chunks ?? []) req.onOutput?.(stream, text)
    const result: RunResult = {
      id: this.calls.length + 100,
      status: 'success',
      exitCode: 0,
      stdout: '',
      stderr: '',
      error: null,
      truncated: false,
      durationMs: 1,
      ...reply
    }
    const redact = req.redactOutput ?? ((s: string) => s)
    this.calls.push({ program, req, stored: { stdout: redact(result.stdout), stderr: redact(result.stderr) } })
    return result
  }

  private overSsh (req: RunRequest): RunRequest {
    const received = dokkuReceives(req.args)
    if (received.xargsError !== null) throw new Error(`FakeRunner: dokku's xargs refused "dokku ${req.args.join(' ')}": ${received.xargsError}`)
    return { ...req, args: received.argv }
  }
}

export const failed = (exitCode: number, stderr: string, stdout = ''): Reply => ({ status: 'failed', exitCode, stderr, stdout })
