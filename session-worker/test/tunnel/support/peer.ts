import { signToken } from '@pasarela/shared';
import type { TokenKeySet } from '@pasarela/shared';
import type { Standin } from '@pasarela/standin';
import { nextEvent, startNodePeer } from '@pasarela/web/node-peer';
import type { NodePeerOptions, RelayPeer } from '@pasarela/web/node-peer';

/** The restaurant's address in these tests: a second loopback address of this host. */
export const PEER_ADDRESS = '127.0.0.2';

/** The worker's own address toward the upstreams. */
export const WORKER_ADDRESS = '127.0.0.1';

export interface TestPeerOptions {
  /** WhatsApp names to the origin the page reaches for them (`standinDevMap`, ...). */
  readonly devHostMap: Record<string, string>;
  /** A certificate authority the page trusts besides the system's (a TLS test upstream). */
  readonly ca?: string;
  /** `host:port` of the room (or of a relay in front of it). */
  readonly roomHost: string;
  readonly tenant: string;
  readonly keys: TokenKeySet;
  readonly localAddress?: string;
  readonly peer?: Partial<NodePeerOptions>;
}

/**
 * The stand-in's plain development endpoint for every WhatsApp name the
 * peer may be asked for: the page reaches WhatsApp there, from its own
 * address.
 */
export function standinDevMap(standin: Standin): Record<string, string> {
  const origin = standin.plain?.http;
  if (!origin) throw new Error('the stand-in was started without its plain listener');
  const map: Record<string, string> = {
    [standin.webHost]: origin,
    [standin.mediaHost]: origin,
  };
  for (const host of standin.uploadHosts) map[host] = origin;
  return map;
}

/** The reconnect pace of the tests' peers: quick, and never giving up. */
export const TEST_PEER_RECONNECT = {
  minDelayMs: 100,
  maxDelayMs: 500,
  growFactor: 1.5,
  connectionTimeoutMs: 3_000,
  maxRetries: Number.POSITIVE_INFINITY,
  minUptimeMs: 1_000,
};

/**
 * A browser-like Node peer (`startNodePeer`: a page's Origin and
 * User-Agent, a browser's CORS rules) with every socket it opens bound to
 * the restaurant's own source address, so the stand-in's records tell its
 * traffic from the worker's.
 */
export function startTestPeer(options: TestPeerOptions): RelayPeer {
  return startNodePeer({
    host: options.roomHost,
    tenant: options.tenant,
    getToken: () =>
      signToken({ tenant: options.tenant, role: 'peer', ttlSeconds: 300 }, options.keys),
    mode: 'development',
    devHostMap: options.devHostMap,
    localAddress: options.localAddress ?? PEER_ADDRESS,
    ...(options.ca ? { ca: options.ca } : {}),
    reconnect: TEST_PEER_RECONNECT,
    ...options.peer,
  });
}

/** Resolves once the peer has joined and reported its probed legs. */
export async function peerReady(peer: RelayPeer, timeoutMs: number): Promise<void> {
  const probed = () =>
    peer.status === 'connected' &&
    Object.values(peer.legs).every((leg) => leg.status !== 'unprobed');
  if (probed()) return;
  await Promise.race([
    new Promise<void>((resolve) => {
      const check = () => {
        if (!probed()) return;
        stopLegs();
        stopStatus();
        resolve();
      };
      const stopLegs = peer.on('legs', check);
      const stopStatus = peer.on('status', check);
    }),
    new Promise<never>((_, reject) =>
      setTimeout(
        () => reject(new Error(`peer not ready within ${timeoutMs} ms (${peer.status})`)),
        timeoutMs,
      ),
    ),
  ]);
}

export { nextEvent };

/** Every WhatsApp name of a test upstream at `origin`, for the peer's development map. */
export function upstreamDevMap(origin: string): Record<string, string> {
  return {
    'web.whatsapp.com': origin,
    'mmg.whatsapp.net': origin,
    'media.example-1.fna.whatsapp.net': origin,
  };
}
