import { corsExposedHeaders, isForbiddenRequestHeader } from '../peer/headers.js';
import type { FetchLike } from '../peer/runtime.js';
import { allowsOrigin, isSimpleMethod, preflightAllows, unsafeHeaderNames } from './cors-rules.js';

export interface BrowserRules {
  /** The origin of the page the peer stands for, e.g. `https://orders.restaurant.example`. */
  readonly origin: string;
  readonly userAgent: string;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** What every refusal looks like to a page: no status, no reason. */
function failedToFetch(): TypeError {
  return new TypeError('Failed to fetch');
}

function shaped(response: Response, type: ResponseType, status?: number): Response {
  return Object.defineProperties(response, {
    type: { value: type },
    ...(status === undefined ? {} : { status: { value: status }, statusText: { value: '' } }),
  });
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}

/**
 * Wraps Node's `fetch` so it behaves as a page's would: it sends the page's
 * Origin and a browser-like User-Agent, drops forbidden headers, preflights
 * non-simple requests, refuses (with a bare TypeError) an answer that does
 * not allow the origin, exposes only CORS-readable headers, turns a manual
 * redirect into an opaque one and a `no-cors` answer into an opaque one.
 */
export function browserLikeFetch(base: FetchLike, rules: BrowserRules): FetchLike {
  return async (input, init) => {
    const url = new URL(input);
    const method = (init.method ?? 'GET').toUpperCase();
    const authored = new Headers(init.headers);
    for (const [name, value] of [...authored]) {
      if (isForbiddenRequestHeader(name, value)) authored.delete(name);
    }
    const unsafe = unsafeHeaderNames(authored);
    const headers = new Headers(authored);
    headers.set('user-agent', rules.userAgent);
    const { mode = 'cors', credentials: _credentials, ...rest } = init;
    if (url.origin === rules.origin) return base(input, { ...rest, headers });
    if (mode === 'no-cors') {
      if (
        !isSimpleMethod(method) ||
        unsafe.length > 0 ||
        (init.redirect ?? 'follow') !== 'follow'
      ) {
        throw failedToFetch();
      }
      if (method !== 'GET' && method !== 'HEAD') headers.set('origin', rules.origin);
      const response = await base(input, { ...rest, headers });
      await discard(response);
      return shaped(new Response(null), 'opaque', 0);
    }
    headers.set('origin', rules.origin);
    if (!isSimpleMethod(method) || unsafe.length > 0) {
      const preflight = await base(input, {
        method: 'OPTIONS',
        headers: {
          origin: rules.origin,
          'user-agent': rules.userAgent,
          'access-control-request-method': method,
          ...(unsafe.length ? { 'access-control-request-headers': unsafe.join(',') } : {}),
        },
        redirect: 'manual',
        signal: init.signal ?? null,
      });
      await discard(preflight);
      if (!preflightAllows(preflight, rules.origin, method, unsafe)) throw failedToFetch();
    }
    const response = await base(input, { ...rest, headers });
    if (init.redirect === 'manual' && REDIRECT_STATUSES.has(response.status)) {
      await discard(response);
      return shaped(new Response(null), 'opaqueredirect', 0);
    }
    if (!allowsOrigin(response.headers, rules.origin)) {
      await discard(response);
      throw failedToFetch();
    }
    const body = NULL_BODY_STATUSES.has(response.status) ? null : response.body;
    const exposed = new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: corsExposedHeaders(response.headers),
    });
    return shaped(exposed, 'cors');
  };
}
