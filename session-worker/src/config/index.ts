/**
 * The worker's configuration: defaults in one object, every variable named
 * in one table, checked at start-up naming the bad variable.
 */
export { API_DEFAULTS, type ApiSettings } from './defaults.js';
export { parseApiSettings } from './api-settings.js';
export { ConfigError } from './errors.js';
export { readServiceEnv, type ServiceSettings } from './env.js';
export {
  ADMIN_KEY_VARIABLE,
  apiVariable,
  envExampleText,
  serviceVariables,
  type VariableSpec,
} from './variables.js';
