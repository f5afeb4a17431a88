import type { Inspection } from '@pasarela/broker';
import { describe, expect, it } from 'vitest';
import { RoomSeries } from '../../../src/dashboard/series.js';
import { status } from './fixtures.js';

function room(now: number, overrides: Partial<Inspection['stats']> = {}, tenantStatus = status()) {
  return {
    tenant: 'pizzeria-1',
    now,
    tenantStatus,
    stats: {
      bytesToPeers: 0,
      bytesToWorker: 0,
      rttP50Ms: 30,
      rttP95Ms: 80,
      requestsFailed: {},
      ...overrides,
    },
  } as unknown as Inspection;
}

describe("the dashboard's time series", () => {
  it('turns byte counters into a rate between two readings', () => {
    const series = new RoomSeries();
    series.add(room(10_000, { bytesToPeers: 1_000, bytesToWorker: 1_000 }));
    series.add(room(12_000, { bytesToPeers: 3_000, bytesToWorker: 21_000 }));
    expect(series.samples.map((sample) => [sample.at, sample.throughput])).toEqual([
      [10, null],
      [12, 11_000],
    ]);
  });

  it('reads a room that restarted as no traffic, never a negative rate', () => {
    const series = new RoomSeries();
    series.add(room(10_000, { bytesToPeers: 50_000 }));
    series.add(room(11_000, { bytesToPeers: 10 }));
    expect(series.samples.at(-1)?.throughput).toBe(0);
  });

  it('ignores a reading no newer than the last', () => {
    const series = new RoomSeries();
    series.add(room(10_000));
    series.add(room(10_000));
    expect(series.samples).toHaveLength(1);
  });

  it('keeps failures by code and lists every code seen', () => {
    const series = new RoomSeries();
    series.add(room(1_000, { requestsFailed: { upstream_timeout: 1 } }));
    series.add(room(2_000, { requestsFailed: { browser_cors: 2, upstream_timeout: 1 } }));
    expect(series.failureCodes()).toEqual(['browser_cors', 'upstream_timeout']);
    expect(series.samples.at(-1)?.failed).toEqual({ browser_cors: 2, upstream_timeout: 1 });
  });

  it('notes each route that changed between readings, newest first', () => {
    const series = new RoomSeries();
    series.add(room(1_000, {}, status()));
    series.add(
      room(
        2_000,
        {},
        status({ routes: { websocket: 'direct', download: 'direct', upload: 'tunnel' } }),
      ),
    );
    expect(series.routeChanges).toEqual([
      { at: 2_000, leg: 'download', from: 'tunnel', to: 'direct' },
      { at: 2_000, leg: 'websocket', from: 'tunnel', to: 'direct' },
    ]);
  });
});
