import { NOISE_WA_HEADER } from '@whiskeysockets/baileys';

/** Frames carry a 3-byte big-endian length, so one frame holds at most 16 MiB. */
export const MAX_FRAME_BYTES = 0xff_ff_ff;

export interface IntroInfo {
  /** Routing info from an `ED` prefix (sent after the server's `ib/edge_routing`). */
  readonly routingInfo: Buffer | null;
}

export class FrameError extends Error {
  override readonly name = 'FrameError';
}

/**
 * Splits the client's byte stream into frames. A WebSocket message may carry
 * several frames or part of one, so bytes are buffered until a frame is
 * whole. The stream starts with an intro: `WA 06 03`, optionally preceded by
 * `ED 00 01`, a 24-bit length and routing info.
 */
export class FrameReader {
  private buffered = Buffer.alloc(0);
  private intro: IntroInfo | null = null;

  /** The intro, once read. */
  get introInfo(): IntroInfo | null {
    return this.intro;
  }

  push(chunk: Uint8Array): Buffer[] {
    this.buffered =
      this.buffered.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffered, chunk]);
    if (!this.intro && !this.readIntro()) return [];
    const frames: Buffer[] = [];
    while (this.buffered.length >= 3) {
      const size = this.buffered.readUIntBE(0, 3);
      if (this.buffered.length < size + 3) break;
      frames.push(this.buffered.subarray(3, size + 3));
      this.buffered = this.buffered.subarray(size + 3);
    }
    return frames;
  }

  private readIntro(): boolean {
    const data = this.buffered;
    let offset = 0;
    let routingInfo: Buffer | null = null;
    if (data.length < 4) return false;
    if (data[0] === 0x45 && data[1] === 0x44) {
      // 'E' 'D' 0 1, a 24-bit length, the routing info, then the WA header.
      if (data[2] !== 0 || data[3] !== 1) throw new FrameError('unsupported ED intro version');
      if (data.length < 7) return false;
      const length = data.readUIntBE(4, 3);
      if (data.length < 7 + length + 4) return false;
      routingInfo = Buffer.from(data.subarray(7, 7 + length));
      offset = 7 + length;
    }
    const header = data.subarray(offset, offset + 4);
    if (header.length < 4) return false;
    if (!header.equals(NOISE_WA_HEADER)) {
      throw new FrameError(`unexpected intro ${header.toString('hex')}`);
    }
    this.intro = { routingInfo };
    this.buffered = data.subarray(offset + 4);
    return true;
  }
}

/** Prefixes a frame with its 24-bit length. The server sends no intro. */
export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length > MAX_FRAME_BYTES) throw new FrameError('frame too large');
  const frame = Buffer.allocUnsafe(payload.length + 3);
  frame.writeUIntBE(payload.length, 0, 3);
  frame.set(payload, 3);
  return frame;
}
