/// <reference lib="dom" />
/**
 * Shared by the browser tests (test/e2e/*.test.ts): Debian's Chromium through playwright-core,
 * and pages that record console errors and warnings, page errors and CSP violations.
 */
import { existsSync } from 'node:fs'
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core'
import type { Test } from 'tap'

export const CHROMIUM = '/usr/bin/chromium'

/**
 * Runs `tests` when Chromium is installed. Without it: on CI (which installs Debian's chromium,
 * .ci/run) a failure, not a skip; elsewhere one skipped test named `name`.
 */
export function withChromium (t: Test, name: string, tests: () => void): void {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) t.fail(`${CHROMIUM} is missing: install Debian's chromium package`)
    else t.test(name, { skip: `${CHROMIUM} is not installed (apt-get install -y chromium)` }, async () => {})
  } else {
    tests()
  }
}

/** A headless Chromium, closed at the test's teardown. */
export async function launchBrowser (t: Test): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync']
  })
  t.teardown(() => browser.close())
  return browser
}

export interface WatchedPageOptions {
  /** A context of its own with these options (`browser.newContext`); without, `browser.newPage()`. */
  context?: BrowserContextOptions
  /** The page's default timeout for waits and actions, in ms (playwright's own when absent). */
  timeout?: number
  /** Console messages and page errors name the page's URL they came from. */
  withUrl?: boolean
}

/** A page that records console errors and warnings, page errors and CSP violations in `problems`. */
export async function watchedPage (browser: Browser, problems: string[], opts: WatchedPageOptions = {}): Promise<Page> {
  const page = opts.context ? await (await browser.newContext(opts.context)).newPage() : await browser.newPage()
  if (opts.timeout !== undefined) page.setDefaultTimeout(opts.timeout)
  const where = () => (opts.withUrl ? ` (${page.url()})` : '')
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}${where()}`) })
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}${where()}`))
  await page.exposeFunction('reportCspViolation', (v: string) => problems.push(`CSP: ${v}`))
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e: SecurityPolicyViolationEvent) => {
      (window as unknown as { reportCspViolation: (v: string) => void }).reportCspViolation(`${e.violatedDirective} ${e.blockedURI}`)
    })
  })
  return page
}

/** Asserts that nothing was recorded since the last check, and starts the record afresh. */
export function assertNoProblems (t: Test, problems: string[], message = 'no console errors and no CSP violations'): void {
  t.same(problems.splice(0), [], message)
}
