/// <reference lib="dom" />
import t from 'tap'
import type { Page } from 'playwright-core'
import { assertNoProblems, launchBrowser, watchedPage, withChromium } from '../helpers/browser.js'
import { startDemoServer } from '../helpers/server.js'

withChromium(t, 'browser tests', () => {
  t.test('an admin logs in, opens an app, sets a config var and restarts it', async (t) => {
    const server = await startDemoServer(t, { DOKKU_SIM_STEP_MS: '40' })
    const browser = await launchBrowser(t)
    const problems: string[] = []
    const page = await watchedPage(browser, problems)

    await t.test('login', async (t) => {
      await page.goto(`${server.url}/apps/node-js-app`)
      t.match(page.url(), /\/login\?next=%2Fapps%2Fnode-js-app$/)
      await page.fill('#password', 'wrong password')
      await page.click('button[type=submit]')
      t.match(await page.textContent('.alert.error'), /Wrong password/)
      // The refused login answers 401 on purpose, which Chromium logs as a failed resource.
      t.match(problems.splice(0), [/401/])
      await page.fill('#password', server.password)
      await page.click('button[type=submit]')
      await page.waitForURL(/\/apps\/node-js-app$/)
      t.pass('returned to the page asked for')
    })

    await t.test('dashboard', async (t) => {
      await page.click('a.brand')
      await page.waitForSelector('#apps-table')
      // The demo runs two simulated hosts: every app of both, each with its host.
      const rows = await page.$$eval('#apps-table tbody tr', (trs) => trs.map((tr) => tr.textContent ?? ''))
      t.equal(rows.length, 10)
      t.ok(rows.some((r) => /ruby-app\s+demo-a\s+mixed/.test(r)), 'states and hosts shown')
      t.ok(rows.some((r) => /storefront\s+demo-b/.test(r)), 'the second host\'s apps too')
      await page.fill('input[name=q]', 'pyth')
      await page.waitForFunction(() => document.querySelectorAll('#apps-table tbody tr').length === 1)
      t.match(await page.textContent('#apps-table tbody'), /python-app/)
      await page.fill('input[name=q]', '')
      await page.waitForFunction(() => document.querySelectorAll('#apps-table tbody tr').length === 10)
    })

    await t.test('open an app', async (t) => {
      await page.click('#apps-table a[href="/hosts/demo-a/apps/node-js-app"]')
      await page.waitForSelector('#app-processes')
      t.match(await page.textContent('h1'), /node-js-app/)
      t.match(await page.textContent('#app-processes'), /web\.1/)
    })

    await t.test('set a config var through the htmx form', async (t) => {
      await setConfigVar(t, page)
    })

    await t.test('restart and watch the output stream in', async (t) => {
      await page.click('nav.tabs a:has-text("Overview")')
      await page.waitForSelector('button[data-action=restart]')
      await page.click('button[data-action=restart]')
      await page.waitForSelector('#job-area .job[data-job-status=running]')
      await page.waitForFunction(() => /Deploying web/.test(document.querySelector('#job-area .job-output')?.textContent ?? ''))
      const midway = await page.$eval('#job-area .job', (el) => el.getAttribute('data-job-status'))
      t.equal(midway, 'running', 'output arrived while the job was still running')
      await page.waitForSelector('#job-area .job[data-job-status=success]', { timeout: 30_000 })
      t.match(await page.textContent('#job-area .job'), /Finished successfully/)
      t.match(await page.textContent('#job-area .job-output'), /Running post-deploy/)
      t.equal(await page.locator('#job-area h1').count(), 0, 'the panel replaced itself, not the page')
      await page.waitForSelector('#toasts .toast')
      await page.click('#job-area [data-job-dismiss]')
      t.equal(await page.locator('#job-area .job').count(), 0, 'a finished panel can be dismissed')
      t.match(await page.textContent('#app-processes'), /web\.1/, 'the processes panel refreshed after the job')
    })

    assertNoProblems(t, problems)
    await page.screenshot({ path: t.testdirName + '-last.png' }).catch(() => {})
  })
})

async function setConfigVar (t: Tap.Test, page: Page): Promise<void> {
  await page.click('nav.tabs a:has-text("Config")')
  await page.waitForSelector('form[action$="/config"] [name=key]')
  await page.fill('form[action$="/config"] [name=key]', 'E2E_GREETING')
  await page.fill('form[action$="/config"] [name=value]', 'hello "world" $(id) <b>')
  await page.check('form[action$="/config"] [name=no_restart]')
  await page.click('form[action$="/config"] button[type=submit]')
  await page.waitForFunction(() => /E2E_GREETING/.test(document.body.textContent ?? ''))
  t.notMatch(await page.content(), /hello "world"/, 'the value stays masked until revealed')
}

namespace Tap { export type Test = import('tap').Test }
