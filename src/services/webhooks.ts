import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { maskSecret } from '../crypto/secret-box.js'
import type { Delivery, DeliveryOutcome, DeliveryProvider, Webhook } from '../db/webhooks.js'
import { InvalidArgumentError } from '../dokku/errors.js'
import { validateCommitSha, validateGitRef, validateRepoUrl } from '../dokku/validate-deploy.js'
import type { Host } from '../hosts/host.js'
import { AppBusyError } from '../jobs/manager.js'
import { withOrigin } from '../run-context.js'
import { storeOf } from './deploy-store.js'
import { deployFromGit } from './deploys.js'

/**
 * Deploy webhooks (`POST /hooks/github/:app`, `POST /hooks/generic/:app`): no session, no
 * Origin check; the HMAC-SHA256 of the raw body under the app's secret is the only key. A push
 * to the configured branch runs `git:sync --build` of its commit from the configured
 * repository (never one the payload names). Every delivery is listed with its outcome.
 *
 * The generic form: header `X-Docklight-Signature-256: sha256=<hex HMAC-SHA256 of the body>`,
 * optional `X-Docklight-Delivery: <id>` (a replayed id is a no-op), JSON body
 * `{"ref": "refs/heads/main", "sha": "<40 hex>"}`.
 */

export const GENERIC_SIGNATURE_HEADER = 'x-docklight-signature-256'
export const GENERIC_DELIVERY_HEADER = 'x-docklight-delivery'

export interface WebhookView {
  configured: boolean
  repoUrl: string
  branch: string
  createdAt: string | null
  /** The secret as the page may show it after the first time: masked. */
  secretMasked: string | null
  /** The payload URLs, from DOCKLIGHT_PUBLIC_URL or the request. */
  urls: { github: string; generic: string }
  /** Behind a proxy that rewrites the address, the URLs may be wrong until DOCKLIGHT_PUBLIC_URL is set. */
  fromRequest: boolean
  deliveries: Delivery[]
}

/** Where the request came in, for payload URLs when DOCKLIGHT_PUBLIC_URL is unset. */
export interface RequestBase {
  origin: string
  /** `''` or `/hosts/<name>`: the webhook lives on the host's URLs. */
  hostBase: string
}

function payloadUrls (host: Host, app: string, request: RequestBase): { github: string; generic: string; fromRequest: boolean } {
  const publicUrl = storeOf(host).publicUrl
  const base = `${publicUrl ?? request.origin}${request.hostBase}/hooks`
  return { github: `${base}/github/${app}`, generic: `${base}/generic/${app}`, fromRequest: publicUrl === null }
}

/** Bound: deliveries the deploy page lists. */
const DELIVERIES_SHOWN = 20

export function webhookView (host: Host, app: string, request: RequestBase): WebhookView {
  const store = storeOf(host)
  const hook = store.webhooks.get(host.name, app)
  const secret = hook ? store.secrets.open(hook.sealedSecret) : null
  const { github, generic, fromRequest } = payloadUrls(host, app, request)
  return {
    configured: hook !== undefined,
    repoUrl: hook?.repoUrl ?? '',
    branch: hook?.branch ?? '',
    createdAt: hook?.createdAt ?? null,
    secretMasked: secret === null ? null : maskSecret(secret),
    urls: { github, generic },
    fromRequest,
    deliveries: store.webhooks.deliveries(host.name, app, DELIVERIES_SHOWN)
  }
}

/** A new webhook (or a new secret for the old one): the secret is returned this once, never again. */
export function setupWebhook (host: Host, app: string, form: { repo: string; branch: string }, request: RequestBase): { view: WebhookView; secret: string } {
  const repoUrl = validateRepoUrl(form.repo.trim(), 'webhookRepo').url
  const branch = validateGitRef(form.branch.trim() || 'main', 'webhookBranch')
  if (/^[0-9a-f]{40}$/.test(branch)) throw new InvalidArgumentError('webhookBranch', 'Give the branch whose pushes deploy, not a commit')
  const store = storeOf(host)
  const secret = randomBytes(32).toString('hex')
  store.webhooks.save({ host: host.name, app, sealedSecret: store.secrets.seal(secret), repoUrl, branch })
  return { view: webhookView(host, app, request), secret }
}

export function removeWebhook (host: Host, app: string): boolean {
  return storeOf(host).webhooks.remove(host.name, app)
}

// ---- deliveries ----------------------------------------------------------------------------

export interface DeliveryInput {
  provider: DeliveryProvider
  rawBody: Buffer
  contentType: string
  headers: Record<string, string | string[] | undefined>
  /** Per-app rate limits (the route's @fastify/rate-limit): signed deliveries, and refused ones. */
  limits: { signed: () => Promise<boolean>; unsigned: () => Promise<boolean> }
}

export interface DeliveryAnswer {
  status: number
  body: { status: DeliveryOutcome; reason: string; job?: { id: number; url: string } }
}

function header (headers: DeliveryInput['headers'], name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** HMAC-SHA256 of the raw body, compared in constant time; false for a missing or malformed header. */
export function signatureMatches (secret: string | null, rawBody: Buffer, given: string | undefined): boolean {
  const m = /^sha256=([0-9a-fA-F]{64})$/.exec(given ?? '')
  // Without a secret the comparison still runs, against a key nobody has.
  const expected = createHmac('sha256', secret ?? randomBytes(32)).update(rawBody).digest()
  const ok = timingSafeEqual(Buffer.from(m ? m[1]! : '0'.repeat(64), 'hex'), expected)
  return m !== null && secret !== null && ok
}

/** What a delivery asks: a push of `sha` to `ref`, or something to ignore (with why). */
type Parsed = { kind: 'push'; ref: string; sha: string; pusher: string | null; event: string } | { kind: 'ignore'; reason: string; event: string | null; ref: string | null }

function parseBody (input: DeliveryInput): unknown {
  const text = input.rawBody.toString('utf8')
  if (/^application\/x-www-form-urlencoded\b/i.test(input.contentType)) {
    const payload = new URLSearchParams(text).get('payload')
    if (payload === null) throw new Error('a form body without its "payload" field')
    return JSON.parse(payload)
  }
  return JSON.parse(text)
}

function str (o: unknown, key: string): string | null {
  const v = o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[key] : undefined
  return typeof v === 'string' ? v : null
}

function parseDelivery (input: DeliveryInput, body: unknown): Parsed {
  if (input.provider === 'github') {
    const event = header(input.headers, 'x-github-event') ?? ''
    if (event === 'ping') return { kind: 'ignore', reason: 'ping: the webhook reaches Docklight; pushes to the branch will deploy', event, ref: null }
    if (event !== 'push') return { kind: 'ignore', reason: `a "${event.slice(0, 40)}" event is not a push`, event: event.slice(0, 40) || null, ref: null }
    const ref = str(body, 'ref') ?? ''
    const after = str(body, 'after') ?? ''
    const deleted = body !== null && typeof body === 'object' && (body as { deleted?: unknown }).deleted === true
    if (deleted || /^0+$/.test(after)) return { kind: 'ignore', reason: `${ref.slice(0, 100)} was deleted`, event, ref: ref.slice(0, 255) }
    const pusher = str((body as { pusher?: unknown }).pusher, 'name')
    return { kind: 'push', ref, sha: after, pusher: pusher !== null && /^[A-Za-z0-9._-]{1,39}$/.test(pusher) ? pusher : null, event }
  }
  return { kind: 'push', ref: str(body, 'ref') ?? '', sha: str(body, 'sha') ?? '', pusher: null, event: 'push' }
}

/** A branch as a push names it: `refs/heads/main` (the generic form also takes `main`). */
function branchOf (ref: string, provider: DeliveryProvider): string | null {
  if (ref.startsWith('refs/heads/')) return ref.slice('refs/heads/'.length)
  if (provider === 'generic' && !ref.startsWith('refs/')) return ref
  return null
}

/**
 * One delivery, in order: the signature (401, with a history row, when wrong or missing), a
 * replayed delivery id (a no-op), the app's rate limit, the body, the event and branch, then
 * the deploy job.
 */
export async function receiveDelivery (host: Host, app: string, input: DeliveryInput): Promise<DeliveryAnswer> {
  const store = storeOf(host)
  const hook: Webhook | undefined = store.webhooks.get(host.name, app)
  const secret = hook ? store.secrets.open(hook.sealedSecret) : null
  const signatureHeader = input.provider === 'github' ? 'x-hub-signature-256' : GENERIC_SIGNATURE_HEADER
  const rawDelivery = header(input.headers, input.provider === 'github' ? 'x-github-delivery' : GENERIC_DELIVERY_HEADER)
  const deliveryId = rawDelivery !== undefined && /^[A-Za-z0-9._:-]{1,100}$/.test(rawDelivery) ? rawDelivery : null
  const base = { host: host.name, app, provider: input.provider, deliveryId, event: null, ref: null, sha: null, jobId: null, historyId: null }
  const answer = (status: number, outcome: DeliveryOutcome, reason: string, extra: Partial<Delivery> = {}): DeliveryAnswer => {
    store.webhooks.record({ ...base, ...extra, outcome, reason })
    const job = extra.jobId ? { id: extra.jobId, url: `/jobs/${extra.jobId}` } : undefined
    return { status, body: { status: outcome, reason, ...(job ? { job } : {}) } }
  }

  if (!signatureMatches(secret, input.rawBody, header(input.headers, signatureHeader))) {
    if (!(await input.limits.unsigned())) return { status: 429, body: { status: 'rate-limited', reason: 'Too many refused deliveries for this app: slow down.' } }
    const reason = `the ${signatureHeader} signature is missing or does not match`
    const historyId = host.history.start({ command: `webhook ${input.provider} ${app}`, app, host: host.name, kind: 'action', origin: 'webhook', label: 'Webhook refused: bad signature', status: 'running' })
    host.history.finish(historyId, { status: 'failed', exitCode: null, stdout: '', stderr: '', error: `Refused: ${reason}. Nothing ran.`, durationMs: 0 })
    return answer(401, 'unauthorized', reason, { historyId })
  }
  if (rawDelivery !== undefined && deliveryId === null) return answer(400, 'invalid', 'the delivery id header is malformed')
  if (deliveryId !== null && store.webhooks.seen(host.name, app, input.provider, deliveryId)) {
    return answer(200, 'duplicate', `delivery ${deliveryId} was already handled: nothing done`)
  }
  if (!(await input.limits.signed())) return answer(429, 'rate-limited', 'too many deliveries for this app: this one was not deployed')

  let parsed: Parsed
  try {
    parsed = parseDelivery(input, parseBody(input))
  } catch (err) {
    return answer(400, 'invalid', `the body is not the JSON expected (${err instanceof Error ? err.message.slice(0, 100) : 'unreadable'})`)
  }
  if (parsed.kind === 'ignore') return answer(202, 'ignored', parsed.reason, { event: parsed.event, ref: parsed.ref })
  const facts = { event: parsed.event, ref: parsed.ref.slice(0, 255), sha: parsed.sha.slice(0, 64) }
  const branch = branchOf(parsed.ref, input.provider)
  if (branch !== hook!.branch) {
    return answer(202, 'ignored', `a push to ${parsed.ref.slice(0, 100) || 'no ref'}, not to ${hook!.branch}`, facts)
  }
  let sha: string
  try {
    sha = validateCommitSha(parsed.sha)
  } catch (err) {
    return answer(400, 'invalid', (err as Error).message, facts)
  }

  const actor = { kind: 'webhook' as const, name: input.provider === 'github' ? `GitHub webhook${parsed.pusher ? ` (push by ${parsed.pusher})` : ''}` : 'Generic webhook' }
  try {
    const job = await withOrigin('webhook', () => deployFromGit(host, app, { repo: hook!.repoUrl, ref: sha }, {
      actor,
      label: `Deploy ${app} ${sha.slice(0, 7)} from a ${input.provider === 'github' ? 'GitHub' : 'generic'} webhook`
    }))
    return answer(202, 'started', `git:sync --build of ${sha.slice(0, 12)} started`, { ...facts, jobId: job.id })
  } catch (err) {
    if (err instanceof AppBusyError) return answer(409, 'busy', err.message, facts)
    return answer(422, 'failed', err instanceof Error ? err.message : String(err), facts)
  }
}
