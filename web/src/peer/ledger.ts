import type { ErrorCode, Message } from '@pasarela/shared';
import type { PeerEvents, StreamStartEvent } from './events.js';
import { messageIds, messageTypeName } from './message-names.js';
import { countInto, emptyStats, snapshotStats } from './stats.js';
import type { DropReason, PeerStats } from './stats.js';
import type { RelayStream, StreamIds, StreamResult } from './stream.js';

function describe(stream: RelayStream): StreamStartEvent {
  return {
    streamId: stream.streamId,
    connectionId: stream.connectionId,
    kind: stream.kind,
    leg: stream.leg,
    method: stream.method,
    host: stream.host,
  };
}

/**
 * Counts what the peer did and tells the page as it happens: every counter
 * of `PeerStats` changes here, next to the event that reports it.
 */
export class PeerLedger {
  readonly #stats: PeerStats = emptyStats();
  readonly #events: PeerEvents;
  readonly #now: () => number;
  readonly #startedAt = new WeakMap<RelayStream, number>();

  constructor(events: PeerEvents, now: () => number) {
    this.#events = events;
    this.#now = now;
  }

  snapshot(activeStreams: number): PeerStats {
    const copy = snapshotStats(this.#stats);
    copy.streams.active = activeStreams;
    return copy;
  }

  attempt(): void {
    this.#stats.attempts += 1;
  }

  socketOpened(): void {
    this.#stats.socketsOpened += 1;
  }

  joined(): void {
    this.#stats.joins += 1;
  }

  pinged(): void {
    this.#stats.pingsAnswered += 1;
    this.#stats.lastPingAt = this.#now();
  }

  received(bytes: number): void {
    this.#stats.framesIn += 1;
    this.#stats.bytesIn += bytes;
  }

  sent(bytes: number): void {
    this.#stats.framesOut += 1;
    this.#stats.bytesOut += bytes;
  }

  started(stream: RelayStream): void {
    this.#stats.streams.started += 1;
    this.#startedAt.set(stream, this.#now());
    this.#events.emit('stream-start', describe(stream));
  }

  finished(stream: RelayStream, result: StreamResult): void {
    const { streams } = this.#stats;
    const { outcome } = result;
    if (outcome === 'ok' || outcome === 'closed') streams.succeeded += 1;
    else if (outcome === 'worker-reset') streams.endedByWorker += 1;
    else if (outcome === 'link-lost') streams.endedByLinkLoss += 1;
    else if (outcome !== 'stopped') {
      countInto(streams.failed, outcome);
      if (outcome === 'browser_cors') countInto(this.#stats.corsRefusals, stream.host);
    }
    this.#stats.upstreamBytesSent += result.bytesSent;
    this.#stats.upstreamBytesReceived += result.bytesReceived;
    const durationMs = this.#now() - (this.#startedAt.get(stream) ?? this.#now());
    this.#events.emit('stream-end', { ...describe(stream), ...result, durationMs });
  }

  refused(ids: StreamIds, code: ErrorCode, message: string): void {
    countInto(this.#stats.streams.failed, code);
    this.#events.emit('error', { code, message, streamId: ids.streamId });
  }

  dropped(reason: DropReason, message: Message | null): void {
    this.#stats.dropped.total += 1;
    countInto(this.#stats.dropped.byReason, reason);
    const ids = message ? messageIds(message) : { streamId: 0, connectionId: 0 };
    const frameType = message ? messageTypeName(message) : 'unknown';
    this.#events.emit('dropped', { reason, frameType, ...ids });
  }
}
