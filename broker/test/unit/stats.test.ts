import { describe, expect, it } from 'vitest';
import { percentile, TenantStats } from '../../src/core/stats.js';
import { EventLog } from '../../src/core/events.js';

describe('stats', () => {
  it.each([
    [[], 50, null],
    [[7], 95, 7],
    [[30, 10, 20, 40], 50, 20],
    [[30, 10, 20, 40], 95, 40],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95, 10],
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50, 5],
  ])('the nearest-rank percentile of %j at p%i is %j', (samples, p, expected) => {
    expect(percentile(samples, p)).toBe(expected);
  });

  it('counts peer uptime only while a primary exists, across flushes', () => {
    const stats = new TenantStats(undefined, 0, 16);
    stats.primaryChanged(true, 1_000);
    expect(stats.snapshotForFlush(4_000).peerUptimeMs).toBe(3_000);
    stats.primaryChanged(false, 6_000);
    stats.primaryChanged(true, 10_000);
    expect(stats.view(10_500, 0).peerUptimeMs).toBe(5_500);
  });

  it('asks for a flush for counters but not for heartbeats or billing figures', () => {
    const stats = new TenantStats(undefined, 0, 16);
    stats.heartbeat(100, 12.34);
    stats.addQuietly('messagesIn', 5);
    expect([stats.dirty, stats.softDirty]).toEqual([false, true]);
    stats.add('requestsSent');
    expect(stats.dirty).toBe(true);
    const stored = stats.snapshotForFlush(200);
    expect(stored).toMatchObject({
      requestsSent: 1,
      messagesIn: 5,
      rttSamples: [12.3],
      flushedAt: 200,
    });
    expect([stats.dirty, stats.softDirty]).toEqual([false, false]);
  });

  it('keeps only the newest round-trip samples and events', () => {
    const stats = new TenantStats(undefined, 0, 3);
    for (const rtt of [10, 20, 30, 40]) stats.heartbeat(1, rtt);
    expect(stats.snapshotForFlush(2).rttSamples).toEqual([20, 30, 40]);
    const events = new EventLog(undefined, 2);
    for (const detail of ['one', 'two', 'three']) events.record({ at: 1, kind: 'state', detail });
    expect(events.list().map((event) => event.detail)).toEqual(['two', 'three']);
  });
});

describe('peer uptime across a wake-up', () => {
  it('runs on through hibernation while the primary stays connected', () => {
    const before = new TenantStats(undefined, 0, 16);
    before.primaryChanged(true, 1_000);
    const stored = before.snapshotForFlush(5_000);
    const after = new TenantStats(stored, 60_000, 16);
    after.resume(true, 60_000);
    expect(after.view(70_000, 0).peerUptimeMs).toBe(69_000);
  });

  it('stops at the last flush when a restart dropped the primary', () => {
    const before = new TenantStats(undefined, 0, 16);
    before.primaryChanged(true, 1_000);
    const stored = before.snapshotForFlush(5_000);
    const after = new TenantStats(stored, 60_000, 16);
    after.resume(false, 60_000);
    expect(after.view(70_000, 0).peerUptimeMs).toBe(4_000);
  });
});
