import { ReceiveWindow, SendCredit } from '@pasarela/shared';
import type { HeaderList, Leg, Limits, Message, ResetBody, ResponseHead } from '@pasarela/shared';

/**
 * The worker's end of a room connection as these helpers use it: the test
 * room's socket (in Node) or a worker connected to a real room.
 */
export interface WorkerEnd {
  readonly limits: Limits;
  /** The next frame, not yet taken, that passes the test (already received or to come). */
  take(test: (message: Message) => boolean): Promise<Message>;
  send(message: Message): void;
}

export interface ExchangeRequest {
  readonly streamId: number;
  readonly connectionId: number;
  readonly url: string;
  readonly method?: string;
  readonly headers?: HeaderList;
  readonly deadlineMs?: number;
  readonly leg?: Leg;
  readonly replaySafe?: boolean;
}

export interface ExchangeResult {
  readonly head: ResponseHead | null;
  readonly body: Uint8Array;
  readonly chunkSizes: number[];
  readonly reset: ResetBody | null;
}

/**
 * Reads one stream's answer as the worker does: ResponseHead, Body chunks
 * checked against the credit this side granted (a peer that sends past it
 * makes `ReceiveWindow` throw), Credit returned as bytes are taken, End.
 */
export async function readAnswer(
  socket: WorkerEnd,
  ids: { streamId: number; connectionId: number },
) {
  const window = new ReceiveWindow(socket.limits.streamWindow);
  const parts: Uint8Array[] = [];
  const chunkSizes: number[] = [];
  let head: ResponseHead | null = null;
  for (;;) {
    const message = await socket.take(
      (m) =>
        'streamId' in m &&
        m.streamId === ids.streamId &&
        ['response-head', 'body', 'end', 'reset'].includes(m.kind),
    );
    if (message.kind === 'reset') return result(head, parts, chunkSizes, message.body);
    if (message.kind === 'response-head') head = message.body;
    if (message.kind === 'end') return result(head, parts, chunkSizes, null);
    if (message.kind === 'body') {
      window.received(message.data.byteLength);
      parts.push(message.data.slice());
      chunkSizes.push(message.data.byteLength);
      const credit = window.consumed(message.data.byteLength);
      if (credit > 0) socket.send({ kind: 'credit', ...ids, bytes: credit });
    }
  }
}

function result(
  head: ResponseHead | null,
  parts: Uint8Array[],
  chunkSizes: number[],
  reset: ResetBody | null,
): ExchangeResult {
  const body = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return { head, body, chunkSizes, reset };
}

export function requestHead(request: ExchangeRequest, bodyLength: number | null): Message {
  return {
    kind: 'request-head',
    streamId: request.streamId,
    connectionId: request.connectionId,
    body: {
      method: request.method ?? 'GET',
      url: request.url,
      headers: request.headers ?? [],
      deadlineMs: request.deadlineMs ?? 30_000,
      replaySafe: request.replaySafe ?? true,
      bodyLength,
      leg: request.leg ?? 'download',
    },
  };
}

/** A bodiless exchange (GET), start to finish. */
export async function relayGet(
  socket: WorkerEnd,
  request: ExchangeRequest,
): Promise<ExchangeResult> {
  socket.send(requestHead(request, 0));
  socket.send({ kind: 'end', streamId: request.streamId, connectionId: request.connectionId });
  return readAnswer(socket, request);
}

export interface UploadOptions {
  /** Announce the length (true) or send a body of unknown size (false). */
  readonly announceLength?: boolean;
  /** Body chunk size the worker sends (at most one frame). */
  readonly chunkSize?: number;
  /** Called after the first chunk went out, before any other. */
  readonly afterFirstChunk?: () => Promise<void>;
}

/**
 * Sends a request body as the worker does: never more than the peer's
 * credit (it starts at one stream window and grows with Credit frames).
 */
export async function relayUpload(
  socket: WorkerEnd,
  request: ExchangeRequest,
  body: Uint8Array,
  options: UploadOptions = {},
): Promise<ExchangeResult> {
  const ids = { streamId: request.streamId, connectionId: request.connectionId };
  socket.send(
    requestHead(
      { method: 'POST', leg: 'upload', ...request },
      options.announceLength === false ? null : body.byteLength,
    ),
  );
  const answer = readAnswer(socket, ids);
  const credit = new SendCredit(socket.limits.streamWindow);
  const chunk = Math.min(options.chunkSize ?? 64 * 1024, socket.limits.maxFrameSize - 16);
  let ended = false;
  void answer.then(() => {
    ended = true;
  });
  for (let offset = 0; offset < body.byteLength && !ended;) {
    const size = Math.min(chunk, body.byteLength - offset);
    while (credit.available < size && !ended) {
      const message = await Promise.race([
        socket.take((m) => m.kind === 'credit' && m.streamId === ids.streamId),
        answer,
      ]);
      if ('kind' in message && message.kind === 'credit') credit.grant(message.bytes);
    }
    if (ended) break;
    credit.tryConsume(size);
    socket.send({ kind: 'body', ...ids, data: body.subarray(offset, offset + size) });
    offset += size;
    if (offset === size && options.afterFirstChunk) await options.afterFirstChunk();
  }
  if (!ended) socket.send({ kind: 'end', ...ids });
  return answer;
}
