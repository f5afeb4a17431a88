import WebSocket from 'ws';
import { signToken } from '@pasarela/shared';
import { RelayPeer } from '../../src/peer/index.js';
import type { PeerOptions, WebSocketConstructor } from '../../src/peer/index.js';
import { TEST_KEYS } from './room.js';
import type { TestRoom } from './room.js';
import type { TestUpstream } from './upstream.js';

export const TENANT = 'pizzeria-1';

export const NodeWebSocket = WebSocket as unknown as WebSocketConstructor;

export function peerToken(tenant = TENANT): Promise<string> {
  return signToken({ tenant, role: 'peer', ttlSeconds: 300 }, TEST_KEYS);
}

/** The development map that sends WhatsApp names to the test's upstream. */
export function devMap(upstream: TestUpstream): Record<string, string> {
  return {
    'web.whatsapp.com': upstream.origin,
    'mmg.whatsapp.net': upstream.origin,
  };
}

/**
 * A peer on bare `ws` and Node's `fetch` (no browser emulation: these tests
 * prove the library's own rules), pointed at the test room, with probes off
 * unless a test asks for them.
 */
export function testPeer(
  room: TestRoom,
  upstream: TestUpstream | null,
  options: Partial<PeerOptions> = {},
) {
  const peer = new RelayPeer({
    host: room.host,
    tenant: TENANT,
    getToken: () => peerToken(),
    WebSocket: NodeWebSocket,
    fetch: (input, init) => fetch(input, init),
    page: null,
    ...(upstream ? { mode: 'development' as const, devHostMap: devMap(upstream) } : {}),
    probes: { websocket: null, download: null, upload: null },
    reconnect: { minDelayMs: 50, maxDelayMs: 200, connectionTimeoutMs: 2_000 },
    ...options,
  });
  if (process.env.PEER_DEBUG) {
    for (const name of ['status', 'error', 'dropped', 'stream-start', 'stream-end'] as const) {
      peer.on(name, (event) => process.stderr.write(`${name} ${JSON.stringify(event)}\n`));
    }
  }
  return peer;
}
