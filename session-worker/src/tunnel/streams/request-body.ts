import { Readable } from 'node:stream';

export interface BodyPumpOptions {
  /** Keep the bytes read, so the body can be sent again on the other route. */
  readonly keep: boolean;
  /** Past this many kept bytes the body can no longer be replayed. */
  readonly keepLimit: number;
  /** The largest piece one Body frame may carry. */
  readonly maxChunk: number;
  /** Sends one piece once credit and the link allow; false when the stream is gone. */
  readonly send: (piece: Uint8Array) => Promise<boolean>;
  readonly end: () => void;
  /** The client's body failed (it went away mid-upload). */
  readonly failed: (error: Error) => void;
}

/**
 * Reads a request body from the client and sends it in credited pieces,
 * one piece at a time, pausing the client while a piece waits. It keeps
 * what it read (up to a limit) so that, if the tunnel fails before any of
 * the answer arrived, the same body can go direct from its first byte:
 * the kept bytes, then whatever the client has not sent yet.
 */
export class RequestBodyPump {
  readonly #body: Readable;
  readonly #options: BodyPumpOptions;
  #kept: Buffer[] | null;
  #keptBytes = 0;
  #read = 0;
  #ended = false;
  #stopped = false;
  /** A chunk is still being sent; End waits for it. */
  #busy = false;
  readonly #onData = (chunk: Buffer) => void this.#take(chunk);
  // A stream emits 'end' once its buffer is empty, paused or not, so the
  // last chunk may still be on its way: End goes after it.
  readonly #onEnd = () => {
    this.#ended = true;
    if (!this.#stopped && !this.#busy) this.#options.end();
  };
  readonly #onError = (error: Error) => {
    if (!this.#stopped) this.#options.failed(error);
  };

  constructor(body: Readable, options: BodyPumpOptions) {
    this.#body = body;
    this.#options = options;
    this.#kept = options.keep ? [] : null;
  }

  get bytesRead(): number {
    return this.#read;
  }

  start(): void {
    this.#body.on('data', this.#onData);
    this.#body.once('end', this.#onEnd);
    this.#body.on('error', this.#onError);
  }

  /** Stops reading; the client's stream stays paused where it is. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#body.off('data', this.#onData);
    this.#body.off('end', this.#onEnd);
    this.#body.off('error', this.#onError);
    this.#body.pause();
  }

  /**
   * The body again from its first byte, or null when part of it was read
   * and not kept (too large, or not meant to be replayed).
   */
  replay(): Readable | null {
    this.stop();
    if (this.#read === 0) return this.#body;
    if (this.#kept === null) return null;
    const kept = this.#kept;
    const rest = this.#ended ? null : this.#body;
    async function* again(): AsyncGenerator<Buffer> {
      yield* kept;
      if (rest) for await (const chunk of rest) yield chunk as Buffer;
    }
    return Readable.from(again(), { objectMode: false });
  }

  async #take(chunk: Buffer): Promise<void> {
    this.#body.pause();
    this.#busy = true;
    this.#read += chunk.length;
    if (this.#kept) {
      this.#keptBytes += chunk.length;
      if (this.#keptBytes <= this.#options.keepLimit) this.#kept.push(chunk);
      else this.#kept = null;
    }
    for (let offset = 0; offset < chunk.length && !this.#stopped;) {
      const piece = chunk.subarray(offset, offset + this.#options.maxChunk);
      offset += piece.length;
      if (!(await this.#options.send(piece))) {
        this.#busy = false;
        this.stop();
        return;
      }
    }
    this.#busy = false;
    if (this.#stopped) return;
    if (this.#ended) this.#options.end();
    else this.#body.resume();
  }
}
