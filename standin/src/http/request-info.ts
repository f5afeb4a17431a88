import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { ResolvedOptions } from '../options.js';
import type { HeaderPair, RequestRecord } from '../records.js';

export type AnyRequest = IncomingMessage | Http2ServerRequest;

function pairs(raw: readonly string[]): HeaderPair[] {
  const out: HeaderPair[] = [];
  for (let index = 0; index + 1 < raw.length; index += 2) {
    out.push([raw[index] as string, raw[index + 1] as string]);
  }
  return out;
}

function single(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? (value[0] ?? null) : value;
}

/** A media `auth` token is a credential: records show that it was there, not what it was. */
export function redactPath(path: string): string {
  return path.replace(/([?&]auth=)[^&]*/g, '$1REDACTED');
}

function stripPort(authority: string): string {
  if (authority.startsWith('[')) return authority.slice(1, authority.indexOf(']'));
  const colon = authority.lastIndexOf(':');
  return colon > 0 && authority.indexOf(':') === colon ? authority.slice(0, colon) : authority;
}

/**
 * The host name a request is for. Through the TLS listener that is the
 * name the client asked for (Host or :authority). The plain development
 * listener is reached by address, so there the path tells: the WebSocket and
 * version file belong to the web host, everything else to the media host.
 */
export function logicalHost(authority: string | null, path: string, options: ResolvedOptions) {
  const name = authority === null ? '' : stripPort(authority).toLowerCase();
  if (name !== '' && isIP(name) === 0 && name !== 'localhost') return name;
  const pathname = path.split('?')[0] ?? '';
  return pathname.startsWith('/ws') || pathname === '/sw.js' ? options.webHost : options.mediaHost;
}

/** The fields every request record carries, read from the request as it arrived. */
export function describeRequest(
  request: AnyRequest,
  kind: 'http' | 'ws',
  transport: 'tls' | 'plain',
  options: ResolvedOptions,
): Omit<RequestRecord, 'seq' | 'time'> {
  const headers = request.headers;
  const authority = single(headers[':authority']) ?? single(headers.host);
  const path = request.url ?? '/';
  const socket = request.socket as Partial<TLSSocket> | null;
  const servername = socket?.servername;
  return {
    kind,
    transport,
    httpVersion: request.httpVersion,
    sni: typeof servername === 'string' ? servername : null,
    host: logicalHost(authority, path, options),
    method: request.method ?? 'GET',
    path: redactPath(path),
    remoteAddress: socket?.remoteAddress ?? '',
    remotePort: socket?.remotePort ?? 0,
    origin: single(headers.origin),
    userAgent: single(headers['user-agent']),
    headers: pairs(request.rawHeaders),
    account: null,
    party: null,
    connection: null,
    status: null,
    responseHeaders: null,
    refusedBy: null,
  };
}
