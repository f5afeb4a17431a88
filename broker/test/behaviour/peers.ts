import { describe, expect, it } from 'vitest';
import type { Legs, PeerState, TenantStatus } from '@pasarela/shared';
import { RoomClient } from '../support/client.js';
import type { RoomClient as Client } from '../support/client.js';
import {
  healthyPeer,
  inspect,
  presenceShows,
  requestHead,
  workerAndPeer,
} from '../support/scenario.js';
import { boundsFor } from '../support/target.js';
import type { BehaviourTarget } from '../support/target.js';

const LEGS_OK: Legs = {
  websocket: { status: 'ok' },
  download: { status: 'ok' },
  upload: { status: 'ok' },
};

function setState(peer: Client, state: PeerState): void {
  peer.send({ kind: 'peer-state', body: { state, legs: LEGS_OK } });
}

const STATUS: TenantStatus = {
  session: 'open',
  policy: 'prefer-tunnel',
  routes: { websocket: 'tunnel', download: 'tunnel', upload: 'direct' },
  protected: true,
  leaks: 0,
  reason: null,
  updatedAt: 1_767_225_600_000,
};

export function peersBehaviour(get: () => BehaviourTarget): void {
  describe('peers, primary and health', () => {
    it('makes the first healthy peer primary and keeps the next as standby', async () => {
      const target = get();
      const { tenant, worker, peer } = await workerAndPeer(target, 'peers');
      const standby = await healthyPeer(target, worker, { tenant });
      const room = await inspect(target, tenant);
      expect(room.primary).toBe(peer.name);
      expect(room.peers.map((info) => [info.peerId, info.role, info.health])).toEqual([
        [peer.name, 'primary', 'healthy'],
        [standby.name, 'standby', 'healthy'],
      ]);
      worker.send(requestHead(1, 1));
      expect((await peer.next('request-head')).streamId).toBe(1);
      expect(standby.has('request-head')).toBe(false);
    });

    it('fails over to the standby when the primary leaves, and new streams go there', async () => {
      const target = get();
      const { tenant, worker, peer } = await workerAndPeer(target, 'peers');
      const standby = await healthyPeer(target, worker, { tenant });
      peer.close();
      const presence = await worker.next('presence', (m) => m.body.primary === standby.name);
      expect(presence.body.peers.map((info) => info.peerId)).toEqual([standby.name]);
      worker.send(requestHead(2, 1));
      expect((await standby.next('request-head')).streamId).toBe(2);
      const room = await inspect(target, tenant);
      expect(room.stats.routeChanges).toBe(2);
    });

    it('never makes a paused peer primary, and takes it back once active', async () => {
      const target = get();
      const { tenant, worker, peer } = await workerAndPeer(target, 'peers');
      const other = await healthyPeer(target, worker, { tenant });
      setState(peer, 'paused');
      await worker.next('presence', (m) => m.body.primary === other.name);
      other.close();
      const alone = await worker.next(
        'presence',
        (m) => m.body.peers.length === 1 && m.body.peers[0]?.state === 'paused',
      );
      expect(alone.body.primary).toBe(null);
      expect(alone.body.peers[0]?.peerId).toBe(peer.name);
      setState(peer, 'active');
      await worker.next('presence', (m) => m.body.primary === peer.name);
    });

    it('judges a slow peer degraded and moves primary to a healthy one', async () => {
      const target = get();
      const bounds = boundsFor(target.config);
      const { tenant, worker, peer } = await workerAndPeer(target, 'peers');
      const quick = await healthyPeer(target, worker, { tenant });
      peer.pongDelayMs = target.config.degradedRttMs + target.config.pingIntervalMs / 2;
      const presence = await worker.next(
        'presence',
        (m) => m.body.primary === quick.name,
        bounds.healthMs * 4,
      );
      const slow = presence.body.peers.find((info) => info.peerId === peer.name);
      expect(slow?.health).toBe('degraded');
      expect(slow?.rttMs).toBeGreaterThan(target.config.degradedRttMs);
      console.log(`[${target.name}] degraded peer round trip ${slow?.rttMs} ms`);
    });

    it('sends the tenant status to primary, standby, paused and later peers', async () => {
      const target = get();
      const { tenant, worker, peer } = await workerAndPeer(target, 'peers');
      const standby = await healthyPeer(target, worker, { tenant });
      const paused = await healthyPeer(target, worker, { tenant });
      setState(paused, 'paused');
      await worker.next('presence', (m) => m.body.peers.some((info) => info.state === 'paused'));

      worker.send({ kind: 'tenant-status', body: STATUS });
      for (const listener of [peer, standby, paused]) {
        expect((await listener.next('tenant-status')).body).toEqual(STATUS);
      }
      const later = await RoomClient.connect(target, { role: 'peer', tenant });
      expect((await later.next('tenant-status')).body).toEqual(STATUS);
      expect((await inspect(target, tenant)).tenantStatus).toEqual(STATUS);
    });

    it('judges a ping-silent peer gone although its socket stays open', async () => {
      const target = get();
      const bounds = boundsFor(target.config);
      const { tenant, worker, peer } = await workerAndPeer(target, 'peers');
      worker.send(requestHead(1, 2));
      await peer.next('request-head');
      const silentSince = Date.now();
      peer.answerPings = false;

      const gone = await presenceShows(worker, peer.name, 'gone', bounds.goneMs);
      const elapsed = Date.now() - silentSince;
      expect(gone.body.primary).toBe(null);
      expect((await worker.next('reset', (m) => m.streamId === 1)).body.code).toBe('peer_timeout');
      expect((await peer.next('error')).body.code).toBe('peer_timeout');
      expect(await peer.closeCode()).toBe(4032);
      console.log(
        `[${target.name}] silent peer judged gone after ${elapsed} ms ` +
          `(ping every ${target.config.pingIntervalMs} ms, gone after ` +
          `${target.config.goneAfterMissedPings} missed, bound ${bounds.goneMs} ms)`,
      );
      const room = await inspect(target, tenant);
      expect(room.peers).toEqual([]);
      expect(
        room.events.some((event) => event.kind === 'health' && event.detail?.endsWith('to gone')),
      ).toBe(true);
    });
  });
}
