import type { RecordsSnapshot, RequestRecord } from '@pasarela/standin';
import { PEER_DEFAULTS } from '../../../../web/src/peer/index.js';
import { TEST_SESSION_SETTINGS } from '../../../../session-worker/test/session/support/harness.js';
import { TEST_TUNNEL_SETTINGS } from '../../../../session-worker/test/tunnel/support/fixture.js';

/** Bounds the suite waits with, each derived from the configuration the parts run with. */
export const BOUNDS = {
  /** One attempt of the page's peer, its Hello, and its three probes. */
  joinMs:
    PEER_DEFAULTS.reconnect.connectionTimeoutMs +
    PEER_DEFAULTS.handshakeTimeoutMs +
    PEER_DEFAULTS.probeTimeoutMs,
  /** Pairing by QR, the 515 restart and the login (as the worker's own tests bound it). */
  pairMs: TEST_SESSION_SETTINGS.connectTimeoutMs * 4,
  /** The worker moves the WebSocket onto a ready tunnel: hysteresis, then a login. */
  moveMs:
    (TEST_TUNNEL_SETTINGS.routes?.healthyForMs ?? 0) +
    TEST_SESSION_SETTINGS.connectTimeoutMs * 2 +
    (TEST_TUNNEL_SETTINGS.statusDebounceMs ?? 0),
  /**
   * After WhatsApp drops the socket: a reconnect through the tab that is
   * refused at once, then one direct, each after at most the longest backoff.
   */
  reconnectMs: 2 * (TEST_SESSION_SETTINGS.backoffMaxMs + TEST_SESSION_SETTINGS.connectTimeoutMs),
  /** A message or an upload acknowledged end to end. */
  messageMs: TEST_SESSION_SETTINGS.defaultQueryTimeoutMs,
} as const;

/** The WhatsApp WebSocket upgrades among the stand-in's records. */
export function chatUpgrades(requests: readonly RequestRecord[]): RequestRecord[] {
  return requests.filter((r) => r.kind === 'ws' && r.path === '/ws/chat');
}

/** Requests of the account's own device (not a simulated contact's) to the media hosts. */
export function accountMedia(records: RecordsSnapshot): RequestRecord[] {
  return records.requests.filter((r) => r.kind === 'http' && r.party === null);
}

/** What the suite compares of a request: where it came from and with which Origin. */
export function seen(request: RequestRecord): [string, string, string | null, number | null] {
  return [request.method, request.remoteAddress, request.origin, request.status];
}
