import { Type, type Static } from 'typebox'

/**
 * `:app` in every /apps/:app… URL. Only its shape is checked here; the service applies dokku's
 * name rule (a 400 with a clear message when it does not hold).
 */
export const AppParams = Type.Object({ app: Type.String({ minLength: 1, maxLength: 200 }) })
export type AppParams = Static<typeof AppParams>
