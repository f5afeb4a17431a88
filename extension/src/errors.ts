/** Why the build refused its configuration or could not write its output. */
export type ExtensionErrorCode = 'bad_config' | 'bad_locale' | 'build_failed';

/**
 * The build's one error type: a stable code, the configuration field at
 * fault when there is one, and a message saying what to change.
 */
export class ExtensionError extends Error {
  override readonly name = 'ExtensionError';
  readonly code: ExtensionErrorCode;
  readonly field: string | null;

  constructor(code: ExtensionErrorCode, message: string, field: string | null = null) {
    super(field ? `${field}: ${message}` : message);
    this.code = code;
    this.field = field;
  }
}
