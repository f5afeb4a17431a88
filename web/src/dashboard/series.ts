import type { Inspection } from '@pasarela/broker';
import type { RouteName, TenantStatus } from '@pasarela/shared';

/**
 * The time series the charts draw, built from successive inspections of
 * one room: the room reports counters since it started, the dashboard
 * turns their differences into rates.
 */
export interface Sample {
  /** Seconds since the epoch (uPlot's time unit), on the room's clock. */
  readonly at: number;
  /** Bytes per second both ways since the previous sample; null for the first. */
  readonly throughput: number | null;
  readonly rttP50Ms: number | null;
  readonly rttP95Ms: number | null;
  /** Failed requests per catalogue code, as counted since the room's stats began. */
  readonly failed: Readonly<Record<string, number>>;
}

export interface RouteChange {
  readonly at: number;
  readonly leg: 'websocket' | 'download' | 'upload';
  readonly from: RouteName;
  readonly to: RouteName;
}

export const SERIES_DEFAULTS = { keptSamples: 180, keptRouteChanges: 50 } as const;

function totalBytes(room: Inspection): number {
  return room.stats.bytesToPeers + room.stats.bytesToWorker;
}

export class RoomSeries {
  readonly samples: Sample[] = [];
  readonly routeChanges: RouteChange[] = [];
  #last: Inspection | null = null;

  /** Adds one inspection; one taken at the same room time as the last is ignored. */
  add(room: Inspection): void {
    const last = this.#last;
    if (last && room.now <= last.now) return;
    let throughput: number | null = null;
    if (last) {
      // A room that restarted counts from zero again: no negative rate.
      const bytes = Math.max(0, totalBytes(room) - totalBytes(last));
      throughput = bytes / ((room.now - last.now) / 1000);
    }
    this.samples.push({
      at: room.now / 1000,
      throughput,
      rttP50Ms: room.stats.rttP50Ms,
      rttP95Ms: room.stats.rttP95Ms,
      failed: { ...room.stats.requestsFailed },
    });
    this.samples.splice(0, Math.max(0, this.samples.length - SERIES_DEFAULTS.keptSamples));
    if (last) this.#noteRoutes(last.tenantStatus, room.tenantStatus, room.now);
    this.#last = room;
  }

  /** Every failure code seen, sorted, so each keeps its series across redraws. */
  failureCodes(): string[] {
    const codes = new Set<string>();
    for (const sample of this.samples)
      for (const code of Object.keys(sample.failed)) codes.add(code);
    return [...codes].sort();
  }

  #noteRoutes(before: TenantStatus | null, after: TenantStatus | null, at: number): void {
    if (!before || !after) return;
    for (const leg of ['websocket', 'download', 'upload'] as const) {
      if (before.routes[leg] !== after.routes[leg]) {
        this.routeChanges.unshift({ at, leg, from: before.routes[leg], to: after.routes[leg] });
      }
    }
    this.routeChanges.splice(SERIES_DEFAULTS.keptRouteChanges);
  }
}
