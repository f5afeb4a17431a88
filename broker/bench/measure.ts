import { maxChunkSize, PROTOCOL_DEFAULTS } from '@pasarela/shared';
import WebSocket from 'ws';
import { percentile } from '../src/core/stats.js';
import { receiveBody, sendBody } from '../test/support/bodies.js';
import type { RoomClient } from '../test/support/client.js';
import { requestHead, responseHead } from '../test/support/scenario.js';

export interface Latency {
  p50: number;
  p99: number;
}

export function latencyOf(samples: number[]): Latency {
  return { p50: percentile(samples, 50) ?? NaN, p99: percentile(samples, 99) ?? NaN };
}

/** Chunks of the size the protocol's frames carry, so every path moves the same messages. */
export function chunksOf(body: Uint8Array): Uint8Array[] {
  const size = maxChunkSize(PROTOCOL_DEFAULTS.maxFrameSize);
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < body.byteLength; at += size) chunks.push(body.subarray(at, at + size));
  return chunks;
}

export function openRaw(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.binaryType = 'nodebuffer';
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Sends every chunk on `from` and resolves once `done` says the far end has them all. */
export async function timeBlast(
  from: WebSocket,
  chunks: Uint8Array[],
  done: Promise<unknown>,
): Promise<number> {
  const started = performance.now();
  for (const chunk of chunks) from.send(chunk);
  await done;
  return performance.now() - started;
}

export function bytesArriving(socket: WebSocket, total: number): Promise<void> {
  return new Promise((resolve) => {
    let received = 0;
    const onMessage = (data: Buffer) => {
      received += data.byteLength;
      if (received >= total) {
        socket.off('message', onMessage);
        resolve();
      }
    };
    socket.on('message', onMessage);
  });
}

export function firstMessage(socket: WebSocket): Promise<void> {
  return new Promise((resolve) => socket.once('message', () => resolve()));
}

/** Round trips of small messages on a socket whose far end echoes them. */
export async function echoRoundTrips(
  socket: WebSocket,
  count: number,
  size: number,
): Promise<number[]> {
  const payload = new Uint8Array(size).fill(42);
  const samples: number[] = [];
  for (let round = 0; round < count; round++) {
    const started = performance.now();
    const answered = firstMessage(socket);
    socket.send(payload);
    await answered;
    samples.push(performance.now() - started);
  }
  return samples;
}

/** A body from worker to peer (upload) or back (download), with the protocol's credits. */
export async function tunnelTransfer(
  worker: RoomClient,
  peer: RoomClient,
  streamId: number,
  body: Uint8Array,
  direction: 'upload' | 'download',
): Promise<number> {
  const stream = { streamId, connectionId: 1 };
  const window = worker.welcome!.limits.streamWindow;
  const maxFrameSize = worker.welcome!.limits.maxFrameSize;
  const upload = direction === 'upload';
  worker.send(requestHead(streamId, 1, upload ? body.byteLength : 0));
  await peer.next('request-head', (m) => m.streamId === streamId);
  if (!upload) {
    worker.send({ kind: 'end', ...stream });
    await peer.next('end', (m) => m.streamId === streamId);
    peer.send(responseHead(streamId, 1));
    await worker.next('response-head', (m) => m.streamId === streamId);
  }
  const [sender, receiver] = upload ? [worker, peer] : [peer, worker];
  const started = performance.now();
  await Promise.all([
    sendBody(sender, stream, body, { window, maxFrameSize }),
    receiveBody(receiver, stream, body.byteLength, window),
  ]);
  const elapsed = performance.now() - started;
  if (upload) {
    peer.send(responseHead(streamId, 1));
    await worker.next('response-head', (m) => m.streamId === streamId);
    peer.send({ kind: 'end', ...stream });
    await worker.next('end', (m) => m.streamId === streamId);
  }
  return elapsed;
}

/** Round trips of small WebSocket messages through the tunnel: worker to peer and back. */
export async function tunnelRoundTrips(
  worker: RoomClient,
  peer: RoomClient,
  streamId: number,
  count: number,
  size: number,
): Promise<number[]> {
  worker.send({
    kind: 'ws-open',
    streamId,
    connectionId: 1,
    body: { url: 'wss://web.whatsapp.com/ws/chat', protocols: [], headers: [], deadlineMs: 20_000 },
  });
  await peer.next('ws-open', (m) => m.streamId === streamId);
  peer.send({
    kind: 'ws-opened',
    streamId,
    connectionId: 1,
    body: { protocol: '', extensions: '', droppedRequestHeaders: [] },
  });
  await worker.next('ws-opened', (m) => m.streamId === streamId);
  const data = new Uint8Array(size).fill(42);
  const samples: number[] = [];
  for (let round = 0; round < count; round++) {
    const started = performance.now();
    worker.send({ kind: 'ws-message', streamId, connectionId: 1, binary: true, data });
    const echo = await peer.next('ws-message', (m) => m.streamId === streamId);
    peer.send({ ...echo });
    await worker.next('ws-message', (m) => m.streamId === streamId);
    samples.push(performance.now() - started);
  }
  return samples;
}
