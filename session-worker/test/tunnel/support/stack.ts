import { crc32, deflateSync } from 'node:zlib';
import type { EgressPolicy, TenantStatus } from '@pasarela/shared';
import type { RecordsSnapshot, Standin } from '@pasarela/standin';
import type { WASocket } from '@whiskeysockets/baileys';
import type { RelayPeer } from '@pasarela/web/node-peer';
import { createEgress, EgressAudit } from '../../../src/egress/index.js';
import { TunnelService } from '../../../src/tunnel/index.js';
import type {
  RoomEndpoint,
  RoomSocketClass,
  RouteChange,
  TunnelSettingsInput,
} from '../../../src/tunnel/index.js';
import { captureLogger } from '../../support/capture-logger.js';
import { startHarness } from '../../session/support/harness.js';
import type { Harness } from '../../session/support/harness.js';
import { testSettings } from './fixture.js';
import { peerReady, standinDevMap, startTestPeer } from './peer.js';
import type { TestPeerOptions } from './peer.js';
import type { testKeys } from './room.js';

export interface Stack {
  readonly standin: Standin;
  readonly room: { readonly host: string };
  readonly keys: ReturnType<typeof testKeys>;
  readonly harness: Harness;
  readonly service: TunnelService;
  readonly audit: EgressAudit;
  readonly logger: ReturnType<typeof captureLogger>;
  readonly changes: RouteChange[];
  readonly statuses: Array<{ tenant: string; status: TenantStatus }>;
  /** Policy per tenant (default `prefer-tunnel`), read when its egress is built. */
  readonly policies: Map<string, EgressPolicy>;
  /** A restaurant tab for `tenant`, on the restaurant's own address. */
  startPeer(tenant: string, options?: Partial<TestPeerOptions>): Promise<RelayPeer>;
  close(): Promise<void>;
}

export interface StackOptions {
  readonly standin: Standin;
  /** The room every tenant uses unless `roomFor` says otherwise (`host:port`). */
  readonly room: { readonly host: string };
  readonly keys: ReturnType<typeof testKeys>;
  /** Session settings over the harness's test timings. */
  readonly session?: Record<string, number>;
  readonly tunnel?: TunnelSettingsInput;
  /** A tenant's room, when it must differ (an unreachable one, a relay in front). */
  readonly roomFor?: (tenant: string) => RoomEndpoint | null;
  readonly WebSocket?: RoomSocketClass;
  /** Every Baileys socket the session manager builds, for tests that listen to it. */
  readonly onSocket?: (tenant: string, sock: WASocket) => void;
}

/**
 * The worker side as the product wires it, in this process: the session
 * manager (real Baileys) building each tenant's egress through the tunnel
 * service, on a room under `wrangler dev`, reaching the stand-in.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const { standin, room, keys } = options;
  const audit = new EgressAudit();
  const logger = captureLogger();
  const policies = new Map<string, EgressPolicy>();
  const service = new TunnelService({
    config: {
      room: { protocol: 'ws', host: room.host },
      keys: keys.keys,
      settings: testSettings(options.tunnel),
    },
    audit,
    logger,
    ...(options.roomFor ? { roomFor: options.roomFor } : {}),
    ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
  });
  const egressFor = service.egressFactory((tenant) =>
    createEgress({
      tenant,
      policy: policies.get(tenant) ?? 'prefer-tunnel',
      hostMap: standin.hostMap,
      ca: standin.caPem,
      production: false,
      audit,
      logger,
    }),
  );
  const harness = await startHarness(standin, {
    ...(options.session ? { settings: options.session } : {}),
    manager: { egressFor, ...(options.onSocket ? { onSocket: options.onSocket } : {}) },
  });
  const unbind = service.bindSessions(harness.manager);
  const changes: RouteChange[] = [];
  const statuses: Array<{ tenant: string; status: TenantStatus }> = [];
  service.events.on('route.changed', (change) => changes.push(change));
  service.events.on('tunnel.status', (event) => statuses.push(event));
  const peers: RelayPeer[] = [];
  return {
    standin,
    room,
    keys,
    harness,
    service,
    audit,
    logger,
    changes,
    statuses,
    policies,
    async startPeer(tenant, peerOptions = {}) {
      const peer = startTestPeer({
        roomHost: room.host,
        tenant,
        keys: keys.keys,
        devHostMap: standinDevMap(standin),
        ...peerOptions,
      });
      peers.push(peer);
      await peerReady(peer, 15_000);
      return peer;
    },
    async close() {
      for (const peer of peers) peer.stop();
      unbind();
      await harness.close();
      service.close();
    },
  };
}

/** The stand-in's upstream connections of an account, each with the source address it came from. */
export function connectionsOf(records: RecordsSnapshot, phone: string) {
  const bySeq = new Map(records.requests.map((request) => [request.seq, request]));
  return records.connections
    .filter((connection) => connection.account === phone)
    .map((connection) => ({
      id: connection.id,
      kind: connection.kind,
      outcome: connection.outcome,
      remoteAddress: bySeq.get(connection.requestSeq)?.remoteAddress ?? '?',
      origin: bySeq.get(connection.requestSeq)?.origin ?? null,
      openedAt: connection.openedAt,
      closedAt: connection.closedAt,
    }));
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A valid PNG whose pixels depend on `seed`, so each image is its own file. */
export function testPng(width: number, height: number, seed: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width * 3; x += 1) row[1 + x] = (x * 31 + y * 17 + seed * 7) & 0xff;
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows))),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}
