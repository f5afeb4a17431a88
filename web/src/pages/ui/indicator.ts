import type {
  EgressPolicy,
  Leg,
  Legs,
  PeerState,
  StatusPeer,
  TenantStatus,
} from '@pasarela/shared';
import type { PeerStatus } from '../../peer/index.js';

/**
 * The protection indicator as one pure function of what a page knows: the
 * tenant status the room relays to every peer, and this browser's own peer
 * (its link to the room, whether staff paused it, the legs it can carry).
 * No API key and no other source: a page shows exactly what the worker
 * says, and never claims more than its own peer can see.
 */

export const PROTECTION_STATES = ['protected', 'latency', 'reconnecting', 'server'] as const;
/**
 * `protected`: WhatsApp goes through a restaurant connection. `latency`:
 * it does, but the round trip is degraded. `reconnecting`: protection is
 * coming back; the server route carries WhatsApp meanwhile. `server`: no
 * restaurant connection carries it; the cloud host's address is used.
 */
export type ProtectionState = (typeof PROTECTION_STATES)[number];

export const PROTECTION_CAUSES = [
  'tunnel',
  'slow-peer',
  'not-joined',
  'room-link',
  'no-word',
  'moving',
  'probing',
  'policy-direct',
  'leak',
  'leg',
  'partial',
  'no-peer',
] as const;
/** Why the state is what it is; each has its own sentence on the page. */
export type ProtectionCause = (typeof PROTECTION_CAUSES)[number];

/** Where WhatsApp's main connection goes while the tenant is not protected. */
export type Meanwhile = 'server' | 'waiting' | null;

export interface IndicatorInput {
  /** Staff agreed that this browser relays, so its peer runs. */
  readonly joined: boolean;
  /** This browser's link to the room: its own peer's when it leads, the leader's otherwise. */
  readonly link: PeerStatus | null;
  /** `paused` when staff paused relaying in this browser. */
  readonly state: PeerState | null;
  /** What this browser found it can carry. */
  readonly legs: Legs | null;
  /** The last tenant status the room relayed. */
  readonly status: TenantStatus | null;
}

export interface ProtectionFlags {
  /** Direct connections to WhatsApp that should have gone through the tunnel. */
  readonly leaks: number;
  /** Kinds of traffic this browser found it cannot carry. */
  readonly unservable: readonly Leg[];
  /** Staff paused relaying in this browser. */
  readonly paused: boolean;
  /** `tunnel-only` and nobody relays: WhatsApp waits until a tab carries it. */
  readonly waitingForTab: boolean;
}

export interface Protection {
  readonly state: ProtectionState;
  readonly cause: ProtectionCause;
  readonly meanwhile: Meanwhile;
  /** From a status this browser still receives; null while it is out of touch. */
  readonly routes: TenantStatus['routes'] | null;
  readonly policy: EgressPolicy | null;
  readonly session: string | null;
  /** The room's round trip to the peer that carries the traffic. */
  readonly rttMs: number | null;
  readonly flags: ProtectionFlags;
}

const LEGS: readonly Leg[] = ['websocket', 'download', 'upload'];

function unservableLegs(legs: Legs | null): Leg[] {
  return legs ? LEGS.filter((leg) => legs[leg].status === 'unavailable') : [];
}

/**
 * The primary peer as the status names it; a worker that predates the
 * field leaves it out, and then the routes and this browser's own peer
 * are all there is to go on.
 */
function primaryPeer(input: IndicatorInput, status: TenantStatus): StatusPeer | null {
  if (status.peer !== undefined) return status.peer;
  const guess = { peerId: '', rttMs: null, slow: false } as const;
  if (status.routes.websocket === 'tunnel') return { ...guess, state: 'active', health: 'healthy' };
  if (input.state === 'active') return { ...guess, state: 'active', health: 'unknown' };
  return null;
}

function meanwhileOf(policy: EgressPolicy | null, websocket: string | null): Meanwhile {
  if (websocket === 'none' || (websocket === null && policy === 'tunnel-only')) return 'waiting';
  return 'server';
}

export function protectionOf(input: IndicatorInput): Protection {
  const { status } = input;
  const paused = input.state === 'paused';
  const unservable = unservableLegs(input.legs);
  const outOfTouch = !input.joined || input.link !== 'connected' || status === null;
  const base = {
    routes: outOfTouch ? null : status.routes,
    policy: status?.policy ?? null,
    session: outOfTouch ? null : status.session,
    rttMs: null,
  };
  const flags = (extra: Partial<ProtectionFlags> = {}): ProtectionFlags => ({
    leaks: 0,
    unservable,
    paused,
    waitingForTab: false,
    ...extra,
  });

  if (!input.joined) {
    return { ...base, state: 'server', cause: 'not-joined', meanwhile: null, flags: flags() };
  }
  if (outOfTouch) {
    // A status heard before the link dropped may no longer hold: only the
    // policy it named is kept, to say whether WhatsApp waits or goes direct.
    const cause = input.link === 'connected' ? 'no-word' : 'room-link';
    const meanwhile = meanwhileOf(status?.policy ?? null, null);
    return { ...base, state: 'reconnecting', cause, meanwhile, flags: flags() };
  }

  const peer = primaryPeer(input, status);
  const leaks = status.leaks;
  const rttMs = peer?.rttMs ?? null;
  const meanwhile =
    status.routes.websocket === 'tunnel'
      ? null
      : meanwhileOf(status.policy, status.routes.websocket);
  const result = (state: ProtectionState, cause: ProtectionCause, extra = {}): Protection => ({
    ...base,
    rttMs,
    state,
    cause,
    meanwhile,
    flags: flags({ leaks, ...extra }),
  });

  if (status.policy === 'direct') return result('server', 'policy-direct');
  // "Protected" is claimed only while no leak exists (DESIGN, egress audit).
  if (leaks > 0) return result('server', 'leak');
  const slow = peer !== null && (peer.slow || peer.health === 'degraded');
  if (status.protected)
    return result(slow ? 'latency' : 'protected', slow ? 'slow-peer' : 'tunnel');

  const usable = peer !== null && peer.state === 'active' && peer.health !== 'gone';
  if (!usable) {
    const waitingForTab = status.policy === 'tunnel-only' && status.routes.websocket === 'none';
    return result('server', 'no-peer', { waitingForTab });
  }
  if (slow) return result('latency', 'slow-peer');
  const offTunnel = LEGS.filter((leg) => status.routes[leg] !== 'tunnel');
  if (offTunnel.some((leg) => unservable.includes(leg))) return result('server', 'leg');
  if (offTunnel.some((leg) => input.legs?.[leg].status === 'unprobed')) {
    return result('reconnecting', 'probing');
  }
  if (status.routes.websocket === 'tunnel') return result('server', 'partial');
  return result('reconnecting', 'moving');
}
