import { describe, expect, it } from 'vitest';
import { encodeMessage, HEADER_SIZE } from '@pasarela/shared';
import { RoomClient, roomPath, tokenFor } from '../support/client.js';
import { randomBytes, receiveBody, sendBody, sha256 } from '../support/bodies.js';
import { inspect, requestHead, workerAndPeer } from '../support/scenario.js';
import type { BehaviourTarget } from '../support/target.js';

export function limitsBehaviour(get: () => BehaviourTarget): void {
  describe('limits', () => {
    it('resets only the stream of an oversized frame; the other streams carry on', async () => {
      const target = get();
      const { tenant, worker, peer } = await workerAndPeer(target, 'limits');
      const { maxFrameSize, streamWindow } = worker.welcome!.limits;
      worker.send(requestHead(1, 5, 10 * maxFrameSize));
      worker.send(requestHead(2, 5, 600_000));
      await peer.next('request-head', (m) => m.streamId === 1);
      await peer.next('request-head', (m) => m.streamId === 2);

      const oversized = encodeMessage(
        {
          kind: 'body',
          streamId: 1,
          connectionId: 5,
          data: randomBytes(maxFrameSize - HEADER_SIZE + 1),
        },
        maxFrameSize * 2,
      );
      worker.sendRaw(oversized);
      const toWorker = await worker.next('reset', (m) => m.streamId === 1);
      const toPeer = await peer.next('reset', (m) => m.streamId === 1);
      expect(toWorker.body.code).toBe('frame_too_large');
      expect(toPeer.body.code).toBe('frame_too_large');

      const body = randomBytes(600_000);
      const stream = { streamId: 2, connectionId: 5 };
      const [, received] = await Promise.all([
        sendBody(worker, stream, body, { window: streamWindow, maxFrameSize }),
        receiveBody(peer, stream, body.byteLength, streamWindow),
      ]);
      expect(await sha256(received)).toBe(await sha256(body));
      const { stats, streams } = await inspect(target, tenant);
      expect(streams.map((view) => view.streamId)).toEqual([2]);
      expect(stats.refusals).toEqual({ frame_too_large: 1 });
      expect(stats.requestsFailed).toEqual({ frame_too_large: 1 });
    });

    it('answers a frame with a broken header with bad_frame and keeps the connection', async () => {
      const target = get();
      const { worker, peer } = await workerAndPeer(target, 'limits');
      const broken = new Uint8Array(20);
      broken.set([1, 0x12, 0, 0, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 9]);
      worker.sendRaw(broken);
      const error = await worker.next('error');
      expect(error.body.code).toBe('bad_frame');
      worker.send(requestHead(4, 1));
      expect((await peer.next('request-head')).streamId).toBe(4);
    });

    it('resets streams beyond maxOpenStreams with too_many_streams', async () => {
      const target = get();
      const { worker, peer } = await workerAndPeer(target, 'limits');
      const cap = target.config.maxOpenStreams;
      for (let id = 1; id <= cap + 1; id++) worker.send(requestHead(id, 1));
      for (let id = 1; id <= cap; id++) await peer.next('request-head', (m) => m.streamId === id);
      const reset = await worker.next('reset');
      expect(reset).toMatchObject({ streamId: cap + 1, body: { code: 'too_many_streams' } });
    });

    it('resets a stream whose sender goes past the credit it was granted', async () => {
      const target = get();
      const { worker, peer } = await workerAndPeer(target, 'limits');
      const { maxFrameSize, streamWindow } = worker.welcome!.limits;
      worker.send(requestHead(1, 1, streamWindow + 1));
      await peer.next('request-head');
      const chunk = maxFrameSize - HEADER_SIZE;
      let sent = 0;
      while (sent <= streamWindow) {
        const size = Math.min(chunk, streamWindow + 1 - sent);
        worker.send({ kind: 'body', streamId: 1, connectionId: 1, data: randomBytes(size) });
        sent += size;
      }
      expect((await worker.next('reset')).body.code).toBe('flow_control');
      expect((await peer.next('reset')).body.code).toBe('flow_control');
    });

    it('refuses peers beyond maxPeers with too_many_peers (4062)', async () => {
      const target = get();
      const { tenant } = await workerAndPeer(target, 'limits');
      for (let count = 1; count < target.config.maxPeers; count++) {
        await RoomClient.connect(target, { role: 'peer', tenant });
      }
      const token = await tokenFor(target, { role: 'peer', tenant });
      const refused = await RoomClient.open(target, roomPath(tenant, token));
      expect((await refused.next('error')).body.code).toBe('too_many_peers');
      expect(await refused.closeCode()).toBe(4062);
      expect((await inspect(target, tenant)).peers).toHaveLength(target.config.maxPeers);
    });
  });
}
