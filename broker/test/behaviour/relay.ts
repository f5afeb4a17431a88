import { describe, expect, it } from 'vitest';
import { RoomClient } from '../support/client.js';
import { randomBytes, receiveBody, sendBody, sha256 } from '../support/bodies.js';
import {
  inspect,
  newTenant,
  presenceShows,
  requestHead,
  responseHead,
  workerAndPeer,
} from '../support/scenario.js';
import type { BehaviourTarget } from '../support/target.js';

const MIB = 1024 * 1024;

function wsOpen(streamId: number, connectionId: number) {
  return {
    kind: 'ws-open' as const,
    streamId,
    connectionId,
    body: {
      url: 'wss://web.whatsapp.com/ws/chat',
      protocols: [],
      headers: [['origin', 'https://web.whatsapp.com']] as Array<[string, string]>,
      deadlineMs: 20_000,
    },
  };
}

export function relayBehaviour(get: () => BehaviourTarget): void {
  describe('relay', () => {
    it('carries random binary bodies both ways byte for byte (SHA-256)', async () => {
      const target = get();
      const { tenant, worker, peer } = await workerAndPeer(target, 'relay');
      const stream = { streamId: 1, connectionId: 11 };
      const request = randomBytes(3 * MIB + 17);
      const response = randomBytes(5 * MIB + 3);
      const window = worker.welcome!.limits.streamWindow;
      const maxFrameSize = worker.welcome!.limits.maxFrameSize;

      worker.send(requestHead(1, 11, request.byteLength));
      await peer.next('request-head', (m) => m.streamId === 1);
      const [, uploaded] = await Promise.all([
        sendBody(worker, stream, request, { window, maxFrameSize }),
        receiveBody(peer, stream, request.byteLength, window),
      ]);
      peer.send(responseHead(1, 11));
      await worker.next('response-head', (m) => m.streamId === 1);
      const [, downloaded] = await Promise.all([
        sendBody(peer, stream, response, { window, maxFrameSize }),
        receiveBody(worker, stream, response.byteLength, window),
      ]);

      expect(await sha256(uploaded)).toBe(await sha256(request));
      expect(await sha256(downloaded)).toBe(await sha256(response));
      const { stats, streams } = await inspect(target, tenant);
      expect(streams).toEqual([]);
      expect(stats).toMatchObject({
        requestsSent: 1,
        requestsSucceeded: 1,
        requestsFailed: {},
        bytesToPeers: 3 * MIB + 17,
        bytesToWorker: 5 * MIB + 3,
        openStreams: 0,
      });
    });

    it('carries WebSocket messages both ways with their boundaries and binary flag', async () => {
      const target = get();
      const { tenant, worker, peer } = await workerAndPeer(target, 'relay');
      worker.send(wsOpen(3, 9));
      expect((await peer.next('ws-open')).body.url).toBe('wss://web.whatsapp.com/ws/chat');
      peer.send({
        kind: 'ws-opened',
        streamId: 3,
        connectionId: 9,
        body: { protocol: '', extensions: '', droppedRequestHeaders: ['origin'] },
      });
      await worker.next('ws-opened', (m) => m.streamId === 3);

      const frameOut = randomBytes(40_000);
      const text = new TextEncoder().encode('¡hola, cocina!');
      worker.send({
        kind: 'ws-message',
        streamId: 3,
        connectionId: 9,
        binary: true,
        data: frameOut,
      });
      worker.send({ kind: 'ws-message', streamId: 3, connectionId: 9, binary: false, data: text });
      const first = await peer.next('ws-message');
      const second = await peer.next('ws-message');
      expect(first.binary).toBe(true);
      expect(await sha256(first.data)).toBe(await sha256(frameOut));
      expect(second.binary).toBe(false);
      expect(new TextDecoder().decode(second.data)).toBe('¡hola, cocina!');

      const frameBack = randomBytes(1_000);
      peer.send({
        kind: 'ws-message',
        streamId: 3,
        connectionId: 9,
        binary: true,
        data: frameBack,
      });
      const back = await worker.next('ws-message');
      expect(await sha256(back.data)).toBe(await sha256(frameBack));

      peer.send({
        kind: 'ws-close',
        streamId: 3,
        connectionId: 9,
        body: { code: 1000, reason: 'bye' },
      });
      expect((await worker.next('ws-close')).body).toEqual({ code: 1000, reason: 'bye' });
      const { stats } = await inspect(target, tenant);
      expect(stats).toMatchObject({
        requestsSent: 1,
        requestsSucceeded: 1,
        openStreams: 0,
        bytesToPeers: 40_000 + text.byteLength,
        bytesToWorker: 1_000,
      });
    });

    it('resets a stream with no_peer when no peer is connected', async () => {
      const target = get();
      const tenant = newTenant('relay');
      const worker = await RoomClient.connect(target, { role: 'worker', tenant, epoch: 1 });
      worker.send(requestHead(5, 2));
      const reset = await worker.next('reset');
      expect(reset).toMatchObject({ streamId: 5, connectionId: 2, body: { code: 'no_peer' } });
      expect((await inspect(target, tenant)).stats.requestsFailed).toEqual({ no_peer: 1 });
    });

    it('resets a stream with no_peer when the only peer is paused', async () => {
      const target = get();
      const { worker, peer } = await workerAndPeer(target, 'relay');
      peer.send({
        kind: 'peer-state',
        body: {
          state: 'paused',
          legs: {
            websocket: { status: 'ok' },
            download: { status: 'ok' },
            upload: { status: 'ok' },
          },
        },
      });
      await worker.next('presence', (m) => m.body.primary === null);
      worker.send(requestHead(6, 2));
      expect((await worker.next('reset')).body.code).toBe('no_peer');
      expect(peer.has('request-head')).toBe(false);
    });

    it('resets every stream a departed peer carried with peer_gone', async () => {
      const target = get();
      const { tenant, worker, peer } = await workerAndPeer(target, 'relay');
      worker.send(requestHead(1, 4));
      worker.send(wsOpen(2, 5));
      await peer.next('ws-open');
      peer.socket.terminate();

      const first = await worker.next('reset', (m) => m.streamId === 1);
      const second = await worker.next('reset', (m) => m.streamId === 2);
      expect(first).toMatchObject({ connectionId: 4, body: { code: 'peer_gone' } });
      expect(second).toMatchObject({ connectionId: 5, body: { code: 'peer_gone' } });
      expect((await inspect(target, tenant)).stats.requestsFailed).toEqual({ peer_gone: 2 });
    });

    it('resets the peers streams when the worker leaves', async () => {
      const target = get();
      const { worker, peer } = await workerAndPeer(target, 'relay');
      worker.send(requestHead(8, 3));
      await peer.next('request-head');
      worker.close();
      const reset = await peer.next('reset', (m) => m.streamId === 8);
      expect(reset).toMatchObject({ connectionId: 3, body: { code: 'peer_gone' } });
    });

    it('answers a peer frame for a stream it does not own with unknown_stream', async () => {
      const target = get();
      const { worker, peer } = await workerAndPeer(target, 'relay');
      peer.send({ kind: 'body', streamId: 99, connectionId: 1, data: randomBytes(10) });
      const reset = await peer.next('reset');
      expect(reset).toMatchObject({ streamId: 99, body: { code: 'unknown_stream' } });
      worker.send({ kind: 'ping', sentAt: 1 });
      await worker.next('pong');
      expect(worker.has('body')).toBe(false);
    });

    it('drops a frame that names an old upstream connection of the stream', async () => {
      const target = get();
      const { tenant, worker, peer } = await workerAndPeer(target, 'relay');
      worker.send(requestHead(1, 20, 4));
      await peer.next('request-head');
      worker.send({ kind: 'body', streamId: 1, connectionId: 19, data: randomBytes(4) });
      worker.send({
        kind: 'body',
        streamId: 1,
        connectionId: 20,
        data: new Uint8Array([1, 2, 3, 4]),
      });
      const body = await peer.next('body');
      expect([...body.data]).toEqual([1, 2, 3, 4]);
      expect(body.connectionId).toBe(20);
      expect(peer.has('body')).toBe(false);
      expect((await inspect(target, tenant)).stats.framesDropped).toBe(1);
    });

    it('keeps the stream with its peer when a better peer arrives', async () => {
      const target = get();
      const { worker, peer } = await workerAndPeer(target, 'relay');
      worker.send(requestHead(1, 7, 3));
      await peer.next('request-head');
      const second = await RoomClient.connect(target, {
        role: 'peer',
        tenant: peer.welcome!.tenant,
      });
      await presenceShows(worker, second.name, 'healthy');
      worker.send({ kind: 'body', streamId: 1, connectionId: 7, data: new Uint8Array([7, 7, 7]) });
      expect([...(await peer.next('body')).data]).toEqual([7, 7, 7]);
      expect(second.has('body')).toBe(false);
    });
  });
}
