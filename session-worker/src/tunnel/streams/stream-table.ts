import type { StreamMessage } from '@pasarela/shared';
import type { EgressError } from '../../egress/index.js';

/** One open stream as the table routes frames to it. */
export interface StreamEndpoint {
  readonly streamId: number;
  /** The upstream connection (WebSocket) or link generation (HTTP) its frames carry. */
  readonly connectionId: number;
  /** The link generation whose socket carries it; it ends with that socket. */
  readonly generation: number;
  deliver(message: StreamMessage): void;
  /** The socket that carried it is gone. */
  linkLost(error: EgressError): void;
}

/** Frames for streams the worker no longer has, by reason. */
export type StreamDrop = 'unknown-stream' | 'stream-ended' | 'connection-mismatch';

const RECENT_LIMIT = 256;
const MAX_STREAM_ID = 0xffff_ffff;

/**
 * The worker's open streams on one tenant's link: ids unique while open,
 * frames routed by stream id and checked against the stream's connection
 * id, so a frame of an upstream connection that no longer exists is
 * dropped and counted, never delivered to a newer one.
 */
export class StreamTable {
  readonly #streams = new Map<number, StreamEndpoint>();
  /** Recently ended ids: their late frames are expected, not unknown. */
  readonly #recent = new Set<number>();
  readonly #onDrop: (reason: StreamDrop, message: StreamMessage) => void;
  #nextId = 1;

  constructor(onDrop: (reason: StreamDrop, message: StreamMessage) => void) {
    this.#onDrop = onDrop;
  }

  get size(): number {
    return this.#streams.size;
  }

  /** A stream id not in use, from a counter that wraps past 2^32-1. */
  allocate(): number {
    for (;;) {
      const id = this.#nextId;
      this.#nextId = id === MAX_STREAM_ID ? 1 : id + 1;
      if (!this.#streams.has(id)) return id;
    }
  }

  add(endpoint: StreamEndpoint): void {
    this.#streams.set(endpoint.streamId, endpoint);
    this.#recent.delete(endpoint.streamId);
  }

  remove(endpoint: StreamEndpoint): void {
    if (this.#streams.get(endpoint.streamId) !== endpoint) return;
    this.#streams.delete(endpoint.streamId);
    this.#recent.add(endpoint.streamId);
    if (this.#recent.size > RECENT_LIMIT) {
      const oldest = this.#recent.values().next().value;
      if (oldest !== undefined) this.#recent.delete(oldest);
    }
  }

  deliver(message: StreamMessage): void {
    const endpoint = this.#streams.get(message.streamId);
    if (!endpoint) {
      // Credit crossing the stream's end is expected and not worth a count.
      if (message.kind === 'credit' && this.#recent.has(message.streamId)) return;
      this.#onDrop(this.#recent.has(message.streamId) ? 'stream-ended' : 'unknown-stream', message);
      return;
    }
    if (endpoint.connectionId !== message.connectionId) {
      this.#onDrop('connection-mismatch', message);
      return;
    }
    endpoint.deliver(message);
  }

  /** Ends every stream that rode on a socket generation that is gone. */
  endGeneration(generation: number, error: EgressError): void {
    for (const endpoint of [...this.#streams.values()]) {
      if (endpoint.generation === generation) endpoint.linkLost(error);
    }
  }

  endAll(error: EgressError): void {
    for (const endpoint of [...this.#streams.values()]) endpoint.linkLost(error);
  }
}
