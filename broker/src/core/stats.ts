/**
 * Per-tenant counters. They are counted in memory and flushed to storage by
 * the room at most every `statsFlushMs` (and when a connection closes), so a
 * storage write per frame is never needed and a restart loses at most one
 * interval.
 */
export interface StoredStats {
  since: number;
  requestsSent: number;
  requestsSucceeded: number;
  requestsFailed: Record<string, number>;
  bytesToPeers: number;
  bytesToWorker: number;
  /** Incoming WebSocket messages: the unit the edge bills (20 count as one request). */
  messagesIn: number;
  framesDropped: number;
  routeChanges: number;
  refusals: Record<string, number>;
  peerUptimeMs: number;
  /** When the current run of having a primary began, as of the last flush. */
  primarySince: number | null;
  lastHeartbeatAt: number | null;
  rttSamples: number[];
  alarmWakeups: number;
  alarmSets: number;
  storageWrites: number;
  flushedAt: number | null;
}

/** The figures inspection and the Stats frame show. */
export interface StatsView extends Omit<StoredStats, 'rttSamples'> {
  openStreams: number;
  msSinceHeartbeat: number | null;
  rttP50Ms: number | null;
  rttP95Ms: number | null;
  rttSamples: number;
}

export function emptyStats(now: number): StoredStats {
  return {
    since: now,
    requestsSent: 0,
    requestsSucceeded: 0,
    requestsFailed: {},
    bytesToPeers: 0,
    bytesToWorker: 0,
    messagesIn: 0,
    framesDropped: 0,
    routeChanges: 0,
    refusals: {},
    peerUptimeMs: 0,
    primarySince: null,
    lastHeartbeatAt: null,
    rttSamples: [],
    alarmWakeups: 0,
    alarmSets: 0,
    storageWrites: 0,
    flushedAt: null,
  };
}

/** Nearest-rank percentile of unsorted samples; null without samples. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] ?? null;
}

type Counter = {
  [K in keyof StoredStats]: StoredStats[K] extends number ? K : never;
}[keyof StoredStats];

export class TenantStats {
  #stats: StoredStats;
  #primarySince: number | null = null;
  readonly #samplesKept: number;
  /** Counters changed since the last flush. */
  dirty = false;
  /** Only heartbeat or round-trip samples changed since the last flush. */
  softDirty = false;

  constructor(stored: StoredStats | undefined, now: number, samplesKept: number) {
    this.#stats = stored ? { ...emptyStats(now), ...stored } : emptyStats(now);
    this.#primarySince = this.#stats.primarySince;
    this.#samplesKept = samplesKept;
  }

  /**
   * After a wake-up: uptime runs on through hibernation while a primary is
   * still connected; after a restart (no primary left) it stops at the last
   * flush, the last moment a primary is known to have been there.
   */
  resume(hasPrimary: boolean, now: number): void {
    if (hasPrimary) this.primaryChanged(true, now);
    else this.primaryChanged(false, this.#stats.flushedAt ?? now);
  }

  add(counter: Counter, amount = 1): void {
    this.#stats[counter] += amount;
    this.dirty = true;
  }

  /** Counts without asking for a flush: billing and upkeep figures ride along. */
  addQuietly(counter: Counter, amount = 1): void {
    this.#stats[counter] += amount;
  }

  countFailure(code: string): void {
    bump(this.#stats.requestsFailed, code);
    this.dirty = true;
  }

  countRefusal(code: string): void {
    bump(this.#stats.refusals, code);
    this.dirty = true;
  }

  heartbeat(at: number, rttMs: number): void {
    this.#stats.lastHeartbeatAt = at;
    const samples = this.#stats.rttSamples;
    samples.push(Math.round(rttMs * 10) / 10);
    if (samples.length > this.#samplesKept) samples.splice(0, samples.length - this.#samplesKept);
    this.softDirty = true;
  }

  /** Peer uptime accrues while the tenant has a primary peer. */
  primaryChanged(hasPrimary: boolean, now: number): void {
    if (hasPrimary && this.#primarySince === null) this.#primarySince = now;
    if (!hasPrimary && this.#primarySince !== null) {
      this.#stats.peerUptimeMs += Math.max(0, now - this.#primarySince);
      this.#primarySince = null;
      this.dirty = true;
    }
  }

  /** The record to store; folds the running uptime in and clears the dirty marks. */
  snapshotForFlush(now: number): StoredStats {
    if (this.#primarySince !== null) {
      this.#stats.peerUptimeMs += now - this.#primarySince;
      this.#primarySince = now;
    }
    this.#stats.primarySince = this.#primarySince;
    this.#stats.flushedAt = now;
    this.dirty = false;
    this.softDirty = false;
    return structuredClone(this.#stats);
  }

  view(now: number, openStreams: number): StatsView {
    const { rttSamples, ...rest } = this.#stats;
    const running = this.#primarySince === null ? 0 : now - this.#primarySince;
    return {
      ...structuredClone(rest),
      peerUptimeMs: rest.peerUptimeMs + running,
      openStreams,
      msSinceHeartbeat: rest.lastHeartbeatAt === null ? null : now - rest.lastHeartbeatAt,
      rttP50Ms: percentile(rttSamples, 50),
      rttP95Ms: percentile(rttSamples, 95),
      rttSamples: rttSamples.length,
    };
  }
}

function bump(counts: Record<string, number>, code: string): void {
  counts[code] = (counts[code] ?? 0) + 1;
}
