export { BACKEND_DEFAULTS, BackendConfigError, readBackendEnv } from './config.js';
export type { BackendConfig } from './config.js';
export { startBackend } from './server.js';
export type { Backend, BackendEvent } from './server.js';
export { WORKER_API_PATHS, WorkerApi, WorkerApiError } from './worker-api.js';
export { contentSecurityPolicy, PAGE_ROUTES, Site } from './site.js';
