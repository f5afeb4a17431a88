import type { HeaderList } from '@pasarela/shared';

/**
 * What a page may send and read, applied in every runtime so a peer in Node
 * never carries or reports more than a browser tab could.
 */

// The Fetch standard's forbidden request-header names (section 2.2.2), plus
// User-Agent: the standard dropped it from the list, but Chromium still
// ignores it on fetch and no browser lets a page set it on a WebSocket.
const FORBIDDEN_REQUEST_HEADERS = new Set([
  'accept-charset',
  'accept-encoding',
  'access-control-request-headers',
  'access-control-request-method',
  'access-control-request-private-network',
  'connection',
  'content-length',
  'cookie',
  'cookie2',
  'date',
  'dnt',
  'expect',
  'host',
  'keep-alive',
  'origin',
  'referer',
  'set-cookie',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'via',
]);

const FORBIDDEN_PREFIXES = ['proxy-', 'sec-'];

const METHOD_OVERRIDES = new Set(['x-http-method', 'x-http-method-override', 'x-method-override']);

/** Methods `fetch` refuses outright (Fetch standard, "forbidden method"). */
export const FORBIDDEN_METHODS = new Set(['CONNECT', 'TRACE', 'TRACK']);

export function isForbiddenRequestHeader(name: string, value: string): boolean {
  const lower = name.toLowerCase();
  if (FORBIDDEN_REQUEST_HEADERS.has(lower)) return true;
  if (FORBIDDEN_PREFIXES.some((prefix) => lower.startsWith(prefix))) return true;
  if (METHOD_OVERRIDES.has(lower)) {
    return value.split(',').some((method) => FORBIDDEN_METHODS.has(method.trim().toUpperCase()));
  }
  return false;
}

export interface FilteredRequestHeaders {
  readonly headers: HeaderList;
  /** Lower-case names dropped, each once, in the order first seen. */
  readonly dropped: string[];
}

/** Splits a worker's request headers into what a page may send and what it must drop. */
export function pageRequestHeaders(list: HeaderList): FilteredRequestHeaders {
  const headers: HeaderList = [];
  const dropped: string[] = [];
  for (const [name, value] of list) {
    if (isForbiddenRequestHeader(name, value)) {
      const lower = name.toLowerCase();
      if (!dropped.includes(lower)) dropped.push(lower);
    } else {
      headers.push([name, value]);
    }
  }
  return { headers, dropped };
}

/** Every header name in a list, lower-case, each once: a page's WebSocket can send none. */
export function allHeaderNames(list: HeaderList): string[] {
  return [...new Set(list.map(([name]) => name.toLowerCase()))];
}

// CORS-safelisted response-header names (Fetch standard, section 2.2.2).
const SAFELISTED_RESPONSE_HEADERS = new Set([
  'cache-control',
  'content-language',
  'content-length',
  'content-type',
  'expires',
  'last-modified',
  'pragma',
]);

const NEVER_READABLE = new Set(['set-cookie', 'set-cookie2']);

/** The part of a `Response` this filter reads. */
export interface ResponseView {
  readonly type: string;
  readonly headers: Headers;
}

function exposedNames(headers: Headers): { all: boolean; names: Set<string> } {
  const names = new Set(SAFELISTED_RESPONSE_HEADERS);
  const listed = headers.get('access-control-expose-headers');
  let all = false;
  for (const token of (listed ?? '').split(',')) {
    const name = token.trim().toLowerCase();
    // A wildcard exposes every header to a request without credentials, and
    // the peer never sends credentials.
    if (name === '*') all = true;
    else if (name) names.add(name);
  }
  return { all, names };
}

/**
 * The headers of a cross-origin response under CORS, as a browser exposes
 * them to the page: the safelisted ones and those the response lists in
 * Access-Control-Expose-Headers. Set-Cookie never.
 */
export function corsExposedHeaders(headers: Headers): HeaderList {
  const { all, names } = exposedNames(headers);
  const exposed: HeaderList = [];
  for (const [name, value] of headers) {
    if (NEVER_READABLE.has(name)) continue;
    if (all || names.has(name)) exposed.push([name, value]);
  }
  return exposed;
}

/**
 * The response headers a cross-origin page can read. A browser has already
 * filtered a `cors` response (and may hide Access-Control-Expose-Headers
 * itself), so its headers are taken as they are; any other response (Node,
 * or a same-origin stand-in in development) is filtered here the same way.
 * Set-Cookie is never readable. A body the runtime decoded no longer matches
 * its Content-Encoding or Content-Length, so neither is passed on then; a
 * Content-Length whose encoding the peer could not see is not passed either.
 */
export function readableResponseHeaders(response: ResponseView): HeaderList {
  const filteredByBrowser = response.type === 'cors';
  const readable = filteredByBrowser
    ? [...response.headers].filter(([name]) => !NEVER_READABLE.has(name))
    : corsExposedHeaders(response.headers);
  const names = new Set(readable.map(([name]) => name));
  // Unfiltered here, the peer saw every header, Content-Encoding included.
  const encodingKnown = !filteredByBrowser || names.has('content-encoding');
  const encoded = response.headers.has('content-encoding');
  if (encoded || !encodingKnown) {
    return readable.filter(([name]) => name !== 'content-encoding' && name !== 'content-length');
  }
  return readable;
}
