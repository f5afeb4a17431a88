import { ProtocolError, ReceiveWindow } from '@pasarela/shared';
import { until, Wakeup } from './wakeup.js';

export interface RequestBodyOptions {
  /** The agreed stream window: the credit the worker starts with. */
  readonly window: number;
  /** RequestHead's `bodyLength`; null for a body of unknown size. */
  readonly expectedLength: number | null;
  /** The most the peer holds whole (buffered path, or a copy kept for a retry). */
  readonly maxBuffered: number;
  /** Sends a Credit frame. */
  readonly grant: (bytes: number) => void;
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array<ArrayBuffer> {
  const whole = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    whole.set(part, offset);
    offset += part.byteLength;
  }
  return whole;
}

/**
 * The request body of one relayed exchange, as the worker sends it in
 * credited Body chunks. Credit goes back only as `fetch` takes the bytes
 * (streamed) or as they are stored (buffered), so the worker never sends
 * faster than the upstream or the cap allows.
 */
export class RequestBody {
  readonly #options: RequestBodyOptions;
  readonly #window: ReceiveWindow;
  readonly #arrived = new Wakeup();
  #queue: Uint8Array[] = [];
  #received = 0;
  #ended = false;
  /** Chunks handed to a streamed fetch, kept so a buffered retry can resend them. */
  #kept: Uint8Array[] | null = null;
  #keptBytes = 0;

  constructor(options: RequestBodyOptions) {
    this.#options = options;
    this.#window = new ReceiveWindow(options.window);
  }

  get received(): number {
    return this.#received;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** A Body frame arrived. Throws `bad_frame` or `flow_control` for a broken sender. */
  push(data: Uint8Array): void {
    if (this.#ended) throw new ProtocolError('bad_frame', 'Body after End');
    this.#window.received(data.byteLength);
    this.#received += data.byteLength;
    const expected = this.#options.expectedLength;
    if (expected !== null && this.#received > expected) {
      throw new ProtocolError('bad_frame', `body passed its announced ${expected} bytes`);
    }
    this.#queue.push(data);
    this.#arrived.notify();
  }

  /** The End frame arrived. */
  end(): void {
    if (this.#ended) throw new ProtocolError('bad_frame', 'a second End');
    const expected = this.#options.expectedLength;
    if (expected !== null && this.#received !== expected) {
      throw new ProtocolError(
        'bad_frame',
        `body ended after ${this.#received} of its announced ${expected} bytes`,
      );
    }
    this.#ended = true;
    this.#arrived.notify();
  }

  #consume(bytes: number): void {
    const credit = this.#window.consumed(bytes);
    if (credit > 0) this.#options.grant(credit);
  }

  /**
   * The body as a stream `fetch` pulls from (`duplex: 'half'`). With `keep`,
   * pulled chunks are also kept, up to the buffer cap, so that a runtime that
   * refuses to stream (Chromium over HTTP/1.1) can be given them whole.
   */
  stream(signal: AbortSignal, keep: boolean): ReadableStream<Uint8Array> {
    this.#kept = keep ? [] : null;
    return new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          await until(() => this.#queue.length > 0 || this.#ended, [this.#arrived], signal);
          const chunk = this.#queue.shift();
          if (!chunk) {
            controller.close();
            return;
          }
          this.#keep(chunk);
          this.#consume(chunk.byteLength);
          controller.enqueue(chunk);
        },
      },
      // Pull one chunk at a time, so credit follows the upstream's pace.
      { highWaterMark: 0 },
    );
  }

  /** Whether every chunk handed to a stream so far was kept. */
  get replayable(): boolean {
    return this.#kept !== null;
  }

  #keep(chunk: Uint8Array): void {
    if (this.#kept === null) return;
    this.#keptBytes += chunk.byteLength;
    if (this.#keptBytes > this.#options.maxBuffered) {
      this.#kept = null;
      return;
    }
    this.#kept.push(chunk);
  }

  /**
   * The whole body, kept chunks first, then the rest as it arrives. Throws
   * `body_too_large` past the buffer cap.
   */
  async whole(signal: AbortSignal): Promise<Uint8Array<ArrayBuffer>> {
    if (this.#kept === null && this.#keptBytes > 0) {
      throw new ProtocolError('internal', 'streamed chunks were not kept for a retry');
    }
    const parts = this.#kept ?? [];
    let total = this.#keptBytes;
    this.#kept = null;
    this.#keptBytes = 0;
    const limit = this.#options.maxBuffered;
    for (;;) {
      await until(() => this.#queue.length > 0 || this.#ended, [this.#arrived], signal);
      const chunk = this.#queue.shift();
      if (!chunk) break;
      total += chunk.byteLength;
      if (total > limit) {
        throw new ProtocolError('body_too_large', `request body passed ${limit} bytes`);
      }
      parts.push(chunk);
      this.#consume(chunk.byteLength);
    }
    return concat(parts, total);
  }
}
