import type { HeaderList, ResponseHead } from '@pasarela/shared';
import { readableResponseHeaders } from './headers.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

// The protocol's schema bounds (shared/src/messages.ts): a head the worker
// could not decode would fail the whole stream.
const MAX_HEADERS = 256;
const MAX_VALUE = 16_384;
const MAX_STATUS_TEXT = 512;

/**
 * With `redirect: 'manual'` a browser hands back an opaque redirect (status
 * 0, no headers, no Location), so the page can never be steered to a host
 * the peer did not check. Node returns the real 3xx; it is reported the same
 * way, so a Node peer proves no more than a browser could.
 */
export function isOpaqueRedirect(response: Response): boolean {
  if (response.type === 'opaqueredirect') return true;
  return REDIRECT_STATUSES.has(response.status) && response.headers.has('location');
}

function bounded(headers: HeaderList): HeaderList {
  return headers.filter(([, value]) => value.length <= MAX_VALUE).slice(0, MAX_HEADERS);
}

export function responseHead(
  response: Response,
  requestedUrl: string,
  droppedRequestHeaders: string[],
): ResponseHead {
  if (isOpaqueRedirect(response)) {
    return {
      status: 0,
      statusText: '',
      headers: [],
      url: requestedUrl,
      redirected: false,
      opaque: true,
      droppedRequestHeaders,
      partialHeaders: true,
    };
  }
  return {
    status: response.status,
    statusText: response.statusText.slice(0, MAX_STATUS_TEXT),
    headers: bounded(readableResponseHeaders(response)),
    // Redirects are never followed, so the answer is always for the URL asked.
    url: requestedUrl,
    redirected: false,
    opaque: response.type === 'opaque',
    droppedRequestHeaders,
    partialHeaders: true,
  };
}
