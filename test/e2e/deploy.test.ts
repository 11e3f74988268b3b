/// <reference lib="dom" />
/**
 * Deploys in a browser, against the demo server: an admin deploys an image from the Deploy tab,
 * watches its output stream in, sees the release listed, deploys a second one, and rolls back to
 * the first through its confirmation page.
 */
import t from 'tap'
import { assertNoProblems, launchBrowser, watchedPage, withChromium } from '../helpers/browser.js'
import { startDemoServer, type RunningServer } from '../helpers/server.js'

/** Each wait for the page, generous: a deploy is many simulated steps, and CI machines are shared. */
const WAIT = { timeout: 90_000 }
const IMAGE_A = 'registry.example.com/team/api@sha256:' + 'a'.repeat(64)
const IMAGE_B = 'registry.example.com/team/api@sha256:' + 'b'.repeat(64)

// Three deploys and their page loads: more than the default file timeout on a busy machine.
t.setTimeout(480_000)

/**
 * The demo server. Without tap's processinfo hook (NODE_OPTIONS), which would follow the server
 * and every simulated dokku it spawns: on a busy machine that alone misses the helper's default
 * start deadline; and a longer deadline, for a machine busy all the same.
 */
function startServer (t: Tap.Test): Promise<RunningServer> {
  return startDemoServer(t, { DOKKU_SIM_STEP_MS: '20', NODE_OPTIONS: '' }, { startTimeoutMs: 60_000 })
}

withChromium(t, 'browser tests', () => {
  t.test('an admin deploys an image, sees the release, and rolls back to the previous one', async (t) => {
    const server = await startServer(t)
    const browser = await launchBrowser(t)
    const problems: string[] = []
    const page = await watchedPage(browser, problems, { timeout: WAIT.timeout })
    const deployTab = `${server.url}/hosts/demo-a/apps/node-js-app/deploy`

    await page.goto(`${server.url}/login`)
    await page.fill('#password', server.password)
    await page.click('button[type=submit]')
    await page.waitForURL((url) => !url.pathname.startsWith('/login'), WAIT)

    /** Deploys an image through the form and follows its job panel to the end. */
    const deployImage = async (t: Tap.Test, image: string) => {
      // The last deploy's finished panel goes first, so that what follows is about this one.
      if (await page.locator('#job-area [data-job-dismiss]').count() > 0) await page.click('#job-area [data-job-dismiss]')
      await page.fill('#deploy-image [name=image]', image)
      await page.click('#deploy-image button[type=submit]')
      await page.waitForSelector('#job-area .job', WAIT)
      await page.waitForFunction(() => /Pulling image/.test(document.querySelector('#job-area .job-output')?.textContent ?? ''), undefined, WAIT)
      const midway = await page.$eval('#job-area .job', (el) => el.getAttribute('data-job-status'))
      // (A job that waited for its slot a moment still says "queued" here: its panel misses the
      // status change that came before its websocket opened.)
      t.match(midway, /^(running|queued)$/, 'output arrived while the deploy was still running')
      await page.waitForSelector('#job-area .job[data-job-status=success]', WAIT)
      t.match(await page.textContent('#job-area .job-output'), /=====> Application deployed:/)
    }

    await t.test('deploy an image and watch its output stream in', async (t) => {
      await page.goto(deployTab)
      await page.waitForSelector('#deploy-image', WAIT)
      t.match(await page.textContent('nav.tabs a.active'), /Deploy/)
      await deployImage(t, IMAGE_A)
    })

    await t.test('the release is listed, running now, pinned by its digest', async (t) => {
      // The releases panel refreshes itself when the job ends.
      await page.waitForFunction((image) => [...document.querySelectorAll('#deploy-releases tr.current-release')].some((tr) => tr.textContent!.includes(image)), IMAGE_A, WAIT)
      const current = await page.textContent('#deploy-releases tr.current-release')
      t.match(current, /succeeded/)
      t.match(current, /running now/)
      t.match(current, /pinned by digest/)
      t.match(current, /Docklight/)
    })

    await t.test('a second deploy, then roll back to the first', async (t) => {
      await deployImage(t, IMAGE_B)
      await page.waitForFunction((image) => document.querySelector('#deploy-releases tr.current-release')?.textContent?.includes(image) ?? false, IMAGE_B, WAIT)
      const previous = page.locator('#deploy-releases tr', { hasText: IMAGE_A }).first()
      const id = await previous.getAttribute('data-release-id')
      t.ok(id, 'the first release is still listed')
      await previous.locator(`a[data-rollback="${id}"]`).click()
      await page.waitForSelector('.rollback-confirm', WAIT)
      const confirm = await page.textContent('.rollback-confirm')
      t.match(confirm, `dokku builds a new image FROM ${IMAGE_A}`, 'what will be rebuilt')
      t.match(confirm, /Config vars are not rolled back/)
      t.match(confirm, `dokku git:from-image node-js-app ${IMAGE_A}`)
      await page.click(`button[data-confirm-rollback="${id}"]`)
      await page.waitForSelector('#job-area .job', WAIT)
      await page.waitForFunction(() => /Pulling image/.test(document.querySelector('#job-area .job-output')?.textContent ?? ''), undefined, WAIT)
      await page.waitForSelector('#job-area .job[data-job-status=success]', WAIT)
      t.match(await page.textContent('#job-area .job'), new RegExp(`Roll back node-js-app to release #${id}`))

      await page.click('nav.tabs a:has-text("Deploy")')
      await page.waitForSelector('#deploy-releases', WAIT)
      const now = await page.textContent('#deploy-releases tr.current-release')
      t.match(now, IMAGE_A, 'the first image runs again')
      t.match(now, `rollback to #${id}`, 'as a new release that says what it rolled back to')
    })

    assertNoProblems(t, problems)
    await page.screenshot({ path: t.testdirName + '-last.png' }).catch(() => {})
  })
})

namespace Tap { export type Test = import('tap').Test }
