import { cachedParser, ConfigError, parseBrokerConfig, parseTokenKeys } from './config.js';
import type { BrokerConfig } from './config.js';
import type { TokenKeySet } from '@pasarela/shared';

export interface Settings {
  config: BrokerConfig | ConfigError;
  keys: TokenKeySet | ConfigError;
}

const configOf = cachedParser(parseBrokerConfig);
const keysOf = cachedParser(parseTokenKeys);

function orError<T>(read: () => T): T | ConfigError {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

/**
 * Both variables, parsed once per value and validated on first use; a bad
 * value is kept as its coded error, so every connection and request is
 * refused with `config_invalid` naming the variable instead of failing
 * obscurely later.
 */
export function settingsFrom(vars: { TOKEN_KEYS?: unknown; BROKER_CONFIG?: unknown }): Settings {
  return {
    config: orError(() => configOf(vars.BROKER_CONFIG)),
    keys: orError(() => keysOf(vars.TOKEN_KEYS)),
  };
}
