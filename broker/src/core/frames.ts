import { encodeMessage, HEADER_SIZE, PROTOCOL_DEFAULTS } from '@pasarela/shared';
import type { ErrorCode, Message } from '@pasarela/shared';

/**
 * Frames the room itself writes. They are all small, so the protocol's
 * default frame limit is always enough.
 */
const LIMIT = PROTOCOL_DEFAULTS.maxFrameSize;

export function frame(message: Message): Uint8Array {
  return encodeMessage(message, LIMIT);
}

/** Messages in error frames stay short and never carry a token. */
function clip(message: string): string {
  return message.length > 500 ? `${message.slice(0, 497)}...` : message;
}

export function errorFrame(code: ErrorCode, message: string): Uint8Array {
  return frame({ kind: 'error', body: { code, message: clip(message) } });
}

export function resetFrame(
  streamId: number,
  connectionId: number,
  code: ErrorCode,
  message: string,
): Uint8Array {
  return frame({ kind: 'reset', streamId, connectionId, body: { code, message: clip(message) } });
}

export function pingFrame(sentAt: number): Uint8Array {
  return frame({ kind: 'ping', sentAt });
}

export function pongFrame(sentAt: number, repliedAt: number): Uint8Array {
  return frame({ kind: 'pong', sentAt, repliedAt });
}

/**
 * The stream id of a frame the header decoder refused, read straight from
 * the bytes, so a broken frame can reset its own stream and nothing else.
 */
export function rawStreamId(bytes: Uint8Array): number | null {
  if (bytes.byteLength < 8) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const id = view.getUint32(4);
  return id === 0 ? null : id;
}

export function rawConnectionId(bytes: Uint8Array): number {
  if (bytes.byteLength < 12) return 0;
  return new DataView(bytes.buffer, bytes.byteOffset, 12).getUint32(8);
}

/** Credit payload: 4 bytes, big-endian, from 1 to 2^32-1. */
export function creditAmount(bytes: Uint8Array): number | null {
  if (bytes.byteLength !== HEADER_SIZE + 4) return null;
  const amount = new DataView(bytes.buffer, bytes.byteOffset + HEADER_SIZE, 4).getUint32(0);
  return amount === 0 ? null : amount;
}
