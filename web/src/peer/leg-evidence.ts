import type { Leg, LegState, Legs } from '@pasarela/shared';
import type { StreamOutcome } from './events.js';

function verdict(leg: Leg, outcome: StreamOutcome): LegState | null {
  if (outcome === 'ok' || outcome === 'closed') return { status: 'ok' };
  if (outcome === 'browser_cors') {
    return {
      status: 'unavailable',
      reason: 'browser_cors: a relayed exchange was refused by CORS',
    };
  }
  if (leg === 'websocket' && outcome === 'upstream_refused') {
    return {
      status: 'unavailable',
      reason: 'upstream_refused: a relayed upgrade was refused or the host unreachable',
    };
  }
  return null;
}

/**
 * The legs after a relayed stream ended: real traffic is better evidence
 * than a probe, so a success marks its leg servable and a refusal that will
 * repeat (CORS, a refused upgrade) marks it unservable until the next
 * probe. Network failures and timeouts say nothing lasting. Returns the
 * same object when nothing changed.
 */
export function legsAfter(legs: Legs, leg: Leg, outcome: StreamOutcome): Legs {
  const next = verdict(leg, outcome);
  if (!next) return legs;
  const current = legs[leg];
  if (current.status === next.status && current.reason === next.reason) return legs;
  return { ...legs, [leg]: next };
}
