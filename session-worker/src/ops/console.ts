import { inspect } from 'node:util';
import type { Logger } from 'pino';

/**
 * libsignal (under Baileys) writes to the console on its own: each session
 * it closes, with the session's private keys, and a few notes. In the
 * worker the console would put those keys on stdout, beside the JSON log.
 * Known chatter becomes one debug line without its arguments; anything else
 * becomes a warn line whose objects are reduced to their type names.
 */
const LIBSIGNAL_CHATTER = [
  'Closing session',
  'Closing open session in favor of incoming prekey bundle',
  'Closing stale open session',
  'Decrypted message with closed session.',
  'Session already closed',
  'Migrating session to:',
] as const;

const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

function describe(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  const name = value === null ? 'null' : inspect(value, { depth: 0 }).split(/[\s{[(]/)[0];
  return `[${name || typeof value}]`;
}

/** Routes the process console into `logger`; returns the function that puts it back. */
export function captureConsole(logger: Logger): () => void {
  const originals = METHODS.map((method) => [method, console[method]] as const);
  const log = logger.child({ component: 'console' });
  for (const method of METHODS) {
    console[method] = (...args: unknown[]) => {
      const first = args[0];
      if (typeof first === 'string' && LIBSIGNAL_CHATTER.some((c) => first.startsWith(c))) {
        log.debug({ source: 'libsignal' }, first.replace(/:.*$/s, ''));
        return;
      }
      const text = args.map(describe).join(' ').slice(0, 2_000);
      if (method === 'error') log.error({ method }, text);
      else log.warn({ method }, text);
    };
  }
  return () => {
    for (const [method, original] of originals) console[method] = original;
  };
}
