import type { RunRequest, RunResult } from '../../../src/dokku/runner.js'

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

/**
 * A Runner stand-in (structurally `Pick<Runner, 'run'>`): answers by the exact argv joined with
 * spaces, records every call, and fails loudly on a command it was not told about.
 */
export class FakeRunner {
  readonly calls: Call[] = []
  private readonly replies = new Map<string, Responder>()

  constructor (replies: Record<string, Responder> = {}, version = '0.38.27') {
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

  async run (program: 'dokku', req: RunRequest): Promise<RunResult> {
    const key = req.args.join(' ')
    const responder = this.replies.get(key)
    if (responder === undefined) throw new Error(`FakeRunner: no reply for "dokku ${key}"`)
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
}

export const failed = (exitCode: number, stderr: string, stdout = ''): Reply => ({ status: 'failed', exitCode, stderr, stdout })
