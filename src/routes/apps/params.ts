import { Type, type Static } from 'typebox'
import { validateAppName } from '../../dokku/validate.js'

/** `:app` in every /apps/:app… URL; the dokku name rule is applied by `appParam`. */
export const AppParams = Type.Object({ app: Type.String({ minLength: 1, maxLength: 200 }) })
export type AppParams = Static<typeof AppParams>

/** The app name from the URL, checked against dokku's rule (400 with a clear message if not). */
export function appParam (params: AppParams): string {
  return validateAppName(params.app)
}
