import type { ErrorCode } from '@pasarela/shared';
import { resetFrame } from './frames.js';
import { TenantQueue } from './queue.js';
import type { PendingFrame } from './queue.js';
import type { StreamTuple } from './records.js';
import type { RelayContext } from './relay.js';
import { fromTuple, PEER_ENDED, RecentIds, toTuple, viewStream, WORKER_ENDED } from './streams.js';
import type { Direction, Stream, StreamView } from './streams.js';

export type Notify = { worker: boolean; peer: boolean };
export const BOTH: Notify = { worker: true, peer: true };

/**
 * The tenant's open streams and what is in flight on them: delivery in
 * order, the bytes-in-flight cap with its waiting queue, outcomes counted
 * once, and the end of each stream.
 */
export class StreamBook {
  readonly #ctx: RelayContext;
  readonly #streams = new Map<number, Stream>();
  readonly recent = new RecentIds(512);
  readonly #queue = new TenantQueue();
  #inFlight = 0;

  constructor(ctx: RelayContext) {
    this.#ctx = ctx;
  }

  get size(): number {
    return this.#streams.size;
  }

  get bytesInFlight(): number {
    return this.#inFlight;
  }

  get queuedBytes(): number {
    return this.#queue.bytes;
  }

  get(id: number): Stream | undefined {
    return this.#streams.get(id);
  }

  all(): Stream[] {
    return [...this.#streams.values()];
  }

  add(stream: Stream): void {
    this.#streams.set(stream.id, stream);
    this.#ctx.streamsChanged();
  }

  restore(
    tuples: readonly StreamTuple[],
    windows: (peer: string) => { toPeer: number; toWorker: number },
  ): void {
    for (const tuple of tuples) {
      const stream = fromTuple(tuple, windows(tuple[2]));
      if (this.#ctx.peer(stream.peer)) this.#streams.set(stream.id, stream);
    }
  }

  tuples(): StreamTuple[] {
    return this.all().map(toTuple);
  }

  list(): StreamView[] {
    return this.all().map(viewStream);
  }

  /** Credit came back for `direction`: those bytes are no longer in flight. */
  release(stream: Stream, direction: Direction, amount: number): void {
    const released = Math.min(amount, stream.outstanding[direction]);
    stream.outstanding[direction] -= released;
    this.#inFlight -= released;
  }

  /** Drops the frames a stream has waiting (its sender reset it). */
  dropWaiting(stream: Stream): void {
    this.#queue.dropStream(stream);
  }

  /** Sends a frame now, or queues it behind its stream or the in-flight cap. */
  forward(
    stream: Stream,
    direction: Direction,
    bytes: Uint8Array,
    bodyBytes: number,
    endBit: number,
  ): void {
    const item: PendingFrame = { stream, direction, frame: bytes, bodyBytes, endBit };
    const cap = this.#ctx.config.maxBytesInFlight;
    const overCap = bodyBytes > 0 && this.#inFlight > 0 && this.#inFlight + bodyBytes > cap;
    if (stream.queued === 0 && !overCap) {
      this.deliver(item, bodyBytes);
      return;
    }
    if (this.#queue.bytes + bodyBytes > this.#ctx.config.maxQueuedBytes) {
      this.reset(stream, 'flow_control', 'the tenant has too many body bytes waiting', BOTH);
      return;
    }
    this.#queue.push(item);
    this.#ctx.holdAwake(true);
  }

  drain(): void {
    const cap = this.#ctx.config.maxBytesInFlight;
    for (let item = this.#queue.peek(); item; item = this.#queue.peek()) {
      if (item.bodyBytes > 0 && this.#inFlight > 0 && this.#inFlight + item.bodyBytes > cap) break;
      this.#queue.shift();
      this.deliver(item, item.bodyBytes);
    }
    if (this.#queue.size === 0) this.#ctx.holdAwake(false);
  }

  /** Sends a frame at once: WebSocket messages, and queued frames whose turn came. */
  deliver(item: PendingFrame, payloadBytes: number): void {
    const { stream, direction, frame } = item;
    const destination = direction === 'toPeer' ? stream.peer : this.#workerName();
    const limit =
      (direction === 'toPeer' ? this.#ctx.peer(stream.peer) : this.#ctx.worker())?.limits
        ?.maxFrameSize ?? this.#ctx.config.maxFrameSize;
    if (frame.byteLength > limit) {
      this.reset(stream, 'frame_too_large', `frame exceeds the receiver's ${limit} bytes`, BOTH);
      return;
    }
    this.#ctx.send(destination, frame);
    if (payloadBytes > 0) {
      stream.bytes[direction] += payloadBytes;
      this.#ctx.stats.add(direction === 'toPeer' ? 'bytesToPeers' : 'bytesToWorker', payloadBytes);
    }
    if (item.bodyBytes > 0) {
      stream.outstanding[direction] += item.bodyBytes;
      this.#inFlight += item.bodyBytes;
    }
    if (item.endBit === 0) return;
    stream.ended |= item.endBit;
    if (item.endBit === PEER_ENDED && stream.answered) this.settle(stream, null);
    if (stream.ended === (WORKER_ENDED | PEER_ENDED)) this.finish(stream);
    else this.#ctx.streamsChanged();
  }

  /** Counts a stream's outcome once: success (`null`) or the code that ended it. */
  settle(stream: Stream, failure: string | null): void {
    if (stream.counted) return;
    stream.counted = true;
    if (failure === null) this.#ctx.stats.add('requestsSucceeded');
    else this.#ctx.stats.countFailure(failure);
  }

  /** Ends a stream from the room, telling the sides that are still there. */
  reset(stream: Stream, code: ErrorCode, message: string, notify: Notify): void {
    if (!this.#streams.has(stream.id)) return;
    this.#queue.dropStream(stream);
    const frame = resetFrame(stream.id, stream.connectionId, code, message);
    const worker = this.#workerName();
    if (notify.worker && worker) this.#ctx.send(worker, frame);
    if (notify.peer && this.#ctx.peer(stream.peer)) this.#ctx.send(stream.peer, frame);
    this.settle(stream, code);
    this.#ctx.log.info('stream reset', { stream: stream.id, peer: stream.peer, code });
    this.finish(stream);
  }

  finish(stream: Stream): void {
    if (!this.#streams.delete(stream.id)) return;
    this.#queue.dropStream(stream);
    this.#inFlight -= stream.outstanding.toPeer + stream.outstanding.toWorker;
    this.recent.add(stream.id);
    this.#ctx.streamsChanged();
    this.drain();
  }

  #workerName(): string {
    return this.#ctx.worker()?.name ?? '';
  }
}
