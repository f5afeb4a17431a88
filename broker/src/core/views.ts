import type { PeerInfo, Presence, TenantStatus } from '@pasarela/shared';
import type { RoomEvent } from './events.js';
import type { ConnectionRecord } from './records.js';
import type { StatsView } from './stats.js';
import type { StreamView } from './streams.js';

export function peerInfo(peer: ConnectionRecord): PeerInfo {
  return {
    peerId: peer.name,
    state: peer.state,
    health: peer.health,
    rttMs: peer.rttMs,
    legs: peer.legs,
    userAgent: peer.userAgent?.slice(0, 512) ?? null,
    connectedAt: peer.connectedAt,
  };
}

export function presenceBody(primary: string | null, peers: ConnectionRecord[]): Presence {
  return { primary, peers: peers.slice(0, 1_024).map(peerInfo) };
}

export interface PeerInspection extends PeerInfo {
  role: 'primary' | 'standby';
  stage: ConnectionRecord['stage'];
  clientId: string | null;
  lastPongAt: number | null;
  missedPings: number;
}

export interface Inspection {
  tenant: string;
  now: number;
  highestEpoch: number;
  worker: {
    connectionName: string;
    connectedAt: number;
    epoch: number | null;
    stage: ConnectionRecord['stage'];
    userAgent: string | null;
  } | null;
  primary: string | null;
  peers: PeerInspection[];
  streams: StreamView[];
  bytesInFlight: number;
  queuedBytes: number;
  tenantStatus: TenantStatus | null;
  stats: StatsView;
  events: RoomEvent[];
}

export function peerInspection(peer: ConnectionRecord): PeerInspection {
  return {
    ...peerInfo(peer),
    role: peer.primary ? 'primary' : 'standby',
    stage: peer.stage,
    clientId: peer.clientId,
    lastPongAt: peer.lastPongAt,
    missedPings: peer.missedPings,
  };
}

export function workerInspection(worker: ConnectionRecord | null): Inspection['worker'] {
  if (!worker) return null;
  return {
    connectionName: worker.name,
    connectedAt: worker.connectedAt,
    epoch: worker.epoch,
    stage: worker.stage,
    userAgent: worker.userAgent,
  };
}
