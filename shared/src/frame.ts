import { ProtocolError } from './errors.js';

/** The wire protocol version carried in every frame header and the handshake. */
export const PROTOCOL_VERSION = 1;

/** Bytes of the fixed header in front of every frame's payload. */
export const HEADER_SIZE = 16;

/**
 * Frame types. The numeric values are the wire format: never renumber them.
 * Connection frames travel on stream 0; stream frames on a stream id above 0.
 */
export const FrameType = {
  Hello: 0x01,
  Welcome: 0x02,
  Error: 0x03,
  RequestHead: 0x10,
  ResponseHead: 0x11,
  Body: 0x12,
  End: 0x13,
  WsOpen: 0x20,
  WsOpened: 0x21,
  WsMessage: 0x22,
  WsClose: 0x23,
  Credit: 0x30,
  Reset: 0x31,
  Ping: 0x40,
  Pong: 0x41,
  Presence: 0x50,
  PeerState: 0x51,
  TenantStatus: 0x52,
  Stats: 0x53,
} as const;

export type FrameType = (typeof FrameType)[keyof typeof FrameType];

const FRAME_TYPE_NAMES = new Map<number, string>(
  Object.entries(FrameType).map(([name, value]) => [value, name]),
);

export function frameTypeName(type: number): string {
  return FRAME_TYPE_NAMES.get(type) ?? `0x${type.toString(16).padStart(2, '0')}`;
}

const STREAM_TYPES = new Set<number>([
  FrameType.RequestHead,
  FrameType.ResponseHead,
  FrameType.Body,
  FrameType.End,
  FrameType.WsOpen,
  FrameType.WsOpened,
  FrameType.WsMessage,
  FrameType.WsClose,
  FrameType.Credit,
  FrameType.Reset,
]);

/** Whether a frame type belongs to a stream (stream id above 0). */
export function isStreamFrameType(type: number): boolean {
  return STREAM_TYPES.has(type);
}

/** Header flags. Bits not defined here must be zero in version 1. */
export const FrameFlag = {
  /** On `WsMessage`: the message is binary; clear means UTF-8 text. */
  Binary: 0x01,
} as const;

const KNOWN_FLAGS = FrameFlag.Binary;

/**
 * Send priority. Control frames and upstream WebSocket messages go before
 * bulk body chunks, so a large media transfer cannot starve Baileys'
 * keepalive on the same tunnel.
 */
export type FramePriority = 'control' | 'bulk';

export function framePriority(type: number): FramePriority {
  return type === FrameType.Body ? 'bulk' : 'control';
}

export interface FrameHeader {
  readonly version: number;
  readonly type: FrameType;
  readonly flags: number;
  readonly streamId: number;
  readonly connectionId: number;
  readonly payloadLength: number;
}

export interface Frame {
  readonly type: FrameType;
  readonly flags: number;
  readonly streamId: number;
  readonly connectionId: number;
  readonly payload: Uint8Array;
}

export const MAX_U32 = 0xffff_ffff;

function isU32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_U32;
}

/**
 * Reads and validates the 16-byte header without touching the payload, so
 * the room can route a frame by header alone.
 */
export function decodeHeader(bytes: Uint8Array, maxFrameSize: number): FrameHeader {
  if (bytes.byteLength > maxFrameSize) {
    throw new ProtocolError(
      'frame_too_large',
      `frame of ${bytes.byteLength} bytes exceeds the limit of ${maxFrameSize}`,
    );
  }
  if (bytes.byteLength < HEADER_SIZE) {
    throw new ProtocolError('bad_frame', `frame of ${bytes.byteLength} bytes has no full header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint8(0);
  if (version !== PROTOCOL_VERSION) {
    throw new ProtocolError(
      'version_mismatch',
      `frame version ${version}, this side speaks ${PROTOCOL_VERSION}`,
    );
  }
  const type = view.getUint8(1);
  if (!FRAME_TYPE_NAMES.has(type)) {
    throw new ProtocolError('bad_frame', `unknown frame type ${frameTypeName(type)}`);
  }
  const flags = view.getUint8(2);
  if ((flags & ~KNOWN_FLAGS) !== 0 || (flags !== 0 && type !== FrameType.WsMessage)) {
    throw new ProtocolError('bad_frame', `flags 0x${flags.toString(16)} not allowed here`);
  }
  if (view.getUint8(3) !== 0) {
    throw new ProtocolError('bad_frame', 'reserved header byte is not zero');
  }
  const streamId = view.getUint32(4);
  const connectionId = view.getUint32(8);
  const payloadLength = view.getUint32(12);
  if (payloadLength !== bytes.byteLength - HEADER_SIZE) {
    throw new ProtocolError(
      'bad_frame',
      `header says ${payloadLength} payload bytes, frame carries ${bytes.byteLength - HEADER_SIZE}`,
    );
  }
  const onStream = isStreamFrameType(type);
  if (onStream && streamId === 0) {
    throw new ProtocolError('bad_frame', `${frameTypeName(type)} needs a stream id above 0`);
  }
  if (!onStream && streamId !== 0) {
    throw new ProtocolError('bad_frame', `${frameTypeName(type)} must travel on stream 0`);
  }
  return { version, type: type as FrameType, flags, streamId, connectionId, payloadLength };
}

/** Splits a received frame into header fields and a payload view (no copy). */
export function decodeFrame(bytes: Uint8Array, maxFrameSize: number): Frame {
  const header = decodeHeader(bytes, maxFrameSize);
  return {
    type: header.type,
    flags: header.flags,
    streamId: header.streamId,
    connectionId: header.connectionId,
    payload: bytes.subarray(HEADER_SIZE),
  };
}

function writeU32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = (value >>> 16) & 0xff;
  bytes[at + 2] = (value >>> 8) & 0xff;
  bytes[at + 3] = value & 0xff;
}

/** Writes one frame: the fixed header followed by the payload bytes. */
export function encodeFrame(frame: Frame, maxFrameSize: number): Uint8Array {
  const { type, flags, streamId, connectionId, payload } = frame;
  if (!isU32(streamId) || !isU32(connectionId)) {
    throw new ProtocolError('bad_frame', 'stream and connection ids must be unsigned 32-bit');
  }
  // The same rules the decoder applies, so an encoder never emits what a decoder refuses.
  if (!FRAME_TYPE_NAMES.has(type) || isStreamFrameType(type) !== (streamId !== 0)) {
    throw new ProtocolError('bad_frame', `${frameTypeName(type)} on stream ${streamId}`);
  }
  if ((flags & ~KNOWN_FLAGS) !== 0 || (flags !== 0 && type !== FrameType.WsMessage)) {
    throw new ProtocolError('bad_frame', `flags 0x${flags.toString(16)} not allowed here`);
  }
  const size = HEADER_SIZE + payload.byteLength;
  if (size > maxFrameSize) {
    throw new ProtocolError(
      'frame_too_large',
      `frame of ${size} bytes exceeds the limit of ${maxFrameSize}`,
      { streamId },
    );
  }
  const bytes = new Uint8Array(size);
  bytes[0] = PROTOCOL_VERSION;
  bytes[1] = type;
  bytes[2] = flags;
  writeU32(bytes, 4, streamId);
  writeU32(bytes, 8, connectionId);
  writeU32(bytes, 12, payload.byteLength);
  bytes.set(payload, HEADER_SIZE);
  return bytes;
}
