import pino, { type DestinationStream, type Logger } from 'pino';
import { REDACT_PATHS, REDACTED, scrubText } from './redact.js';

export interface LoggerOptions {
  readonly level: string;
  /** Where lines go; stdout (synchronously) by default. */
  readonly destination?: DestinationStream | NodeJS.WritableStream;
  /** Values (the admin key, the metrics token) removed from every line wherever they appear. */
  readonly secrets?: readonly string[];
}

/**
 * The worker's one logger: JSON lines, known secret fields blanked by path,
 * and every finished line scrubbed of tokens, API keys, webhook secrets and
 * credential-bearing URL parameters. Children (one per tenant, one per
 * request, Baileys' own) write through the same hook.
 */
export function createLogger(options: LoggerOptions): Logger {
  const secrets = options.secrets ?? [];
  return pino(
    {
      level: options.level,
      redact: { paths: [...REDACT_PATHS], censor: REDACTED },
      hooks: { streamWrite: (line) => scrubText(line, secrets) },
    },
    (options.destination as DestinationStream | undefined) ??
      pino.destination({ fd: 1, sync: true }),
  );
}
