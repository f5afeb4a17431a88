import { checkTarget, isWhatsAppHost, normalizeHost, ProtocolError } from '@pasarela/shared';

/**
 * Where a relayed request or upstream WebSocket really goes. The worker
 * always names WhatsApp's own URLs; the development host map, when an
 * operator opts in, sends a WhatsApp name to a local stand-in instead. The
 * map never widens which names are accepted: its keys must be WhatsApp
 * hosts, so every target still passes `checkTarget` first.
 */
export type DevHostMap = ReadonlyMap<string, URL>;

export interface ResolvedTarget {
  /** The URL the worker asked for (a WhatsApp host over https/wss). */
  readonly requested: URL;
  /** The URL the peer contacts: the same, or the mapped stand-in endpoint. */
  readonly effective: URL;
  /** The requested host, for events and error messages (never the query). */
  readonly host: string;
  readonly mapped: boolean;
}

const MAP_SCHEMES = new Set(['http:', 'https:']);

export class DevHostMapError extends Error {
  override readonly name = 'DevHostMapError';
}

/**
 * Validates a development host map: keys are WhatsApp host names, values
 * are bare `http:`/`https:` origins (a stand-in's plain or TLS endpoint).
 */
export function parseDevHostMap(record: Readonly<Record<string, string>>): DevHostMap {
  const map = new Map<string, URL>();
  for (const [key, value] of Object.entries(record)) {
    const host = normalizeHost(key);
    if (!isWhatsAppHost(host)) {
      throw new DevHostMapError(`key ${JSON.stringify(key)} is not a WhatsApp host name`);
    }
    let endpoint: URL;
    try {
      endpoint = new URL(value);
    } catch {
      throw new DevHostMapError(`value for ${host} is not an absolute URL`);
    }
    if (!MAP_SCHEMES.has(endpoint.protocol)) {
      throw new DevHostMapError(`value for ${host} must be an http: or https: origin`);
    }
    if (endpoint.username || endpoint.password || endpoint.search || endpoint.hash) {
      throw new DevHostMapError(`value for ${host} must carry no credentials, query or fragment`);
    }
    if (endpoint.pathname !== '/') {
      throw new DevHostMapError(`value for ${host} must be an origin without a path`);
    }
    map.set(host, endpoint);
  }
  return map;
}

function mappedUrl(requested: URL, endpoint: URL): URL {
  const secure = endpoint.protocol === 'https:';
  const socket = requested.protocol === 'wss:' || requested.protocol === 'ws:';
  const scheme = socket ? (secure ? 'wss:' : 'ws:') : endpoint.protocol;
  return new URL(`${scheme}//${endpoint.host}${requested.pathname}${requested.search}`);
}

/**
 * Checks a target against the shared WhatsApp list and applies the
 * development map. Throws `ProtocolError('host_not_allowed')` for anything
 * else: other hosts, address literals (loopback, private, link-local),
 * plain schemes, credentials in the URL.
 */
export function resolveTarget(url: string, devHosts: DevHostMap | null): ResolvedTarget {
  const requested = checkTarget(url);
  const host = normalizeHost(requested.hostname);
  const endpoint = devHosts?.get(host);
  if (!endpoint) return { requested, effective: requested, host, mapped: false };
  return { requested, effective: mappedUrl(requested, endpoint), host, mapped: true };
}

/** The scheme a target must have for a relayed HTTP exchange or WebSocket. */
export function assertTargetKind(target: ResolvedTarget, kind: 'http' | 'websocket'): void {
  const socket = target.requested.protocol === 'wss:' || target.requested.protocol === 'ws:';
  if (socket !== (kind === 'websocket')) {
    throw new ProtocolError(
      'host_not_allowed',
      `scheme ${target.requested.protocol} cannot carry ` +
        `${kind === 'http' ? 'an HTTP exchange' : 'a WebSocket'}`,
      { host: target.host },
    );
  }
}
