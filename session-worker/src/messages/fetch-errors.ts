/**
 * Errors of the worker's own fetches of caller URLs (media, link previews,
 * webhooks). Messages name the host and path, never a query string.
 */
export const FETCH_ERRORS = {
  url_not_allowed: {
    meaning: 'The URL is not an absolute https URL without credentials.',
    status: 400,
  },
  host_not_allowed: {
    meaning:
      'The host resolves to a loopback, private, link-local ' +
      'or metadata address the allowlist does not name.',
    status: 422,
  },
  too_many_redirects: { meaning: 'The URL redirected more often than allowed.', status: 422 },
  media_too_large: { meaning: 'The body is larger than the configured cap.', status: 413 },
  fetch_timeout: {
    meaning: 'The fetch, redirects and body included, passed its deadline.',
    status: 504,
  },
  fetch_failed: {
    meaning: 'The host could not be resolved or reached, or the connection failed.',
    status: 502,
  },
  fetch_status: { meaning: 'The URL answered with a status other than 2xx.', status: 502 },
} as const satisfies Record<string, { meaning: string; status: number }>;

export type FetchErrorCode = keyof typeof FETCH_ERRORS;

export class FetchError extends Error {
  override readonly name = 'FetchError';

  constructor(
    readonly code: FetchErrorCode,
    detail: string,
    readonly context: Record<string, string | number | boolean> = {},
    cause?: unknown,
  ) {
    super(`${code}: ${detail}`, cause === undefined ? undefined : { cause });
  }
}
