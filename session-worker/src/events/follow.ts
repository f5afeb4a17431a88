import type { EventRecord, RecordStore } from '../records/index.js';
import type { EventHub } from './hub.js';

export interface FollowOptions {
  readonly records: RecordStore;
  readonly hub: EventHub;
  /** Only this tenant's events; every tenant's (and process-wide ones) when absent. */
  readonly tenant?: string;
  readonly types?: readonly string[];
  /** Resume after this id (from `Last-Event-ID`); from now on when null. */
  readonly after: number | null;
  /** Tell the client (`gap`) when events after `after` were pruned already. */
  readonly gapCheck?: boolean;
  readonly keepaliveMs: number;
  /** How often the log is read for events other replicas wrote. */
  readonly pollMs: number;
  readonly signal: AbortSignal;
  readonly batch?: number;
}

export type FollowItem =
  | { readonly kind: 'event'; readonly record: EventRecord }
  /** Events between `after` and `oldest` were pruned before this client came back. */
  | { readonly kind: 'gap'; readonly after: number; readonly oldest: number }
  | { readonly kind: 'keepalive' };

/**
 * Follows the event log for one SSE client: first what it missed since
 * `after`, then each new event in id order. The log is the source (so a
 * stream on one replica sees events another replica wrote, within
 * `pollMs`); this process's own events wake it at once.
 */
export async function* followEvents(options: FollowOptions): AsyncGenerator<FollowItem> {
  const { records, signal } = options;
  const batch = options.batch ?? 200;
  let cursor: number;
  if (options.after === null) {
    cursor = await records.latestEventId();
  } else {
    cursor = options.after;
  }
  if (options.after !== null && options.gapCheck !== false) {
    const oldest = await records.oldestEventId();
    if (oldest !== null && cursor < oldest - 1) {
      yield { kind: 'gap', after: cursor, oldest };
    }
  }
  // A flag, not a queue: however many events arrive while the client is
  // being written to, one read of the log picks them all up.
  let dirty = false;
  let wake: (() => void) | null = null;
  const onPublished = () => {
    dirty = true;
    wake?.();
  };
  const onAbort = () => wake?.();
  options.hub.on('published', onPublished);
  signal.addEventListener('abort', onAbort, { once: true });
  let lastSent = Date.now();
  try {
    while (!signal.aborted) {
      dirty = false;
      const found = await records.readEvents({
        after: cursor,
        limit: batch,
        ...(options.tenant === undefined ? {} : { tenant: options.tenant }),
        ...(options.types ? { types: options.types } : {}),
      });
      for (const record of found) {
        cursor = record.id;
        lastSent = Date.now();
        yield { kind: 'event', record };
      }
      if (found.length === batch || dirty) continue;
      const idle = Date.now() - lastSent;
      const waitMs = Math.max(1, Math.min(options.pollMs, options.keepaliveMs - idle));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
      });
      if (signal.aborted) break;
      if (Date.now() - lastSent >= options.keepaliveMs) {
        lastSent = Date.now();
        yield { kind: 'keepalive' };
      }
    }
  } finally {
    options.hub.off('published', onPublished);
    signal.removeEventListener('abort', onAbort);
  }
}
