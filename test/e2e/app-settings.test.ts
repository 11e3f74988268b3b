/// <reference lib="dom" />
/**
 * App settings and cron in a browser, against the demo server: with JavaScript an admin maps a
 * port, adds a mount and sets a memory limit on ruby-app, runs node-js-app's daily cron task and
 * watches its output, and turns maintenance on and off; without JavaScript the same forms post,
 * land back on their section, and say what changed.
 */
import t from 'tap'
import type { Browser, Page } from 'playwright-core'
import { assertNoProblems, launchBrowser, watchedPage, withChromium } from '../helpers/browser.js'
import { startDemoServer, type RunningServer } from '../helpers/server.js'

// Six page loads of ten-odd dokku reads each, against the spawned simulator: on a busy machine
// that is more than the default 120 s per file (this also raises the runner's limit for the file).
t.setTimeout(600_000)

/** A page of its own context, with or without JavaScript, that records console errors and CSP violations. */
function settingsPage (browser: Browser, problems: string[], javaScriptEnabled: boolean): Promise<Page> {
  return watchedPage(browser, problems, { context: { javaScriptEnabled }, timeout: 60_000 })
}

/** Logs in on the way to `url` (the login page returns there). */
async function logIn (page: Page, server: RunningServer, url: string): Promise<void> {
  await page.goto(url)
  await page.fill('#password', server.password)
  await page.click('button[type=submit]')
  await page.waitForURL(url)
}

withChromium(t, 'browser tests', () => {
  t.test('an admin changes app settings and runs a cron task, with and without JavaScript', async (t) => {
    // The helper waits 20 s for the server unless told otherwise; on a machine shared by many
    // test runs that is sometimes too short.
    const server = await startDemoServer(t, { DOKKU_SIM_STEP_MS: '20' }, { startTimeoutMs: 60_000 })
    const browser = await launchBrowser(t)
    const problems: string[] = []
    const page = await settingsPage(browser, problems, true)
    const settings = `${server.url}/hosts/demo-a/apps/ruby-app/settings`
    await logIn(page, server, settings)

    await t.test('map a port', async (t) => {
      await page.waitForSelector('#settings-ports')
      await page.fill('#port-host', '8080')
      await page.fill('#port-container', '5000')
      await page.click('#settings-ports button:has-text("Map port")')
      await page.waitForSelector('#toasts .toast:has-text("Mapped http:8080:5000")')
      t.match(await page.textContent('#settings-ports table'), /http\s*8080\s*5000/)
      t.equal(page.url(), settings, 'the section swapped in place')
    })

    await t.test('add a mount', async (t) => {
      await page.check('#settings-storage input[name=source][value=path]')
      await page.fill('#settings-storage input[name=host_path]', '/var/lib/dokku/data/storage/ruby-app')
      await page.fill('#storage-container', '/app/uploads')
      await page.click('#settings-storage button:has-text("Mount")')
      await page.waitForSelector('#settings-storage table.settings-mounts')
      t.match(await page.textContent('#settings-storage table'), /\/var\/lib\/dokku\/data\/storage\/ruby-app\s*\/app\/uploads/)
      t.equal(await page.locator('#settings-storage [data-follow-up=restart]').count(), 1, 'a restart offered')
    })

    await t.test('set a memory limit', async (t) => {
      await page.click('#settings-resources summary:has-text("Set limits")')
      await page.fill('#res-limit-memory', '256m')
      await page.click('#settings-resources button:has-text("Save limits")')
      await page.waitForFunction(() => /memory 256m/.test(document.querySelector('#settings-resources table')?.textContent ?? ''))
      t.equal(await page.locator('#settings-resources [data-follow-up=rebuild]').count(), 1, 'a rebuild offered')
      // A refused value: said in the section, nothing sent.
      await page.click('#settings-resources summary:has-text("Set limits")')
      await page.fill('#res-limit-memory', '1g; rm -rf /')
      await page.click('#settings-resources button:has-text("Save limits")')
      await page.waitForSelector('#settings-resources .settings-refused')
      t.match(await page.textContent('#settings-resources .settings-refused'), /memory/)
      // htmx logs the 422 it swapped in as a failed resource.
      problems.splice(0, problems.length, ...problems.filter((p) => !/422/.test(p)))
    })

    await t.test('the overview sums it up', async (t) => {
      await page.goto(`${server.url}/hosts/demo-a/apps/ruby-app`)
      // The line may come as a panel of its own after the page (when its reads were not cached).
      await page.waitForSelector('.settings-summary:has-text("memory 256m")')
      const line = await page.textContent('.settings-summary')
      t.match(line, /ports 8080→5000/)
      t.match(line, /1 mount/)
      t.match(line, /memory 256m/)
    })

    await t.test('run a cron task and watch its output', async (t) => {
      await page.goto(`${server.url}/hosts/demo-a/apps/node-js-app/cron`)
      await page.waitForSelector('#cron-tasks')
      t.match(await page.textContent('#cron-tasks'), /Dokku does not report the task's exit code/)
      await page.click('#cron-tasks tr:has-text("npm run send-email") button:has-text("Run now")')
      await page.waitForSelector('#job-area .job')
      await page.waitForSelector('#job-area .job[data-job-status=success]', { timeout: 30_000 })
      t.match(await page.textContent('#job-area .job-output'), /Sending the daily digest[\s\S]*Sent 3 e-mails/)
    })

    await t.test('maintenance on, then off', async (t) => {
      await page.goto(`${server.url}/hosts/demo-a/apps/node-js-app/settings`)
      await page.click('#settings-maintenance [data-maintenance=on]')
      await page.waitForSelector('#settings-maintenance .maintenance-state:has-text("on")')
      t.match(await page.textContent('#toasts'), /Maintenance mode is on/)
      await page.click('#settings-maintenance [data-maintenance=off]')
      await page.waitForSelector('#settings-maintenance .maintenance-state:has-text("off")')
      t.pass('off again')
    })

    await t.test('without JavaScript: map a port and turn maintenance on', async (t) => {
      const plain = await settingsPage(browser, problems, false)
      await logIn(plain, server, `${server.url}/hosts/demo-a/apps/python-app/settings`)
      await plain.fill('#port-host', '8443')
      await plain.fill('#port-container', '5000')
      await plain.click('#settings-ports button:has-text("Map port")')
      await plain.waitForURL(/\/hosts\/demo-a\/apps\/python-app\/settings#settings-ports$/)
      t.match(await plain.textContent('#settings-ports table'), /http\s*8443\s*5000/)
      await plain.click('#settings-maintenance [data-maintenance=on]')
      await plain.waitForURL(/#settings-maintenance$/)
      t.equal(await plain.textContent('#settings-maintenance .maintenance-state'), 'on')
      await plain.context().close()
    })

    assertNoProblems(t, problems)
    await page.screenshot({ path: t.testdirName + '-last.png' }).catch(() => {})
  })
})
