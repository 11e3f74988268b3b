import type { FastifyPluginAsync } from 'fastify'
import { Type, type Static } from 'typebox'
import { isFragmentRequest } from '../../plugins/views.js'
import * as apps from '../../services/apps.js'
import * as cron from '../../services/cron.js'
import { DokkuError, InvalidArgumentError } from '../../services/errors.js'
import { AppParams } from '../params.js'

/**
 * An app's Cron tab (`/apps/:app/cron`): the tasks of its deployed app.json. "Run now" is a job
 * with live output; suspend and resume answer with the list and a toast. Without JavaScript a
 * run goes to its job page and a suspend back to the tab.
 */

const TaskBody = Type.Object({ id: Type.Optional(Type.String({ maxLength: 300 })) })
type TaskBody = Static<typeof TaskBody>

const cronRoutes: FastifyPluginAsync = async (app) => {
  const tabPath = (name: string) => `/apps/${name}/cron`

  app.get<{ Params: AppParams }>('/apps/:app/cron', { schema: { params: AppParams } }, async (req, reply) => {
    const name = apps.appName(req.params.app)
    return reply.render('app-cron', { title: `Cron · ${name}`, appName: name, tab: 'cron', ...(await cron.page(req.dokkuHost, name)) })
  })

  app.post<{ Params: AppParams; Body: TaskBody }>('/apps/:app/cron/run', { schema: { params: AppParams, body: TaskBody } }, async (req, reply) => {
    return reply.job(await cron.run(req.dokkuHost, apps.appName(req.params.app), req.body?.id), { retarget: { target: '#job-area', swap: 'innerHTML' } })
  })

  for (const [path, suspended] of [['suspend', true], ['resume', false]] as const) {
    app.post<{ Params: AppParams; Body: TaskBody }>(`/apps/:app/cron/${path}`, { schema: { params: AppParams, body: TaskBody } }, async (req, reply) => {
      const host = req.dokkuHost
      const name = apps.appName(req.params.app)
      let outcome
      try {
        outcome = await cron.suspend(host, name, req.body?.id, suspended)
      } catch (err) {
        if (!(err instanceof InvalidArgumentError) && !(err instanceof DokkuError && err.kind === 'failed')) throw err
        const data = { title: `Cron · ${name}`, appName: name, tab: 'cron', ...(await cron.page(host, name)), cronError: err.message }
        return reply.invalid({ partial: 'cron-tasks', page: 'app-cron', data })
      }
      if (!isFragmentRequest(req)) return reply.redirect(reply.hostPath(tabPath(name)), 303)
      reply.toast({ level: 'success', message: `${suspended ? 'Suspended' : 'Resumed'} "${outcome.task.command}": the crontab was rewritten.` })
      return reply.fragment('cron-tasks', { appName: name, ...(await cron.page(host, name)) })
    })
  }
}

export default cronRoutes
