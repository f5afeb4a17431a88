import type { z } from 'zod';
import { ProtocolError } from './errors.js';
import { decodeFrame, encodeFrame, FrameFlag, FrameType, frameTypeName } from './frame.js';
import {
  errorBodySchema,
  helloSchema,
  peerStateSchema,
  presenceSchema,
  requestHeadSchema,
  resetBodySchema,
  responseHeadSchema,
  statsSchema,
  tenantStatusSchema,
  welcomeSchema,
  wsCloseSchema,
  wsOpenedSchema,
  wsOpenSchema,
} from './messages.js';
import type {
  ErrorBody,
  Hello,
  PeerStateBody,
  Presence,
  RequestHead,
  ResetBody,
  ResponseHead,
  StatsBody,
  TenantStatus,
  Welcome,
  WsClose,
  WsOpen,
  WsOpened,
} from './messages.js';

interface OnStream {
  streamId: number;
  connectionId: number;
}

/** Every frame of protocol v1, decoded. */
export type Message =
  | { kind: 'hello'; body: Hello }
  | { kind: 'welcome'; body: Welcome }
  | { kind: 'error'; body: ErrorBody }
  | ({ kind: 'request-head'; body: RequestHead } & OnStream)
  | ({ kind: 'response-head'; body: ResponseHead } & OnStream)
  | ({ kind: 'body'; data: Uint8Array } & OnStream)
  | ({ kind: 'end' } & OnStream)
  | ({ kind: 'ws-open'; body: WsOpen } & OnStream)
  | ({ kind: 'ws-opened'; body: WsOpened } & OnStream)
  | ({ kind: 'ws-message'; binary: boolean; data: Uint8Array } & OnStream)
  | ({ kind: 'ws-close'; body: WsClose } & OnStream)
  | ({ kind: 'credit'; bytes: number } & OnStream)
  | ({ kind: 'reset'; body: ResetBody } & OnStream)
  | { kind: 'ping'; sentAt: number }
  | { kind: 'pong'; sentAt: number; repliedAt: number }
  | { kind: 'presence'; body: Presence }
  | { kind: 'peer-state'; body: PeerStateBody }
  | { kind: 'tenant-status'; body: TenantStatus }
  | { kind: 'stats'; body: StatsBody };

export type MessageKind = Message['kind'];

/** The messages that belong to a stream. */
export type StreamMessage = Extract<Message, OnStream>;

const utf8 = new TextEncoder();
// `fatal` makes invalid UTF-8 in a JSON part a coded error, not U+FFFD.
// `ignoreBOM` is spelled out (its default) because the Workers runtime's
// type definitions require it.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const EMPTY = new Uint8Array(0);

// Reading `.buffer` of a small, freshly made typed array costs far more
// than the encoding itself in V8, so numbers are written through one
// scratch view and copied out.
const scratch = new DataView(new ArrayBuffer(16));
const scratchBytes = new Uint8Array(scratch.buffer);

function float64s(...values: number[]): Uint8Array {
  values.forEach((value, index) => scratch.setFloat64(index * 8, value));
  return scratchBytes.slice(0, values.length * 8);
}

function jsonBytes(value: unknown): Uint8Array {
  return utf8.encode(JSON.stringify(value));
}

function parseJson<T>(schema: z.ZodType<T>, payload: Uint8Array, type: number): T {
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8.decode(payload));
  } catch {
    throw new ProtocolError('bad_frame', `${frameTypeName(type)} payload is not UTF-8 JSON`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'payload';
    throw new ProtocolError(
      'bad_frame',
      `${frameTypeName(type)} field ${where}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return result.data;
}

function fixedPayload(payload: Uint8Array, size: number, type: number): DataView {
  if (payload.byteLength !== size) {
    throw new ProtocolError(
      'bad_frame',
      `${frameTypeName(type)} payload must be ${size} bytes, got ${payload.byteLength}`,
    );
  }
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
}

function finite(value: number, type: number): number {
  if (!Number.isFinite(value)) {
    throw new ProtocolError('bad_frame', `${frameTypeName(type)} carries a non-finite time`);
  }
  return value;
}

interface Parts {
  type: FrameType;
  flags: number;
  streamId: number;
  connectionId: number;
  payload: Uint8Array;
}

function connectionFrame(type: FrameType, payload: Uint8Array): Parts {
  return { type, flags: 0, streamId: 0, connectionId: 0, payload };
}

function streamFrame(message: StreamMessage, type: FrameType, payload: Uint8Array): Parts {
  const flags = message.kind === 'ws-message' && message.binary ? FrameFlag.Binary : 0;
  return { type, flags, streamId: message.streamId, connectionId: message.connectionId, payload };
}

function parts(message: Message): Parts {
  switch (message.kind) {
    case 'hello':
      return connectionFrame(FrameType.Hello, jsonBytes(message.body));
    case 'welcome':
      return connectionFrame(FrameType.Welcome, jsonBytes(message.body));
    case 'error':
      return connectionFrame(FrameType.Error, jsonBytes(message.body));
    case 'ping':
      return connectionFrame(FrameType.Ping, float64s(message.sentAt));
    case 'pong':
      return connectionFrame(FrameType.Pong, float64s(message.sentAt, message.repliedAt));
    case 'presence':
      return connectionFrame(FrameType.Presence, jsonBytes(message.body));
    case 'peer-state':
      return connectionFrame(FrameType.PeerState, jsonBytes(message.body));
    case 'tenant-status':
      return connectionFrame(FrameType.TenantStatus, jsonBytes(message.body));
    case 'stats':
      return connectionFrame(FrameType.Stats, jsonBytes(message.body));
    default:
      return streamFrame(message, STREAM_FRAME_TYPES[message.kind], streamPayload(message));
  }
}

const STREAM_FRAME_TYPES: Record<StreamMessage['kind'], FrameType> = {
  'request-head': FrameType.RequestHead,
  'response-head': FrameType.ResponseHead,
  body: FrameType.Body,
  end: FrameType.End,
  'ws-open': FrameType.WsOpen,
  'ws-opened': FrameType.WsOpened,
  'ws-message': FrameType.WsMessage,
  'ws-close': FrameType.WsClose,
  credit: FrameType.Credit,
  reset: FrameType.Reset,
};

function streamPayload(message: StreamMessage): Uint8Array {
  switch (message.kind) {
    case 'body':
    case 'ws-message':
      return message.data;
    case 'end':
      return EMPTY;
    case 'credit':
      if (!Number.isInteger(message.bytes) || message.bytes < 1 || message.bytes > 0xffff_ffff) {
        throw new ProtocolError('bad_frame', 'credit must be 1 to 2^32-1 bytes');
      }
      scratch.setUint32(0, message.bytes);
      return scratchBytes.slice(0, 4);
    default:
      return jsonBytes(message.body);
  }
}

/** Encodes one message into one frame. Throws only `ProtocolError`. */
export function encodeMessage(message: Message, maxFrameSize: number): Uint8Array {
  return encodeFrame(parts(message), maxFrameSize);
}

/**
 * Decodes one received frame. Whatever the bytes, it returns a message or
 * throws a `ProtocolError` with a catalogue code; never anything else.
 */
export function decodeMessage(bytes: Uint8Array, maxFrameSize: number): Message {
  const frame = decodeFrame(bytes, maxFrameSize);
  const { type, payload } = frame;
  const ids = { streamId: frame.streamId, connectionId: frame.connectionId };
  switch (type) {
    case FrameType.Hello:
      return { kind: 'hello', body: parseJson(helloSchema, payload, type) };
    case FrameType.Welcome:
      return { kind: 'welcome', body: parseJson(welcomeSchema, payload, type) };
    case FrameType.Error:
      return { kind: 'error', body: parseJson(errorBodySchema, payload, type) as ErrorBody };
    case FrameType.RequestHead:
      return { kind: 'request-head', ...ids, body: parseJson(requestHeadSchema, payload, type) };
    case FrameType.ResponseHead:
      return { kind: 'response-head', ...ids, body: parseJson(responseHeadSchema, payload, type) };
    case FrameType.Body:
      return { kind: 'body', ...ids, data: payload };
    case FrameType.End:
      fixedPayload(payload, 0, type);
      return { kind: 'end', ...ids };
    case FrameType.WsOpen:
      return { kind: 'ws-open', ...ids, body: parseJson(wsOpenSchema, payload, type) };
    case FrameType.WsOpened:
      return { kind: 'ws-opened', ...ids, body: parseJson(wsOpenedSchema, payload, type) };
    case FrameType.WsMessage:
      return {
        kind: 'ws-message',
        ...ids,
        binary: (frame.flags & FrameFlag.Binary) !== 0,
        data: payload,
      };
    case FrameType.WsClose:
      return { kind: 'ws-close', ...ids, body: parseJson(wsCloseSchema, payload, type) };
    case FrameType.Credit: {
      const bytes = fixedPayload(payload, 4, type).getUint32(0);
      if (bytes === 0) throw new ProtocolError('bad_frame', 'credit of 0 bytes');
      return { kind: 'credit', ...ids, bytes };
    }
    case FrameType.Reset:
      return {
        kind: 'reset',
        ...ids,
        body: parseJson(resetBodySchema, payload, type) as ResetBody,
      };
    case FrameType.Ping:
      return { kind: 'ping', sentAt: finite(fixedPayload(payload, 8, type).getFloat64(0), type) };
    case FrameType.Pong: {
      const view = fixedPayload(payload, 16, type);
      return {
        kind: 'pong',
        sentAt: finite(view.getFloat64(0), type),
        repliedAt: finite(view.getFloat64(8), type),
      };
    }
    case FrameType.Presence:
      return { kind: 'presence', body: parseJson(presenceSchema, payload, type) };
    case FrameType.PeerState:
      return { kind: 'peer-state', body: parseJson(peerStateSchema, payload, type) };
    case FrameType.TenantStatus:
      return { kind: 'tenant-status', body: parseJson(tenantStatusSchema, payload, type) };
    case FrameType.Stats:
      return { kind: 'stats', body: parseJson(statsSchema, payload, type) };
  }
}
