import { frameTypeName } from '@pasarela/shared';
import { roomSocketClass } from '../../../src/tunnel/index.js';
import type { RoomSocketClass } from '../../../src/tunnel/index.js';

/** What the worker's room sockets carried, as seen at the socket itself. */
export interface RoomSocketRecord {
  readonly WebSocket: RoomSocketClass;
  /** The type of the first frame the worker sent on each socket it opened. */
  readonly firstFrames: string[];
  /** Sockets the worker opened to its room. */
  sockets(): number;
  /** The largest single WebSocket message either way, in bytes. */
  largestSent(): number;
  largestReceived(): number;
}

/** The worker's room `WebSocket`, recording every message it sends and receives. */
export function recordingRoomSocket(): RoomSocketRecord {
  const firstFrames: string[] = [];
  let opened = 0;
  let largestSent = 0;
  let largestReceived = 0;
  const Base = roomSocketClass('pasarela-tunnel-tests');
  class RecordingSocket extends Base {
    #sent = 0;

    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      opened += 1;
      this.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
        const size = Array.isArray(data)
          ? data.reduce((sum, part) => sum + part.length, 0)
          : data.byteLength;
        largestReceived = Math.max(largestReceived, size);
      });
    }

    override send(data: unknown, ...rest: unknown[]): void {
      const bytes = data as Uint8Array;
      if (this.#sent === 0) firstFrames.push(frameTypeName(bytes[1] ?? 0));
      this.#sent += 1;
      largestSent = Math.max(largestSent, bytes.byteLength);
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  }
  return {
    WebSocket: RecordingSocket,
    firstFrames,
    sockets: () => opened,
    largestSent: () => largestSent,
    largestReceived: () => largestReceived,
  };
}
