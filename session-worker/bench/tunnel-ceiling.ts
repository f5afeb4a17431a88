/**
 * The bare room ceiling: body frames relayed through a room from a raw
 * peer socket to a raw worker socket, with the protocol's credit and
 * nothing else (no fetch, no egress, no Baileys). What the tunnel could at
 * best carry through this room on this machine.
 */
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import {
  decodeMessage,
  encodeMessage,
  maxChunkSize,
  PROTOCOL_DEFAULTS,
  ReceiveWindow,
  SendCredit,
  signToken,
} from '@pasarela/shared';
import type { Message, TokenKeySet } from '@pasarela/shared';
import WebSocket from 'ws';

const FRAME = PROTOCOL_DEFAULTS.maxFrameSize;
const LEGS = { websocket: { status: 'ok' }, download: { status: 'ok' }, upload: { status: 'ok' } };

function send(ws: WebSocket, message: Message): void {
  ws.send(encodeMessage(message, FRAME));
}

async function open(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  ws.binaryType = 'nodebuffer';
  await once(ws, 'open');
  return ws;
}

function onMessages(ws: WebSocket, handle: (message: Message) => void): void {
  ws.on('message', (data: Buffer) => handle(decodeMessage(new Uint8Array(data), FRAME)));
}

/** MiB per second of `rounds` bodies of `bytes` each, peer to worker, through the room. */
export async function roomCeiling(
  roomHost: string,
  keys: TokenKeySet,
  tenant: string,
  bytes: number,
  rounds: number,
): Promise<number> {
  const hello = (role: 'worker' | 'peer'): Message => ({
    kind: 'hello',
    body: { protocol: 1, role, software: 'bench', capabilities: [], limits: PROTOCOL_DEFAULTS },
  });
  const peerToken = await signToken({ tenant, role: 'peer', ttlSeconds: 600 }, keys);
  const peer = await open(`ws://${roomHost}/parties/tunnel/${tenant}?token=${peerToken}`);
  const chunk = new Uint8Array(maxChunkSize(FRAME)).fill(7);
  const credits = new Map<number, SendCredit>();
  const wake = new Set<() => void>();
  onMessages(peer, (message) => {
    if (message.kind === 'ping') {
      send(peer, { kind: 'pong', sentAt: message.sentAt, repliedAt: Date.now() });
    } else if (message.kind === 'welcome') {
      send(peer, { kind: 'peer-state', body: { state: 'active', legs: LEGS as never } });
    } else if (message.kind === 'credit') {
      credits.get(message.streamId)?.grant(message.bytes);
      for (const fn of wake) fn();
    } else if (message.kind === 'end') {
      void answer(message.streamId, message.connectionId);
    }
  });
  send(peer, hello('peer'));

  async function answer(streamId: number, connectionId: number): Promise<void> {
    const ids = { streamId, connectionId };
    const credit = new SendCredit(PROTOCOL_DEFAULTS.streamWindow);
    credits.set(streamId, credit);
    send(peer, {
      kind: 'response-head',
      ...ids,
      body: {
        status: 200,
        statusText: 'OK',
        headers: [],
        url: 'https://mmg.whatsapp.net/ceiling',
        redirected: false,
        opaque: false,
        droppedRequestHeaders: [],
        partialHeaders: true,
      },
    });
    for (let sent = 0; sent < bytes;) {
      const size = Math.min(chunk.length, bytes - sent);
      while (!credit.tryConsume(size) || peer.bufferedAmount > 4 * FRAME) {
        await new Promise<void>((resolve) => {
          const fn = () => {
            wake.delete(fn);
            resolve();
          };
          wake.add(fn);
          setTimeout(fn, 2);
        });
      }
      send(peer, { kind: 'body', ...ids, data: chunk.subarray(0, size) });
      sent += size;
    }
    send(peer, { kind: 'end', ...ids });
  }

  const workerToken = await signToken({ tenant, role: 'worker', epoch: 1, ttlSeconds: 600 }, keys);
  const worker = await open(`ws://${roomHost}/parties/tunnel/${tenant}?token=${workerToken}`);
  let primary = false;
  let finished: (() => void) | null = null;
  let received = 0;
  const window = new ReceiveWindow(PROTOCOL_DEFAULTS.streamWindow);
  onMessages(worker, (message) => {
    if (message.kind === 'presence') {
      primary = message.body.peers.some(
        (p) => p.peerId === message.body.primary && p.health === 'healthy',
      );
    } else if (message.kind === 'body') {
      received += message.data.byteLength;
      window.received(message.data.byteLength);
      const grant = window.consumed(message.data.byteLength);
      if (grant > 0)
        send(worker, { kind: 'credit', streamId: message.streamId, connectionId: 1, bytes: grant });
    } else if (message.kind === 'end') {
      finished?.();
    }
  });
  send(worker, hello('worker'));
  const until = Date.now() + 15_000;
  while (!primary && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  if (!primary) throw new Error('the ceiling peer never became the primary');

  let seconds = 0;
  for (let round = 0; round <= rounds; round += 1) {
    received = 0;
    const done = new Promise<void>((resolve) => (finished = resolve));
    const started = performance.now();
    const ids = { streamId: round + 1, connectionId: 1 };
    send(worker, {
      kind: 'request-head',
      ...ids,
      body: {
        method: 'GET',
        url: 'https://mmg.whatsapp.net/ceiling',
        headers: [],
        deadlineMs: 60_000,
        replaySafe: true,
        bodyLength: 0,
        leg: 'download',
      },
    });
    send(worker, { kind: 'end', ...ids });
    await done;
    if (received !== bytes) throw new Error(`the room carried ${received} of ${bytes} bytes`);
    // The first round warms the room up and is not counted.
    if (round > 0) seconds += (performance.now() - started) / 1000;
  }
  worker.terminate();
  peer.terminate();
  return (bytes * rounds) / 2 ** 20 / seconds;
}
