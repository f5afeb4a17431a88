import type { Leg } from '@pasarela/shared';

/**
 * Small pure classifications of one request, kept apart so each has its
 * own table of tests: which leg it travels, whether it may be sent again,
 * and which of its headers belong to the hop rather than the exchange.
 */

/** WebSocket upgrades are the `websocket` leg; a request with a body uploads. */
export function legOf(method: string, upgrade: boolean): Leg {
  if (upgrade) return 'websocket';
  switch (method.toUpperCase()) {
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
      return 'download';
    default:
      return 'upload';
  }
}

/**
 * Whether the request may be sent again on another route when no byte of
 * its response has arrived (PROTOCOL.md, replay rules): GET and HEAD, and
 * WhatsApp media uploads, which are content-addressed (Baileys puts the
 * SHA-256 of the encrypted file in both the last path segment and the
 * `token` parameter, so a second copy lands on the same object).
 */
export function isReplaySafe(method: string, url: URL, whatsapp: boolean): boolean {
  const verb = method.toUpperCase();
  if (verb === 'GET' || verb === 'HEAD') return true;
  if (verb !== 'POST' || !whatsapp) return false;
  const token = url.searchParams.get('token');
  if (!token) return false;
  return (
    url.pathname.endsWith(`/${token}`) || url.pathname.endsWith(`/${encodeURIComponent(token)}`)
  );
}

// RFC 9110, section 7.6.1: fields that describe the connection, not the
// exchange. `expect` is answered by the in-process server itself.
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'expect',
]);

// An upgrade needs its own connection fields on the next hop.
const UPGRADE_FIELDS = new Set(['connection', 'upgrade']);

/**
 * The headers to send on, from Node's `rawHeaders` (flat name, value
 * list): order, case and repeats kept, hop-by-hop fields and any field the
 * `Connection` header names dropped. For an upgrade, `Connection` and
 * `Upgrade` stay.
 */
export function forwardableHeaders(rawHeaders: readonly string[], upgrade = false): string[] {
  const named = new Set<string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() !== 'connection') continue;
    for (const token of rawHeaders[i + 1]!.split(',')) {
      const name = token.trim().toLowerCase();
      if (name) named.add(name);
    }
  }
  const out: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const lower = name.toLowerCase();
    const keep = upgrade && UPGRADE_FIELDS.has(lower);
    if (!keep && (HOP_BY_HOP.has(lower) || named.has(lower))) continue;
    out.push(name, rawHeaders[i + 1]!);
  }
  return out;
}

/** The value of a header in a raw list, or undefined. */
export function rawHeader(rawHeaders: readonly string[], name: string): string | undefined {
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.toLowerCase() === name) return rawHeaders[i + 1];
  }
  return undefined;
}

/** A declared body length, or undefined when absent or malformed. */
export function contentLength(rawHeaders: readonly string[]): number | undefined {
  const value = rawHeader(rawHeaders, 'content-length');
  if (value === undefined || !/^[0-9]{1,15}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** The WhatsApp Web app's own origin. */
const WEB_APP_HOST = 'web.whatsapp.com';

/**
 * Whether a browser page could carry this WhatsApp request. The web app's
 * own origin serves its HTTP resources (the version file `sw.js` among
 * them) as same-origin files without CORS headers, so a restaurant page
 * may open its WebSocket but cannot read those answers; sending them
 * through the tunnel would only fail and make the peer doubt its whole
 * download leg. Media hosts answer with a wildcard allow-origin.
 */
export function isBrowserRelayable(host: string, leg: Leg): boolean {
  return leg === 'websocket' || host.toLowerCase() !== WEB_APP_HOST;
}
