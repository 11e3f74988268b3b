/// <reference lib="dom" />
/**
 * The watchdog in a browser, against the demo server (its watchdog running, as it does in
 * production): demo-b's storefront certificate, due in five days with Let's Encrypt's renewal
 * job off, shows on the dashboard; the alert opens; its one-click fix turns auto-renew on and
 * renews; the alert clears.
 */
import t from 'tap'
import { assertNoProblems, launchBrowser, watchedPage, withChromium } from '../helpers/browser.js'
import { startDemoServer } from '../helpers/server.js'

const WAIT = { timeout: 90_000 }

// A watchdog round, a renewal job and several page loads: more than the default file timeout on a busy machine.
t.setTimeout(480_000)

withChromium(t, 'browser tests', () => {
  t.test('an expiring certificate: seen on the dashboard, opened, fixed, cleared', async (t) => {
    const server = await startDemoServer(t, { DOKKU_SIM_STEP_MS: '20', DOCKLIGHT_WATCH_INTERVAL_S: '300' })
    const browser = await launchBrowser(t)
    const problems: string[] = []
    const page = await watchedPage(browser, problems, { timeout: WAIT.timeout })

    await page.goto(`${server.url}/login`)
    await page.fill('#password', server.password)
    await page.click('button[type=submit]')
    await page.waitForSelector('#apps-table')

    const alert = '#alerts-summary a:has-text("The certificate of storefront expires in 5 days")'
    await t.test('the dashboard shows the alert once the watchdog has checked demo-b', async (t) => {
      // The watchdog's first round runs a couple of seconds after the server started.
      for (let i = 0; i < 120 && await page.locator(alert).count() === 0; i++) {
        await page.waitForTimeout(500)
        await page.goto(`${server.url}/hosts/demo-b/`)
      }
      t.equal(await page.locator(alert).count(), 1)
      t.match(await page.textContent('#alerts-summary .alerts-count'), /\d+ open alerts?/)
      t.match(await page.textContent('.topbar .nav-alerts'), /Alerts\s*\d+/, 'the header counts them too')
    })

    await t.test('open it', async (t) => {
      await page.click(alert)
      await page.waitForSelector('#alert-panel[data-state="open"]')
      t.match(await page.textContent('#alert-panel h1'), /warning\s+The certificate of storefront expires in 5 days/)
      t.match(await page.textContent('#alert-panel .alert-action'), /auto-renew is off on this host/)
    })

    await t.test('enable auto-renew from it, and see it clear', async (t) => {
      await page.click('#alert-panel button[data-fix="letsencrypt-autorenew-renew"]')
      await page.waitForSelector('#job-area .job')
      await page.waitForSelector('#job-area .job[data-job-status=success]', WAIT)
      t.match(await page.textContent('#job-area .job-output'), /Added cron job to dokku's crontab\.[\s\S]*Certificate retrieved successfully[\s\S]*the alert has cleared/)
      await page.waitForSelector('#alert-panel[data-state="resolved"]', WAIT)
      t.match(await page.textContent('#alert-panel'), /This has cleared/)
      t.equal(await page.locator('#alert-panel [data-fix]').count(), 0, 'nothing left to fix')
    })

    await t.test('the dashboard no longer shows it, and the server page says auto-renew is on', async (t) => {
      await page.goto(`${server.url}/hosts/demo-b/`)
      await page.waitForSelector('#alerts-summary')
      t.equal(await page.locator(alert).count(), 0)
      t.notMatch(await page.textContent('#alerts-summary'), /auto-renew is off/, 'the renewal alerts cleared with it')
      await page.goto(`${server.url}/hosts/demo-b/server`)
      t.equal(await page.getAttribute('#server-renewal [data-renewal]', 'data-renewal'), 'enabled')
    })

    assertNoProblems(t, problems)
    await page.screenshot({ path: t.testdirName + '-last.png' }).catch(() => {})
  })
})
