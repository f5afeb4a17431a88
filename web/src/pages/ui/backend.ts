import { isTenantId } from '@pasarela/shared';
import type { PeerOptions } from '../../peer/index.js';

/**
 * What a restaurant page asks of the restaurant's own backend (the local
 * stack's stand-in, or the restaurant's real one). The page never holds an
 * API key: the backend keeps it and asks the worker on the page's behalf.
 */

/** Peer options a backend may tune; only values that survive JSON. */
export type PeerTuning = Pick<
  PeerOptions,
  'handshakeTimeoutMs' | 'roomSilenceMs' | 'probeTimeoutMs' | 'reprobeAfterMs' | 'reconnect'
>;

export interface PageConfig {
  readonly tenant: string;
  /** The restaurant's name as staff know it. */
  readonly restaurant: string;
  readonly room: { readonly host: string; readonly protocol: 'ws' | 'wss' };
  readonly mode: 'production' | 'development';
  /** Development only: WhatsApp names to local stand-in endpoints. */
  readonly devHostMap?: Readonly<Record<string, string>>;
  readonly peer?: PeerTuning;
}

export interface SessionInfo {
  /** The worker's session state (`connected`, `qr`, ...), or null when it has none. */
  readonly status: string | null;
}

/** The backend answered something a page cannot use; `field` names what. */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function invalid(field: string, problem: string): never {
  throw new BackendError('config_invalid', `page config ${field}: ${problem}`);
}

/** Checks the backend's page configuration, naming the first bad field. */
export function parsePageConfig(value: unknown): PageConfig {
  if (typeof value !== 'object' || value === null) invalid('(root)', 'not an object');
  const input = value as Record<string, unknown>;
  if (!isTenantId(input['tenant'])) invalid('tenant', 'not a tenant id');
  if (typeof input['restaurant'] !== 'string') invalid('restaurant', 'not a string');
  const room = input['room'] as Record<string, unknown> | undefined;
  if (typeof room?.['host'] !== 'string' || room['host'] === '') invalid('room.host', 'missing');
  if (room['protocol'] !== 'ws' && room['protocol'] !== 'wss') {
    invalid('room.protocol', "must be 'ws' or 'wss'");
  }
  const mode = input['mode'];
  if (mode !== 'production' && mode !== 'development') {
    invalid('mode', "must be 'production' or 'development'");
  }
  const devHostMap = input['devHostMap'];
  if (devHostMap !== undefined) {
    if (mode !== 'development') invalid('devHostMap', 'only allowed in development mode');
    const entries = Object.entries(devHostMap as Record<string, unknown>);
    if (entries.some(([, to]) => typeof to !== 'string'))
      invalid('devHostMap', 'not names to URLs');
  }
  const peer = input['peer'];
  if (peer !== undefined && (typeof peer !== 'object' || peer === null)) {
    invalid('peer', 'not an object');
  }
  return {
    tenant: input['tenant'],
    restaurant: input['restaurant'],
    room: { host: room['host'], protocol: room['protocol'] },
    mode,
    ...(devHostMap === undefined ? {} : { devHostMap: devHostMap as Record<string, string> }),
    ...(peer === undefined ? {} : { peer: peer as PeerTuning }),
  };
}

type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export class Backend {
  readonly #base: string;
  readonly #fetch: FetchLike;

  constructor(base = '/backend', fetchImpl: FetchLike = (input, init) => fetch(input, init)) {
    this.#base = base;
    this.#fetch = fetchImpl;
  }

  async config(): Promise<PageConfig> {
    return parsePageConfig(await this.#json('GET', '/config'));
  }

  /** A fresh short-lived peer token; the peer asks before every connection attempt. */
  async peerToken(): Promise<string> {
    const body = (await this.#json('GET', '/peer-token')) as { token?: unknown };
    if (typeof body.token !== 'string') throw new BackendError('bad_answer', 'no token');
    return body.token;
  }

  async session(): Promise<SessionInfo> {
    const body = (await this.#json('GET', '/session')) as { status?: unknown };
    return { status: typeof body.status === 'string' ? body.status : null };
  }

  async startSession(): Promise<SessionInfo> {
    const body = (await this.#json('POST', '/session/start', {})) as { status?: unknown };
    return { status: typeof body.status === 'string' ? body.status : null };
  }

  /** The current QR as an image URL; a new query defeats caches as the QR rotates. */
  qrImageUrl(serial: number): string {
    return `${this.#base}/qr.png?n=${serial}`;
  }

  async pairingCode(phone: string): Promise<string> {
    const body = (await this.#json('POST', '/pairing-code', { phone })) as { code?: unknown };
    if (typeof body.code !== 'string') throw new BackendError('bad_answer', 'no code');
    return body.code;
  }

  async #json(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await this.#fetch(this.#base + path, {
      method,
      cache: 'no-store',
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      throw new BackendError('bad_answer', `${method} ${path}: not JSON (${response.status})`);
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
      throw new BackendError(
        error?.code ?? `http_${response.status}`,
        `${method} ${path}: ${error?.message ?? response.statusText}`,
      );
    }
    return parsed;
  }
}
