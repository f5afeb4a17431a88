import { isProtocolError } from '@pasarela/shared';
import type { ErrorCode } from '@pasarela/shared';
import type { FetchLike } from './runtime.js';

/** Why this side stopped an exchange itself, if it did. */
export type AbortCause = 'deadline' | 'worker-reset' | 'link-lost' | 'stopped' | 'protocol';

/**
 * Whether the upstream's origin answers at all: a credential-less
 * `no-cors` GET of its root, whose opaque answer is never read. Chromium
 * allows `no-cors` only with `redirect: 'follow'` (with `manual` or `error`
 * it fails before sending anything), so this one request may follow a
 * redirect; it carries nothing and its answer is discarded.
 */
export async function originAnswers(
  fetch: FetchLike,
  target: URL,
  signal: AbortSignal,
): Promise<boolean> {
  try {
    const response = await fetch(`${target.origin}/`, {
      method: 'GET',
      mode: 'no-cors',
      credentials: 'omit',
      cache: 'no-store',
      redirect: 'follow',
      referrerPolicy: 'no-referrer',
      signal,
    });
    await response.body?.cancel().catch(() => undefined);
    return true;
  } catch {
    return false;
  }
}

/**
 * Names a failed `fetch` with a catalogue code, or null when this side
 * stopped it and owes the worker nothing more. A browser reports both a
 * CORS refusal and a network failure as a bare TypeError; the original
 * request is never sent again to tell them apart. Instead, an origin that
 * answers a `no-cors` request was reachable, so CORS refused the read
 * (DESIGN, "Browsers"; F12).
 */
export async function classifyFetchFailure(
  error: unknown,
  cause: AbortCause | null,
  reachable: () => Promise<boolean>,
): Promise<ErrorCode | null> {
  if (cause === 'deadline') return 'upstream_timeout';
  if (cause !== null) return null;
  if (isProtocolError(error)) return error.code;
  return (await reachable()) ? 'browser_cors' : 'browser_network';
}

/** A one-line description of a failure for a Reset, naming the host only. */
export function failureMessage(code: ErrorCode, host: string, detail?: string): string {
  switch (code) {
    case 'browser_cors':
      return `${host} answered, but CORS did not let the page read the response`;
    case 'browser_network':
      return `${host} could not be reached from the page`;
    case 'upstream_timeout':
      return `${host} did not finish within the exchange's deadline`;
    default:
      return detail ? `${host}: ${detail}` : `${host}: ${code}`;
  }
}
