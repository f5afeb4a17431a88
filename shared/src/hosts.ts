import { ProtocolError } from './errors.js';
import { classifyAddress } from './ip.js';

/**
 * The one list of WhatsApp host suffixes. The egress audit, the room and
 * the peer all decide "is this WhatsApp traffic?" from it. Baileys reaches
 * web.whatsapp.com (WebSocket, version file), mmg.whatsapp.net and the
 * media hosts its media_conn query announces (*.whatsapp.net), and
 * pps.whatsapp.net for profile pictures.
 */
export const WHATSAPP_HOST_SUFFIXES = ['whatsapp.net', 'whatsapp.com'] as const;

/** Lower-cases a host name and drops a trailing root dot and brackets. */
export function normalizeHost(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (name.startsWith('[') && name.endsWith(']')) name = name.slice(1, -1);
  return name;
}

/**
 * Whether a host name belongs to WhatsApp: a listed suffix itself or a
 * name under it, label-aligned, so `evilwhatsapp.net` and
 * `whatsapp.net.example.com` are not. IP literals never are.
 */
export function isWhatsAppHost(host: string): boolean {
  const name = normalizeHost(host);
  if (name.length === 0 || name.length > 253 || classifyAddress(name) !== null) return false;
  if (!/^[a-z0-9.-]+$/.test(name) || name.includes('..')) return false;
  return WHATSAPP_HOST_SUFFIXES.some((suffix) => name === suffix || name.endsWith(`.${suffix}`));
}

export interface TargetRules {
  /**
   * Extra host names allowed as targets, from the development host map
   * (a local stand-in). Empty in production.
   */
  readonly extraHosts?: ReadonlySet<string>;
  /** Allow `http:`/`ws:` for the extra hosts only (development). */
  readonly allowPlainForExtraHosts?: boolean;
}

const SECURE_SCHEMES = new Set(['https:', 'wss:']);
const PLAIN_SCHEMES = new Set(['http:', 'ws:']);

/**
 * Checks that a relay target is a WhatsApp host (or an explicitly mapped
 * development host) over a secure scheme, and never an address literal.
 * Returns the parsed URL or throws `host_not_allowed`.
 */
export function checkTarget(url: string, rules: TargetRules = {}): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ProtocolError('host_not_allowed', 'target is not an absolute URL');
  }
  // WHATWG URL parsing already turned forms like "2130706433" into dotted quads.
  const host = normalizeHost(parsed.hostname);
  const extra = rules.extraHosts?.has(host) ?? false;
  const schemeOk =
    SECURE_SCHEMES.has(parsed.protocol) ||
    (extra && rules.allowPlainForExtraHosts === true && PLAIN_SCHEMES.has(parsed.protocol));
  if (!schemeOk) {
    throw new ProtocolError('host_not_allowed', `scheme ${parsed.protocol} is not allowed`, {
      host,
    });
  }
  if (parsed.username || parsed.password) {
    throw new ProtocolError('host_not_allowed', 'target carries credentials', { host });
  }
  if (!extra) {
    const address = classifyAddress(host);
    if (address !== null) {
      throw new ProtocolError('host_not_allowed', `address literal (${address}) is not allowed`, {
        host,
      });
    }
    if (!isWhatsAppHost(host)) {
      throw new ProtocolError('host_not_allowed', 'not a WhatsApp host', { host });
    }
  }
  return parsed;
}
