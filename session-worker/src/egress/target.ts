import { isIP } from 'node:net';
import { isWhatsAppHost, normalizeHost } from '@pasarela/shared';

/** Where a client of the egress meant to go: its origin, as the faces saw it. */
export interface Target {
  readonly protocol: 'https:' | 'http:';
  /** Host name or address, lower-cased, without brackets. */
  readonly host: string;
  readonly port: number;
  /** TLS server name, when the client set one apart from the host. */
  readonly servername: string | undefined;
  /** Either name is WhatsApp's: the tunnel's business and the audit's. */
  readonly whatsapp: boolean;
}

export function makeTarget(
  protocol: string,
  host: string,
  port: number | string | undefined,
  servername?: string | null,
): Target {
  const secure = protocol !== 'http:' && protocol !== 'ws:';
  const name = normalizeHost(host);
  const sni = servername ? normalizeHost(servername) : undefined;
  const parsedPort = Number(port);
  return {
    protocol: secure ? 'https:' : 'http:',
    host: name,
    port: Number.isInteger(parsedPort) && parsedPort > 0 ? parsedPort : secure ? 443 : 80,
    servername: sni && sni !== name ? sni : undefined,
    whatsapp: isWhatsAppHost(name) || (sni !== undefined && isWhatsAppHost(sni)),
  };
}

/** The name a WhatsApp server knows this target by (SNI, certificate, audit). */
export function targetName(target: Target): string {
  return target.servername ?? target.host;
}

/**
 * `https://host[:port]/path` for logs and errors. The query is left out:
 * media URLs carry an `auth` parameter that must never reach a log.
 */
export function describeTarget(target: Target, path = ''): string {
  const defaultPort = target.protocol === 'https:' ? 443 : 80;
  const host = isIP(target.host) === 6 ? `[${target.host}]` : target.host;
  const port = target.port === defaultPort ? '' : `:${target.port}`;
  const queryAt = path.indexOf('?');
  return `${target.protocol}//${host}${port}${queryAt === -1 ? path : path.slice(0, queryAt)}`;
}
