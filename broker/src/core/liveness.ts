import type { PeerHealth } from '@pasarela/shared';
import type { BrokerConfig } from './config.js';
import { healthForRtt, smoothRtt } from './peers.js';
import type { ConnectionRecord } from './records.js';

/**
 * Health from the room's own pings. An open socket proves nothing: a
 * hibernated socket can look open long after its tab died, so a peer is
 * healthy only while it answers, and gone after `goneAfterMissedPings`
 * unanswered pings in a row (or at once when its close event arrives).
 */

/** Pings due within this share of an interval go out together, so one wake-up serves them. */
const BATCH_SHARE = 0.25;

export function pingDueAt(peer: ConnectionRecord, config: BrokerConfig): number {
  return peer.lastPingAt === null ? peer.connectedAt : peer.lastPingAt + config.pingIntervalMs;
}

export function isPingDue(peer: ConnectionRecord, now: number, config: BrokerConfig): boolean {
  return pingDueAt(peer, config) <= now + config.pingIntervalMs * BATCH_SHARE;
}

export type PingOutcome = { kind: 'ping' } | { kind: 'gone'; missed: number };

/**
 * Called when a peer's ping is due: counts the previous ping as missed if
 * no pong answered it, and says whether to ping again or give up.
 */
export function beforePing(peer: ConnectionRecord, config: BrokerConfig): PingOutcome {
  const unanswered =
    peer.lastPingAt !== null && (peer.lastPongAt === null || peer.lastPongAt < peer.lastPingAt);
  peer.missedPings = unanswered ? peer.missedPings + 1 : 0;
  if (peer.missedPings >= config.goneAfterMissedPings) {
    return { kind: 'gone', missed: peer.missedPings };
  }
  return { kind: 'ping' };
}

export interface PongResult {
  rttMs: number;
  previous: PeerHealth;
  health: PeerHealth;
}

/**
 * Records a pong. The round trip is measured on the room's own clock (the
 * pong echoes the room's send time), so the peer's clock never matters.
 */
export function afterPong(
  peer: ConnectionRecord,
  echoedSentAt: number,
  now: number,
  config: BrokerConfig,
): PongResult | null {
  const rttMs = now - echoedSentAt;
  // An echo from the future or from before the socket existed is not ours.
  if (rttMs < 0 || echoedSentAt < peer.connectedAt) return null;
  const previous = peer.health;
  peer.lastPongAt = now;
  peer.missedPings = 0;
  peer.rttMs = smoothRtt(peer.rttMs, rttMs);
  peer.health = healthForRtt(peer.rttMs, config.degradedRttMs);
  return { rttMs, previous, health: peer.health };
}
