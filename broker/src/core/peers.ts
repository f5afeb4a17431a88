import type { PeerHealth } from '@pasarela/shared';
import type { ConnectionRecord } from './records.js';

/**
 * Peer choice and health judgement, kept pure so their rules have their own
 * table tests.
 */

/** Smoothed round trip: a single slow pong must not flip a peer to degraded. */
export function smoothRtt(previous: number | null, sample: number): number {
  const next = previous === null ? sample : previous * 0.7 + sample * 0.3;
  return Math.round(next * 10) / 10;
}

export function healthForRtt(rttMs: number, degradedRttMs: number): PeerHealth {
  return rttMs > degradedRttMs ? 'degraded' : 'healthy';
}

type Candidate = Pick<
  ConnectionRecord,
  'name' | 'stage' | 'state' | 'health' | 'rttMs' | 'connectedAt'
>;

/** Whether a peer may carry new streams at all. Health must come from pongs. */
export function isEligible(peer: Candidate): boolean {
  return (
    peer.stage === 'open' &&
    peer.state === 'active' &&
    (peer.health === 'healthy' || peer.health === 'degraded')
  );
}

function better(a: Candidate, b: Candidate): number {
  const rank = (peer: Candidate) => (peer.health === 'healthy' ? 0 : 1);
  return (
    rank(a) - rank(b) ||
    (a.rttMs ?? Infinity) - (b.rttMs ?? Infinity) ||
    a.connectedAt - b.connectedAt ||
    (a.name < b.name ? -1 : 1)
  );
}

/**
 * The primary stays while it is eligible, unless it is degraded and a
 * healthy peer exists: every change of primary moves Baileys' WebSocket, so
 * a few milliseconds of round trip are not worth one. Otherwise the
 * healthy peer with the lowest round trip wins, then a degraded one.
 */
export function choosePrimary(current: string | null, peers: readonly Candidate[]): string | null {
  const eligible = peers.filter(isEligible);
  const sitting = eligible.find((peer) => peer.name === current);
  const anyHealthy = eligible.some((peer) => peer.health === 'healthy');
  if (sitting && (sitting.health === 'healthy' || !anyHealthy)) return sitting.name;
  const [best] = [...eligible].sort(better);
  return best?.name ?? null;
}
