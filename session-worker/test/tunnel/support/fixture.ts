import type { EgressPolicy, TokenKeySet } from '@pasarela/shared';
import type { RelayPeer } from '@pasarela/web/node-peer';
import { createEgress, EgressAudit, peerAvailability } from '../../../src/egress/index.js';
import type { EgressOptions, TenantEgress } from '../../../src/egress/index.js';
import { parseTunnelSettings, TunnelService } from '../../../src/tunnel/index.js';
import type {
  RoomSocketClass,
  SessionControl,
  TenantTunnel,
  TunnelSettingsInput,
} from '../../../src/tunnel/index.js';
import { captureLogger } from '../../support/capture-logger.js';
import { waitFor } from '../../support/settle.js';
import { peerGoneBoundMs, TEST_ROOM_CONFIG } from './room.js';

/**
 * The tunnel settings of the tests: the room link pings every 500 ms and
 * gives up on a silent room after 3 s; the WebSocket moves onto a tunnel
 * that has been ready for 1 s and quiet for 200 ms. Every bound a test
 * waits with is derived from these and the room's `TEST_ROOM_CONFIG`.
 */
export const TEST_TUNNEL_SETTINGS: TunnelSettingsInput = {
  link: {
    pingIntervalMs: 500,
    silenceMs: 3_000,
    handshakeTimeoutMs: 3_000,
    firstWordMs: 3_000,
    minDelayMs: 100,
    maxDelayMs: 1_000,
    connectionTimeoutMs: 3_000,
  },
  streams: { lostSocketGraceMs: 1_500 },
  routes: {
    healthyForMs: 1_000,
    quietMs: 200,
    recheckMs: 100,
    upstreamSilenceMs: 5_000,
    rttP95LimitMs: 3_000,
    moveTimeoutMs: 20_000,
  },
  statusDebounceMs: 20,
};

/** Bounds the tests wait with, each derived from the settings above. */
export const BOUNDS = {
  /** The peer joins, probes its legs and the room tells the worker. */
  peerJoinMs: 3_000 + 3 * TEST_ROOM_CONFIG.handshakeTimeoutMs,
  /** The room notices a peer that went away without a close. */
  peerGoneMs: peerGoneBoundMs(TEST_ROOM_CONFIG) + 1_000,
  /** The link opens: a connection timeout per attempt, three attempts. */
  linkOpenMs: 3 * 3_000,
};

export interface RelayFixture {
  readonly service: TunnelService;
  readonly egress: TenantEgress;
  readonly tunnel: TenantTunnel;
  readonly audit: EgressAudit;
  readonly logger: ReturnType<typeof captureLogger>;
  close(): Promise<void>;
}

export interface RelayFixtureOptions {
  readonly roomHost: string;
  readonly keys: TokenKeySet;
  readonly tenant: string;
  readonly policy?: EgressPolicy;
  readonly hostMap: Record<string, string>;
  readonly ca: string;
  readonly settings?: TunnelSettingsInput;
  readonly sessions?: SessionControl;
  readonly WebSocket?: RoomSocketClass;
  readonly egress?: Partial<EgressOptions>;
}

function merge(base: TunnelSettingsInput, extra: TunnelSettingsInput = {}): TunnelSettingsInput {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = out[key];
    out[key] =
      typeof current === 'object' && current !== null && typeof value === 'object'
        ? { ...current, ...value }
        : value;
  }
  return out as TunnelSettingsInput;
}

export function testSettings(extra?: TunnelSettingsInput) {
  return parseTunnelSettings(merge(TEST_TUNNEL_SETTINGS, extra));
}

/** A tenant egress with its tunnel attached, on a room of the test's own, without Baileys. */
export function relayFixture(options: RelayFixtureOptions): RelayFixture {
  const audit = new EgressAudit();
  const logger = captureLogger();
  const service = new TunnelService({
    config: {
      room: { protocol: 'ws', host: options.roomHost },
      keys: options.keys,
      settings: testSettings(options.settings),
    },
    audit,
    logger,
    ...(options.sessions ? { sessions: options.sessions } : {}),
    ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
  });
  const egress = createEgress({
    tenant: options.tenant,
    policy: options.policy ?? 'prefer-tunnel',
    hostMap: options.hostMap,
    ca: options.ca,
    production: false,
    audit,
    logger,
    ...options.egress,
  });
  const tunnel = service.attach(egress, { epoch: () => 1 });
  if (!tunnel) throw new Error('no tunnel was attached');
  return {
    service,
    egress,
    tunnel,
    audit,
    logger,
    async close() {
      service.close();
      await egress.close();
    },
  };
}

/** Resolves once the egress would send the leg through the tunnel. */
export function untilTunnelReady(
  egress: TenantEgress,
  timeoutMs: number,
  leg: 'websocket' | 'download' | 'upload' = 'download',
): Promise<true> {
  return waitFor(
    () => (peerAvailability(egress.peer, leg) === 'ready' ? true : undefined),
    `the tunnel to carry ${leg}`,
    timeoutMs,
  );
}

/** Stops a peer and waits until the egress no longer sees it. */
export async function stopPeer(peer: RelayPeer, egress: TenantEgress, timeoutMs: number) {
  peer.stop();
  await waitFor(() => (egress.peer === null ? true : undefined), 'the peer to leave', timeoutMs);
}
