import { maxChunkSize, ReceiveWindow, SendCredit } from '@pasarela/shared';
import type { RoomClient } from './client.js';

export interface StreamRef {
  streamId: number;
  connectionId: number;
}

/** Random bytes from WebCrypto, which hands out at most 64 KiB per call. */
export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let at = 0; at < length; at += 65_536) {
    crypto.getRandomValues(bytes.subarray(at, Math.min(length, at + 65_536)));
  }
  return bytes;
}

export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new Uint8Array(bytes)));
  return [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Sends a body as chunks of the agreed frame size, never beyond the credit
 * the receiver granted, then `End`.
 */
export async function sendBody(
  client: RoomClient,
  stream: StreamRef,
  data: Uint8Array,
  options: { window: number; maxFrameSize: number; end?: boolean },
): Promise<void> {
  const credit = new SendCredit(options.window);
  const chunk = maxChunkSize(options.maxFrameSize);
  for (let at = 0; at < data.byteLength; at += chunk) {
    const part = data.subarray(at, Math.min(data.byteLength, at + chunk));
    while (!credit.tryConsume(part.byteLength)) {
      const granted = await client.next('credit', (m) => m.streamId === stream.streamId);
      credit.grant(granted.bytes);
    }
    client.send({ kind: 'body', ...stream, data: part });
  }
  if (options.end !== false) client.send({ kind: 'end', ...stream });
}

/** Receives a body of a known length, granting credit as it goes, then its `End`. */
export async function receiveBody(
  client: RoomClient,
  stream: StreamRef,
  length: number,
  window: number,
): Promise<Uint8Array> {
  const received = new Uint8Array(length);
  const credit = new ReceiveWindow(window);
  let at = 0;
  while (at < length) {
    const { data } = await client.next('body', (m) => m.streamId === stream.streamId);
    credit.received(data.byteLength);
    received.set(data, at);
    at += data.byteLength;
    const grant = credit.consumed(data.byteLength);
    if (grant > 0) client.send({ kind: 'credit', ...stream, bytes: grant });
  }
  await client.next('end', (m) => m.streamId === stream.streamId);
  return received;
}
