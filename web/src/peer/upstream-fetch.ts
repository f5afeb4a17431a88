import { ProtocolError } from '@pasarela/shared';
import type { HeaderList, RequestHead } from '@pasarela/shared';
import type { RequestBody } from './request-body.js';
import type { BodyMode, StreamContext } from './stream.js';
import type { ResolvedTarget } from './targets.js';

/** One relayed request, as the page will send it. */
export interface UpstreamRequest {
  readonly head: RequestHead;
  readonly method: string;
  /** The headers a page may send (forbidden ones already dropped). */
  readonly headers: HeaderList;
  readonly target: ResolvedTarget;
  /** Null for GET and HEAD, which carry none. */
  readonly body: RequestBody | null;
  readonly context: StreamContext;
}

/**
 * How the request body goes out: none, whole, or streamed. Throws
 * `bad_frame` for a GET or HEAD that announces a body and `body_too_large`
 * for a body that must be held whole and is known to pass the cap.
 */
export function bodyMode(request: UpstreamRequest): BodyMode | null {
  const { head, body, context, target } = request;
  if (!body) {
    if (head.bodyLength) throw new ProtocolError('bad_frame', `${request.method} announced a body`);
    return null;
  }
  const { config, canStream, bodyModes } = context;
  const length = head.bodyLength;
  // Streaming to an origin not yet seen may fail after bytes left (a network
  // fault looks like Chromium's HTTP/1.1 refusal: a bare TypeError), and the
  // whole body then goes again. Only a request safe to repeat takes that
  // chance; any other is sent whole, once.
  const unseen: BodyMode = head.replaySafe ? 'stream' : 'buffer';
  let mode: BodyMode = bodyModes.get(target.effective.origin) ?? unseen;
  if (!canStream || config.requestStreaming === 'never') mode = 'buffer';
  if (length !== null && length <= config.bufferBodiesUpTo) mode = 'buffer';
  const cap = config.maxBufferedBodyBytes;
  if (mode === 'buffer' && length !== null && length > cap) {
    throw new ProtocolError('body_too_large', `${length} bytes to send whole, cap ${cap}`);
  }
  return mode;
}

function pageInit(request: UpstreamRequest, signal: AbortSignal): RequestInit {
  return {
    method: request.method,
    headers: new Headers(request.headers),
    // A CDN that allows any origin does so only without credentials (F12).
    credentials: 'omit',
    // Never followed: a browser hands back an opaque redirect, so the page
    // cannot be steered to a host the peer did not check.
    redirect: 'manual',
    mode: 'cors',
    cache: 'no-store',
    referrerPolicy: 'no-referrer',
    signal,
  };
}

/**
 * Sends the request with `fetch`. A streamed body uses `duplex: 'half'`;
 * Chromium streams request bodies only over HTTP/2 and over HTTP/1.1 fails
 * with a bare TypeError before the request goes out (F14), so an origin
 * never seen streaming gets the same bytes once more, whole, and is
 * remembered as one that takes whole bodies.
 */
export async function fetchUpstream(
  request: UpstreamRequest,
  mode: BodyMode | null,
  signal: AbortSignal,
): Promise<Response> {
  const { fetch } = request.context.config;
  const { bodyModes } = request.context;
  const url = request.target.effective.href;
  const { body } = request;
  if (mode === null || !body) return fetch(url, pageInit(request, signal));
  if (mode === 'buffer') {
    return fetch(url, { ...pageInit(request, signal), body: await body.whole(signal) });
  }
  const origin = request.target.effective.origin;
  const known = bodyModes.get(origin) === 'stream';
  const streamed = {
    ...pageInit(request, signal),
    body: body.stream(signal, !known),
    duplex: 'half',
  };
  try {
    const response = await fetch(url, streamed as RequestInit);
    bodyModes.set(origin, 'stream');
    return response;
  } catch (error) {
    if (signal.aborted || known || !body.replayable || !(error instanceof TypeError)) throw error;
    const response = await fetch(url, {
      ...pageInit(request, signal),
      body: await body.whole(signal),
    });
    bodyModes.set(origin, 'buffer');
    return response;
  }
}
