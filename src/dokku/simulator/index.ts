/** Public API of the dokku CLI simulator. */
export { simulate, splitGlobalFlags, defaultStatePath } from './simulate.js'
export { SimExit, type SimIO, type SimEnv, type GlobalFlags } from './context.js'
export { createSeedState, seedPlugins, containerId, servicePassword, letsencryptCert, newApp, type SeedOptions } from './seed.js'
export {
  StateStore, StateError, readStateFile, writeStateFile, withFileLock, STATE_SCHEMA,
  type SimState, type AppState, type ContainerState, type CertState, type ServiceState, type PluginState, type LockState, type AppProfile
} from './state.js'
export { CURRENT_VERSION, parseVersion, atLeast, type Version } from './version.js'
export { DATASTORES, type DatastoreDef } from './datastores.js'
export { InProcessSimulatorTransport, execInProcess, runInProcess, type InProcessProgram, inProcessAlive, signalInProcessGroup, FIRST_FAKE_PID } from './in-process.js'
