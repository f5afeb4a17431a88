/**
 * A setting the worker cannot start with. `setting` is the name as the
 * operator spelled it (an environment variable, or an option field), so
 * the start-up line says exactly what to fix.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'config_invalid';

  constructor(
    readonly setting: string,
    detail: string,
  ) {
    super(`config_invalid: ${setting}: ${detail}`);
  }
}
