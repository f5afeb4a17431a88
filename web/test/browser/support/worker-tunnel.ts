import type { Leg } from '@pasarela/shared';
import { createEgress, EgressAudit, peerAvailability } from '@pasarela/session-worker/egress';
import type { TenantEgress } from '@pasarela/session-worker/egress';
import WebSocket from 'ws';
import type { ClientOptions } from 'ws';
// The session worker does not export its tunnel as a package entry yet.
import { parseTunnelSettings, TunnelService } from '@pasarela/session-worker/tunnel';
import type {
  RoomSocketClass,
  TenantTunnel,
  TunnelSettingsInput,
} from '@pasarela/session-worker/tunnel';
import { waitUntil } from './page.js';
import { ROOM_HOST } from './stack.js';
import type { Stack } from './stack.js';

/** The worker's room link pings every second here, so its figures fill within seconds. */
export const WORKER_TUNNEL_SETTINGS: TunnelSettingsInput = {
  link: { pingIntervalMs: 1_000, minDelayMs: 100, maxDelayMs: 1_000 },
};

export interface WorkerTunnel {
  readonly egress: TenantEgress;
  readonly tunnel: TenantTunnel;
  readonly service: TunnelService;
  readonly audit: EgressAudit;
  /** Resolves once the egress would carry `leg` through the page, with the time it took. */
  untilReady(leg: Leg, boundMs: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * The session worker's own tunnel (its TunnelService, room link and
 * carrier) attached to a tenant's real egress, policy `prefer-tunnel`,
 * reaching the room over wss with the suite's authority. Baileys given
 * this egress's faces sends its traffic through the page whenever the
 * room names a primary peer that serves the leg, and direct otherwise.
 */
export function startWorkerTunnel(stack: Stack, tenant: string): WorkerTunnel {
  const standin = stack.standin;
  if (!standin) throw new Error('the worker tunnel needs the stand-in');
  const roomPort = stack.room.port;
  const caPem = stack.ca.certPem;
  // partysocket dials wss://rooms.pasarela.test/...; Node cannot resolve that
  // name, so the socket goes to the room's loopback port with the name kept
  // for the certificate check and the Host header.
  const RoomSocket: RoomSocketClass = class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      const target = new URL(url);
      target.host = `127.0.0.1:${roomPort}`;
      const options: ClientOptions & { servername: string } = {
        ca: caPem,
        servername: ROOM_HOST,
        perMessageDeflate: false,
        headers: { host: ROOM_HOST, 'user-agent': 'pasarela-session-worker (browser suite)' },
      };
      super(target.href, protocols ?? [], options);
    }
  };
  const audit = new EgressAudit();
  const service = new TunnelService({
    config: {
      room: { protocol: 'wss', host: ROOM_HOST },
      keys: stack.keys,
      settings: parseTunnelSettings(WORKER_TUNNEL_SETTINGS),
    },
    audit,
    WebSocket: RoomSocket,
  });
  const egress = createEgress({
    tenant,
    policy: 'prefer-tunnel',
    hostMap: standin.hostMap,
    ca: standin.caPem,
    production: false,
    audit,
  });
  const tunnel = service.attach(egress, { epoch: () => 1 });
  if (!tunnel) throw new Error(`no tunnel was attached for ${tenant}`);
  return {
    egress,
    tunnel,
    service,
    audit,
    async untilReady(leg, boundMs) {
      const { elapsedMs } = await waitUntil(
        `the worker to see a peer ready for ${leg}`,
        async () => peerAvailability(egress.peer, leg),
        (availability) => availability === 'ready',
        boundMs,
      );
      return elapsedMs;
    },
    async close() {
      service.close();
      await egress.close();
    },
  };
}
