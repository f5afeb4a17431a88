import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { STANDIN_DEFAULTS } from './defaults.js';
import { StandinError } from './errors.js';

export interface ListenAddress {
  readonly host?: string;
  readonly port?: number;
}

export interface StandinOptions {
  /** Where the TLS listener (every WhatsApp host name, HTTP/2 and 1.1) binds. */
  readonly tls?: ListenAddress;
  /** The plain ws/http development listener; `false` for none. */
  readonly plain?: ListenAddress | false;
  /** The control API listener. */
  readonly control?: ListenAddress;
  /** Upload host names announced in `media_conn`, each a name under whatsapp.net. */
  readonly uploadHosts?: readonly string[];
  readonly clientRevision?: number;
  readonly qr?: {
    readonly refCount?: number;
    readonly firstRefMs?: number;
    readonly nextRefMs?: number;
  };
  readonly pairingReplyTimeoutMs?: number;
  readonly streamErrorGraceMs?: number;
  readonly sendEdgeRouting?: boolean;
  readonly maxUploadBytes?: number;
  readonly mediaStoreBytes?: number;
  readonly recordLimit?: number;
  /** Parent of the stand-in's temp folder (default: the OS temp folder). */
  readonly tmpParent?: string;
}

export interface ResolvedOptions {
  readonly tlsHost: string;
  readonly tlsPort: number;
  readonly plainHost: string | null;
  readonly plainPort: number;
  readonly controlHost: string;
  readonly controlPort: number;
  readonly webHost: string;
  readonly mediaHost: string;
  readonly uploadHosts: readonly string[];
  readonly clientRevision: number;
  readonly qrRefCount: number;
  readonly qrFirstRefMs: number;
  readonly qrNextRefMs: number;
  readonly pairingReplyTimeoutMs: number;
  readonly streamErrorGraceMs: number;
  readonly sendEdgeRouting: boolean;
  readonly mediaConnTtlSeconds: number;
  readonly mediaAuthTtlSeconds: number;
  readonly maxUploadBytes: number;
  readonly mediaStoreBytes: number;
  readonly recordLimit: number;
  readonly controlBodyBytes: number;
  readonly caValidityDays: number;
  readonly tmpParent: string;
  readonly tmpPrefix: string;
}

function bad(field: string, expected: string): never {
  throw new StandinError('bad_option', `${field} must be ${expected}`, { field });
}

function integer(
  field: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
) {
  const chosen = value ?? fallback;
  if (!Number.isInteger(chosen) || chosen < min || chosen > max) {
    bad(field, `an integer from ${min} to ${max}`);
  }
  return chosen;
}

function address(field: string, value: string | undefined, fallback: string): string {
  const chosen = value ?? fallback;
  if (isIP(chosen) === 0) bad(field, 'an IP address');
  return chosen;
}

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+whatsapp\.net$/;

/** Merges options over the defaults and validates them, naming the bad field. */
export function resolveOptions(options: StandinOptions = {}): ResolvedOptions {
  const d = STANDIN_DEFAULTS;
  const uploadHosts = (options.uploadHosts ?? d.uploadHosts).map((host) => host.toLowerCase());
  if (uploadHosts.length === 0) bad('uploadHosts', 'a non-empty list');
  for (const host of uploadHosts) {
    if (!HOST_NAME.test(host)) bad('uploadHosts', 'host names under whatsapp.net');
  }
  const plain = options.plain === false ? null : (options.plain ?? {});
  return {
    tlsHost: address('tls.host', options.tls?.host, d.tlsHost),
    tlsPort: integer('tls.port', options.tls?.port, d.tlsPort, 0, 65_535),
    plainHost: plain === null ? null : address('plain.host', plain.host, d.plainHost),
    plainPort: integer('plain.port', plain?.port, d.plainPort, 0, 65_535),
    controlHost: address('control.host', options.control?.host, d.controlHost),
    controlPort: integer('control.port', options.control?.port, d.controlPort, 0, 65_535),
    webHost: d.webHost,
    mediaHost: d.mediaHost,
    uploadHosts,
    clientRevision: integer(
      'clientRevision',
      options.clientRevision,
      d.clientRevision,
      1,
      2 ** 32 - 1,
    ),
    qrRefCount: integer('qr.refCount', options.qr?.refCount, d.qrRefCount, 1, 64),
    qrFirstRefMs: integer('qr.firstRefMs', options.qr?.firstRefMs, d.qrFirstRefMs, 100, 3_600_000),
    qrNextRefMs: integer('qr.nextRefMs', options.qr?.nextRefMs, d.qrNextRefMs, 100, 3_600_000),
    pairingReplyTimeoutMs: integer(
      'pairingReplyTimeoutMs',
      options.pairingReplyTimeoutMs,
      d.pairingReplyTimeoutMs,
      100,
      600_000,
    ),
    streamErrorGraceMs: integer(
      'streamErrorGraceMs',
      options.streamErrorGraceMs,
      d.streamErrorGraceMs,
      0,
      60_000,
    ),
    sendEdgeRouting: options.sendEdgeRouting ?? d.sendEdgeRouting,
    mediaConnTtlSeconds: d.mediaConnTtlSeconds,
    mediaAuthTtlSeconds: d.mediaAuthTtlSeconds,
    maxUploadBytes: integer('maxUploadBytes', options.maxUploadBytes, d.maxUploadBytes, 1, 2 ** 31),
    mediaStoreBytes: integer(
      'mediaStoreBytes',
      options.mediaStoreBytes,
      d.mediaStoreBytes,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    recordLimit: integer('recordLimit', options.recordLimit, d.recordLimit, 1, 10_000_000),
    controlBodyBytes: d.controlBodyBytes,
    caValidityDays: d.caValidityDays,
    tmpParent: options.tmpParent ?? tmpdir(),
    tmpPrefix: d.tmpPrefix,
  };
}

/** Every host name the TLS listener serves. */
export function servedHosts(options: ResolvedOptions): string[] {
  return [...new Set([options.webHost, options.mediaHost, ...options.uploadHosts])];
}
