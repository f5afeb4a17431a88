import { describe, expect, it } from 'vitest';
import { RoomClient, roomPath, tokenFor } from '../support/client.js';
import { randomBytes, receiveBody, sendBody } from '../support/bodies.js';
import {
  healthyPeer,
  inspect,
  newTenant,
  requestHead,
  responseHead,
  waitFor,
} from '../support/scenario.js';
import { boundsFor } from '../support/target.js';
import type { BehaviourTarget } from '../support/target.js';

export function lifecycleBehaviour(get: () => BehaviourTarget): void {
  describe('restarts and reconnects', () => {
    it('survives a restart mid-stream: clients return, stats and epoch remain', async () => {
      const target = get();
      const bounds = boundsFor(target.config);
      const tenant = newTenant('restart');
      const worker = await RoomClient.connect(target, { role: 'worker', tenant, epoch: 9 });
      const peer = await healthyPeer(target, worker, { tenant, primary: true });
      const { streamWindow: window, maxFrameSize } = worker.welcome!.limits;

      worker.send(requestHead(1, 1));
      await peer.next('request-head');
      worker.send({ kind: 'end', streamId: 1, connectionId: 1 });
      await peer.next('end');
      peer.send(responseHead(1, 1));
      await worker.next('response-head');
      const body = randomBytes(70_000);
      await Promise.all([
        sendBody(peer, { streamId: 1, connectionId: 1 }, body, { window, maxFrameSize }),
        receiveBody(worker, { streamId: 1, connectionId: 1 }, body.byteLength, window),
      ]);
      // A second stream stays open across the restart.
      worker.send(requestHead(2, 1, 1_000));
      await peer.next('request-head', (m) => m.streamId === 2);
      worker.send({ kind: 'body', streamId: 2, connectionId: 1, data: randomBytes(500) });
      await peer.next('body');
      const lastChange = Date.now();

      const flushed = await waitFor('stats flushed', bounds.flushMs * 3, async () => {
        const room = await inspect(target, tenant);
        return (room.stats.flushedAt ?? 0) > lastChange && room;
      });
      expect(flushed.value.streams.map((stream) => stream.streamId)).toEqual([2]);

      const restartedAt = Date.now();
      await target.restart();
      await Promise.all([worker.socket.closed, peer.socket.closed]);

      const again = await RoomClient.connect(target, { role: 'worker', tenant, epoch: 9 });
      const back = await healthyPeer(target, again, { tenant, primary: true });
      console.log(
        `[${target.name}] restart: clients back after ${Date.now() - restartedAt} ms; ` +
          `stats flushed ${flushed.elapsedMs} ms after the last change (flush every ` +
          `${target.config.statsFlushMs} ms)`,
      );
      const staleToken = await tokenFor(target, { role: 'worker', tenant, epoch: 8 });
      const stale = await RoomClient.open(target, roomPath(tenant, staleToken), { role: 'worker' });
      expect((await stale.next('error')).body.code).toBe('auth_stale_epoch');

      const room = await inspect(target, tenant);
      expect(room.streams).toEqual([]);
      expect(room.highestEpoch).toBe(9);
      expect(room.stats).toMatchObject({
        requestsSent: 2,
        requestsSucceeded: 1,
        requestsFailed: {},
        bytesToPeers: 500,
        bytesToWorker: 70_000,
      });
      again.send(requestHead(3, 2));
      expect((await back.next('request-head')).streamId).toBe(3);
    });

    it('leaves exactly one live connection after 20 rapid reconnects of one peer', async () => {
      const target = get();
      const tenant = newTenant('flap');
      const worker = await RoomClient.connect(target, { role: 'worker', tenant, epoch: 1 });
      const clientId = `tab-${newTenant('id')}`;
      const token = await tokenFor(target, { role: 'peer', tenant });
      const sockets = await Promise.all(
        Array.from({ length: 20 }, () =>
          RoomClient.open(target, roomPath(tenant, token, clientId)),
        ),
      );
      for (const socket of sockets) {
        socket.send({
          kind: 'hello',
          body: {
            protocol: 1,
            role: 'peer',
            software: 'flapping-tab',
            capabilities: [],
            limits: { maxFrameSize: 262_144, streamWindow: 1_048_576, maxStreams: 8 },
          },
        });
      }
      const outcomes = await Promise.allSettled(sockets.map((socket) => socket.next('error')));
      const replaced = outcomes.filter(
        (outcome) => outcome.status === 'fulfilled' && outcome.value.body.code === 'replaced',
      );
      expect(replaced).toHaveLength(19);
      const survivor = sockets[outcomes.findIndex((outcome) => outcome.status === 'rejected')];
      const welcome = await survivor!.next('welcome');

      const room = await inspect(target, tenant);
      expect(room.peers.map((info) => [info.peerId, info.clientId])).toEqual([
        [welcome.body.connectionName, clientId],
      ]);
      const presence = await worker.next('presence', (m) =>
        m.body.peers.some((info) => info.peerId === welcome.body.connectionName),
      );
      expect(presence.body.peers).toHaveLength(1);
    });
  });
}
