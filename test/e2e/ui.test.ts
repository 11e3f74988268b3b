/// <reference lib="dom" />
/**
 * The whole UI in a browser (issue 12), against the demo server on the simulator: every page at
 * 1280×800 and 390×844, in light and dark, with no sideways scroll, no console error or CSP
 * violation, and no serious or critical axe-core violation; then the flows: two jobs on one
 * app, Stop with its confirmation, the palette opening an app's config by keyboard alone, and
 * Back after logout. Screenshots of every page, size and theme go to artifacts/screenshots/
 * (gitignored; CI keeps them as artifacts). One server, one browser, one page reused.
 */
import t from 'tap'
import { mkdirSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import axe from 'axe-core'
import type { Page } from 'playwright-core'
import { assertNoProblems, launchBrowser, watchedPage, withChromium } from '../helpers/browser.js'
import { startDemoServer } from '../helpers/server.js'

const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'artifacts', 'screenshots')

const SIZES = [{ name: 'desktop', width: 1280, height: 800 }, { name: 'phone', width: 390, height: 844 }] as const
const THEMES = ['light', 'dark'] as const
/** Every page a user reaches from the navigation and an app's tabs (the default host, demo-a). */
const PAGES = [
  '/', '/new-app', '/apps/node-js-app', '/apps/node-js-app/config', '/apps/node-js-app/domains', '/apps/node-js-app/deploy',
  '/apps/node-js-app/settings', '/apps/node-js-app/cron', '/apps/node-js-app/logs', '/apps/node-js-app/activity',
  '/apps/node-js-app/history', '/apps/node-js-app/stop', '/databases', '/letsencrypt', '/plugins', '/server', '/activity',
  '/history', '/alerts', '/settings'
]

/** axe-core's serious and critical findings on the page, one line each. */
async function axeFindings (page: Page): Promise<string[]> {
  // Evaluated through the devtools protocol: no inline script, so the CSP stays as it is.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axe.source)
  return page.evaluate(async () => {
    const run = (window as unknown as { axe: typeof import('axe-core') }).axe
    const result = await run.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1]?.trim() ?? ''}`).join(' | ')}`)
  })
}

withChromium(t, 'ui tests', () => {
  // 80 page visits with axe on each: about a minute on an idle machine; the bound is for a busy one.
  t.setTimeout(480_000)
  t.test('the UI holds up: every page, both sizes, both themes, and the flows', async (t) => {
    mkdirSync(SHOTS, { recursive: true })
    const server = await startDemoServer(t, { DOKKU_SIM_STEP_MS: '120' })
    const browser = await launchBrowser(t)
    const problems: string[] = []
    const page = await watchedPage(browser, problems, { withUrl: true })
    const url = (path: string) => server.url + path

    await page.goto(url('/login'))
    await page.fill('#password', server.password)
    await page.click('button[type=submit]')
    await page.waitForURL(url('/'))

    await t.test('every page: no sideways scroll, no console error, axe-clean; a screenshot of each', async (t) => {
      // Each page is loaded once; the size and the colour scheme then change in place (media
      // queries apply at once), which is what a user resizing or switching the system theme sees.
      for (const path of PAGES) {
        await page.setViewportSize({ width: SIZES[0].width, height: SIZES[0].height })
        await page.emulateMedia({ colorScheme: 'light' })
        const res = await page.goto(url(path), { waitUntil: 'load', timeout: 90_000 })
        t.equal(res?.status(), 200, `${path}: loads`)
        for (const size of SIZES) {
          await page.setViewportSize({ width: size.width, height: size.height })
          for (const theme of THEMES) {
            await page.emulateMedia({ colorScheme: theme })
            const where = `${path} ${size.name} ${theme}`
            const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
            t.ok(overflow <= 0, `${where}: no horizontal scroll (${overflow} px too wide)`)
            t.same(await axeFindings(page), [], `${where}: axe finds nothing serious`)
            const name = (path === '/' ? 'dashboard' : path.slice(1).replace(/\//g, '_'))
            await page.screenshot({ path: join(SHOTS, `${name}-${size.name}-${theme}.png`), fullPage: true })
          }
        }
        assertNoProblems(t, problems, `${path}: no console errors and no CSP violations`)
      }
      await page.setViewportSize({ width: SIZES[0].width, height: SIZES[0].height })
      await page.emulateMedia({ colorScheme: 'light' })
    })

    await t.test('on a phone the navigation is a menu, and every link is reachable', async (t) => {
      await page.setViewportSize({ width: 390, height: 844 })
      await page.goto(url('/'))
      t.equal(await page.isVisible('.nav-wide'), false)
      await page.click('.nav-menu summary')
      await page.click('.nav-menu a[href="/history"]')
      await page.waitForURL(/\/history$/)
      t.pass('History reached through the menu')
      await page.setViewportSize({ width: 1280, height: 800 })
    })

    await t.test('the theme toggle is remembered', async (t) => {
      await page.goto(url('/'))
      await page.click('[data-theme-toggle]')
      t.equal(await page.getAttribute('html', 'data-theme'), 'dark')
      await page.reload()
      t.equal(await page.getAttribute('html', 'data-theme'), 'dark', 'still dark after a reload')
      t.equal(await page.getAttribute('[data-theme-toggle]', 'aria-pressed'), 'true')
      t.same(await axeFindings(page), [], 'the chosen dark theme is axe-clean too')
      await page.click('[data-theme-toggle]')
      t.equal(await page.getAttribute('html', 'data-theme'), 'light')
    })

    await t.test('two jobs on one app: the second is refused above the live panel, then both buttons come back', async (t) => {
      await page.goto(url('/apps/ruby-app'))
      await page.click('button[data-action=restart]')
      await page.waitForSelector('#job-area .job[data-job-status=running]')
      await page.waitForSelector('#app-actions button[data-action=rebuild][disabled]')
      t.match(await page.textContent('#app-actions .busy-reason'), /Restart ruby-app running, started \d+ s ago/)
      // A page opened before the job started still offers Rebuild: its refused answer (409).
      await page.evaluate(() => (window as unknown as { htmx: { ajax: (...a: unknown[]) => Promise<void> } }).htmx.ajax('POST', '/apps/ruby-app/rebuild', { target: '#job-area', swap: 'innerHTML' }))
      await page.waitForSelector('#job-area .job-busy')
      const order = await page.$$eval('#job-area > *', (els) => els.map((e) => e.className))
      t.match(order[0], /job-busy/, 'the refusal is on top')
      t.match(order[1], /job card/, 'the live panel is still there, below it')
      t.match(await page.textContent('#job-area .job-busy'), /Restart ruby-app is still running on ruby-app/)
      await page.waitForSelector('#job-area .job[data-job-status=success]', { timeout: 30_000 })
      await page.waitForFunction(() => document.querySelector('#job-area .job-busy') === null)
      t.pass('the refusal went when the job ended')
      await page.waitForFunction(() => /Restart ruby-app finished in \d+ s\./.test(document.getElementById('toasts')?.textContent ?? ''))
      t.pass('the end notice names the job and its duration')
      await page.waitForSelector('#app-actions button[data-action=rebuild]:not([disabled])')
      t.equal(await page.locator('#job-area .job-output:has-text("Waiting for output")').count(), 0)
      t.match(problems.splice(0), [/409/], 'only the refused request was logged')
    })

    await t.test('Stop asks first; after it, the badge, buttons and processes show the stopped app', async (t) => {
      await page.goto(url('/apps/node-js-app'))
      await page.click('button[data-action=stop]')
      await page.waitForSelector('#confirm-action')
      t.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-action')), 'stop-confirmed', 'focus is on the confirming button')
      await page.keyboard.press('Enter')
      await page.waitForSelector('#job-area .job[data-job-status=success]', { timeout: 30_000 })
      await page.waitForFunction(() => /stopped/.test(document.querySelector('.app-head h1')?.textContent ?? ''))
      await page.waitForSelector('#app-actions button[data-action=start]')
      t.equal(await page.locator('#app-actions button[data-action=stop]').count(), 0, 'no Stop on a stopped app')
      await page.waitForFunction(() => !/running/.test(document.querySelector('#app-processes tbody')?.textContent ?? 'running'))
      t.pass('the processes panel refreshed')
      assertNoProblems(t, problems)
    })

    await t.test('the palette opens an app\'s config by keyboard alone', async (t) => {
      await page.goto(url('/'))
      await page.keyboard.press('Control+k')
      await page.waitForSelector('#palette-input:focus')
      t.equal(await page.getAttribute('#palette-input', 'role'), 'combobox')
      await page.keyboard.type('config of python')
      await page.waitForSelector('#palette-list [role=option][aria-selected=true]')
      t.match(await page.textContent('#palette-list [aria-selected=true]'), /Open config of python-app/)
      t.same(await axeFindings(page), [], 'the open palette is axe-clean')
      await page.keyboard.press('Enter')
      await page.waitForURL(/\/apps\/python-app\/config$/)
      await page.waitForSelector('form[action$="/config"] [name=key]')
      t.pass('on python-app\'s config')
      assertNoProblems(t, problems)
    })

    await t.test('a toast covers no control, on a desktop and on a phone', async (t) => {
      for (const size of SIZES) {
        await page.setViewportSize({ width: size.width, height: size.height })
        await page.goto(url('/apps/python-app/domains'))
        const domain = `toast-${size.name}.example.com`
        await page.fill('#domain-input', domain)
        await page.click('form.add-domain button[type=submit]')
        await page.waitForFunction((d) => (document.getElementById('toasts')?.textContent ?? '').includes(d), domain)
        t.equal(await page.getAttribute('#toasts', 'aria-live'), 'polite', `${size.name}: still announced`)
        const inView = await page.evaluate(() => { const r = document.querySelector('#toasts .toast')!.getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight })
        t.ok(inView, `${size.name}: the toast is in view where the user acted`)
        // The strip is in the page's flow: with the page at its top (where it pushes the page
        // down), nothing is under it. Scrolled, it sticks to the top like a header over content
        // the user scrolled past.
        await page.evaluate(() => window.scrollTo(0, 0))
        const covered = await page.evaluate(() => {
          const box = (el: Element) => el.getBoundingClientRect()
          const toasts = [...document.querySelectorAll('#toasts .toast')].map(box)
          const controls = [...document.querySelectorAll('button, a, input, select, textarea, summary')].filter((el) => {
            if (el.closest('#toasts')) return false
            // checkVisibility: not display:none, not inside a closed <details> (the phone menu).
            const r = box(el)
            return r.width > 0 && r.height > 0 && el.checkVisibility({ visibilityProperty: true, contentVisibilityAuto: true })
          })
          return controls.filter((el) => toasts.some((tb) => {
            const r = box(el)
            return r.left < tb.right && tb.left < r.right && r.top < tb.bottom && tb.top < r.bottom
          })).map((el) => el.outerHTML.slice(0, 80))
        })
        t.same(covered, [], `${size.name}: no control under a toast`)
        await page.click('#toasts .toast-close')
        t.equal(await page.locator('#toasts .toast').count(), 0, `${size.name}: dismissed`)
      }
      await page.setViewportSize({ width: SIZES[0].width, height: SIZES[0].height })
      assertNoProblems(t, problems)
    })

    await t.test('a slow request shows the loading bar until it ends', async (t) => {
      await page.goto(url('/plugins'))
      // One htmx GET held back 600 ms: the bar comes after ~150 ms and goes with the answer.
      const slow = /\/plugins\?q=/
      await page.route(slow, async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 600))
        await route.continue()
      })
      await page.fill('#plugins-q', 'no-such-plugin-xyz')
      await page.waitForFunction(() => document.documentElement.classList.contains('is-loading'))
      t.pass('html.is-loading during the request')
      await page.waitForSelector('#plugins-results :text("No plugin matches")')
      await page.waitForFunction(() => !document.documentElement.classList.contains('is-loading'))
      t.pass('gone once the answer is in')
      await page.unroute(slow)
      assertNoProblems(t, problems)
    })

    await t.test('Back after logout shows nothing private', async (t) => {
      await page.goto(url('/'))
      await page.waitForSelector('#apps-table')
      await page.click('form.logout button')
      await page.waitForURL(/\/login/)
      t.equal(await page.evaluate(() => localStorage.getItem('htmx-history-cache')), null)
      await page.goBack()
      await page.waitForLoadState('load')
      t.match(page.url(), /\/login/, 'the server was asked again and sent the login page')
      t.equal(await page.locator('#apps-table').count(), 0, 'no app table from the browser\'s cache')
      assertNoProblems(t, problems)
    })
  })
})
