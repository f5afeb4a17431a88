import type { Legs, StatusPeer, TenantStatus } from '@pasarela/shared';
import type { IndicatorInput } from '../../../src/pages/ui/indicator.js';

export const LEGS_OK: Legs = {
  websocket: { status: 'ok' },
  download: { status: 'ok' },
  upload: { status: 'ok' },
};

export const LEGS_UNPROBED: Legs = {
  websocket: { status: 'unprobed' },
  download: { status: 'unprobed' },
  upload: { status: 'unprobed' },
};

export const HEALTHY_PEER: StatusPeer = {
  peerId: 'p1',
  state: 'active',
  health: 'healthy',
  rttMs: 40,
  slow: false,
};

const ALL_TUNNEL = { websocket: 'tunnel', download: 'tunnel', upload: 'tunnel' } as const;
const ALL_DIRECT = { websocket: 'direct', download: 'direct', upload: 'direct' } as const;

/** A worker's status; every case states what differs from a connected, protected tenant. */
export function status(overrides: Partial<TenantStatus> = {}): TenantStatus {
  return {
    session: 'connected',
    policy: 'prefer-tunnel',
    routes: ALL_TUNNEL,
    protected: true,
    leaks: 0,
    reason: null,
    updatedAt: 1_700_000_000_000,
    peer: HEALTHY_PEER,
    ...overrides,
  };
}

export const UNPROTECTED = { protected: false, reason: 'see the case' } as const;
export { ALL_DIRECT, ALL_TUNNEL };

/** This browser joined, connected and active, with every leg proven. */
export function input(overrides: Partial<IndicatorInput> = {}): IndicatorInput {
  return {
    joined: true,
    link: 'connected',
    state: 'active',
    legs: LEGS_OK,
    status: status(),
    ...overrides,
  };
}
