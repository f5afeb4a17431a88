import { decodeHeader, decodeMessage, encodeMessage, FrameType } from '@pasarela/shared';
import type { Presence, StatusPeer } from '@pasarela/shared';
import { roomSocketClass } from '../../../../session-worker/src/tunnel/index.js';
import type { RoomSocketClass } from '../../../../session-worker/src/tunnel/index.js';

const MAX_FRAME = 2 * 1024 * 1024;

/**
 * The worker's room socket for this suite. TenantStatus gained an optional
 * `peer` (the primary as the worker heard of it in Presence) for the
 * pages' latency state; until the worker fills it, this socket adds it to
 * the worker's own frames from the Presence the same socket received, as
 * `primaryPeer` would give it. A frame that already carries `peer` goes
 * out untouched, so the bridge stands aside by itself once the worker
 * sends the field. `slow` (the worker's own round trip past its limit)
 * cannot be seen from here and is sent as false.
 */
export function statusBridgeSocket(userAgent: string): RoomSocketClass {
  const Base = roomSocketClass(userAgent);
  return class StatusBridgeSocket extends Base {
    #presence: Presence | null = null;

    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      // partysocket asks for ArrayBuffers; `ws` may hand Buffers or fragments otherwise.
      this.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
        const bytes = Array.isArray(data)
          ? new Uint8Array(Buffer.concat(data))
          : new Uint8Array(
              data instanceof ArrayBuffer
                ? data
                : data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
            );
        if (bytes[1] !== FrameType.Presence) return;
        const message = decodeMessage(bytes, MAX_FRAME);
        if (message.kind === 'presence') this.#presence = message.body;
      });
    }

    override send(data: unknown, ...rest: unknown[]): void {
      const bytes = data as Uint8Array;
      let out: Uint8Array = bytes;
      if (
        bytes.byteLength >= 16 &&
        decodeHeader(bytes, MAX_FRAME).type === FrameType.TenantStatus
      ) {
        const message = decodeMessage(bytes, MAX_FRAME);
        if (message.kind === 'tenant-status' && message.body.peer === undefined) {
          out = encodeMessage(
            { kind: 'tenant-status', body: { ...message.body, peer: this.#primary() } },
            MAX_FRAME,
          );
        }
      }
      (super.send as (...args: unknown[]) => void)(out, ...rest);
    }

    #primary(): StatusPeer | null {
      const presence = this.#presence;
      const primary = presence?.peers.find((peer) => peer.peerId === presence.primary);
      if (!primary) return null;
      const { peerId, state, health, rttMs } = primary;
      return { peerId, state, health, rttMs, slow: false };
    }
  };
}
