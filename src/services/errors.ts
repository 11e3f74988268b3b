/**
 * The errors a route may meet from a service, re-exported so that routes never reach into the
 * dokku layer: input refused before anything ran, dokku's own failure, a busy app.
 */
export { DokkuError, InvalidArgumentError, httpStatusFor } from '../dokku/errors.js'
export { isDokkuError } from '../dokku/client.js'
export { AppBusyError } from '../jobs/manager.js'
