import type { StreamMessage } from '@pasarela/shared';
import { describe, expect, it } from 'vitest';
import type { EgressError } from '../../../src/egress/index.js';
import { SampleWindow } from '../../../src/tunnel/index.js';
import { StreamTable } from '../../../src/tunnel/streams/stream-table.js';
import type { StreamDrop, StreamEndpoint } from '../../../src/tunnel/streams/stream-table.js';

function endpoint(streamId: number, connectionId: number, generation = 1) {
  const delivered: StreamMessage[] = [];
  const lost: EgressError[] = [];
  const value: StreamEndpoint = {
    streamId,
    connectionId,
    generation,
    deliver: (message) => delivered.push(message),
    linkLost: (error) => lost.push(error),
  };
  return { value, delivered, lost };
}

function table() {
  const drops: StreamDrop[] = [];
  return { table: new StreamTable((reason) => drops.push(reason)), drops };
}

const end = (streamId: number, connectionId: number): StreamMessage => ({
  kind: 'end',
  streamId,
  connectionId,
});

describe('the stream table', () => {
  it('delivers a frame to its stream when the connection id matches', () => {
    const { table: streams, drops } = table();
    const open = endpoint(streams.allocate(), 7);
    streams.add(open.value);
    streams.deliver(end(open.value.streamId, 7));
    expect(open.delivered).toEqual([end(open.value.streamId, 7)]);
    expect(drops).toEqual([]);
  });

  it('drops and counts a frame of another upstream connection on the same stream id', () => {
    const { table: streams, drops } = table();
    const open = endpoint(streams.allocate(), 7);
    streams.add(open.value);
    streams.deliver(end(open.value.streamId, 6));
    expect(open.delivered).toEqual([]);
    expect(drops).toEqual(['connection-mismatch']);
  });

  it('tells a late frame of an ended stream from one of a stream it never had', () => {
    const { table: streams, drops } = table();
    const open = endpoint(streams.allocate(), 7);
    streams.add(open.value);
    streams.remove(open.value);
    streams.deliver(end(open.value.streamId, 7));
    streams.deliver(end(999, 7));
    expect(drops).toEqual(['stream-ended', 'unknown-stream']);
  });

  it('does not count credit that crossed the end of its stream', () => {
    const { table: streams, drops } = table();
    const open = endpoint(streams.allocate(), 7);
    streams.add(open.value);
    streams.remove(open.value);
    streams.deliver({ kind: 'credit', streamId: open.value.streamId, connectionId: 7, bytes: 10 });
    expect(drops).toEqual([]);
  });

  it('keeps stream ids unique while open', () => {
    const { table: streams } = table();
    const first = endpoint(streams.allocate(), 1);
    streams.add(first.value);
    const second = streams.allocate();
    expect(second).not.toBe(first.value.streamId);
  });

  it('ends only the streams of the socket generation that went away', () => {
    const { table: streams } = table();
    const old = endpoint(streams.allocate(), 3, 1);
    streams.add(old.value);
    const current = endpoint(streams.allocate(), 4, 2);
    streams.add(current.value);
    streams.endGeneration(1, { code: 'tunnel_lost' } as EgressError);
    expect(old.lost).toHaveLength(1);
    expect(current.lost).toEqual([]);
  });
});

describe('round-trip figures', () => {
  it('give nearest-rank p50 and p95 over the newest samples', () => {
    const window = new SampleWindow(20);
    for (let ms = 1; ms <= 20; ms += 1) window.add(ms * 10);
    expect(window.figures()).toEqual({ count: 20, lastMs: 200, p50Ms: 100, p95Ms: 190 });
    window.add(1_000);
    expect(window.figures()).toMatchObject({ count: 20, lastMs: 1_000, p95Ms: 200 });
  });

  it('have no figure before the first sample', () => {
    expect(new SampleWindow(8).figures()).toEqual({
      count: 0,
      lastMs: null,
      p50Ms: null,
      p95Ms: null,
    });
  });
});
