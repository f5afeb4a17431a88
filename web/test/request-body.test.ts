import { describe, expect, it } from 'vitest';
import { RequestBody } from '../src/peer/request-body.js';

const signal = new AbortController().signal;

function body(expectedLength: number | null, grants: number[] = [], maxBuffered = 1 << 20) {
  return new RequestBody({
    window: 1_024 * 4,
    expectedLength,
    maxBuffered,
    grant: (bytes) => grants.push(bytes),
  });
}

function codeOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return (error as { code: string }).code;
  }
  return 'none';
}

describe('a request body from the worker', () => {
  it('refuses bytes beyond the credit granted with flow_control', () => {
    const received = body(null);
    received.push(new Uint8Array(4_096));
    expect(codeOf(() => received.push(new Uint8Array(1)))).toBe('flow_control');
  });

  it('refuses more bytes than announced, an End short of them, and Body after End', () => {
    expect(codeOf(() => body(2).push(new Uint8Array(3)))).toBe('bad_frame');
    const short = body(4);
    short.push(new Uint8Array(2));
    expect(codeOf(() => short.end())).toBe('bad_frame');
    const ended = body(0);
    ended.end();
    expect(codeOf(() => ended.push(new Uint8Array(1)))).toBe('bad_frame');
  });

  it('grants credit back as the bytes are taken, and assembles them whole', async () => {
    const grants: number[] = [];
    const received = body(6_000, grants);
    received.push(new Uint8Array(3_000).fill(1));
    const whole = received.whole(signal);
    await Promise.resolve();
    received.push(new Uint8Array(3_000).fill(2));
    received.end();
    const bytes = await whole;
    expect(bytes.byteLength).toBe(6_000);
    expect([bytes[0], bytes[5_999]]).toEqual([1, 2]);
    expect(grants.reduce((sum, grant) => sum + grant, 0)).toBe(6_000);
  });

  it('refuses to hold more than the cap with body_too_large', async () => {
    const received = body(null, [], 1_000);
    received.push(new Uint8Array(1_001));
    received.end();
    await expect(received.whole(signal)).rejects.toMatchObject({ code: 'body_too_large' });
  });

  it('streams one chunk per pull, and keeps them for a whole retry', async () => {
    const grants: number[] = [];
    const received = body(null, grants);
    const reader = received.stream(signal, true).getReader();
    received.push(new Uint8Array([1, 2]));
    expect([...((await reader.read()).value ?? [])]).toEqual([1, 2]);
    expect(grants).toEqual([2]);
    received.push(new Uint8Array([3]));
    received.end();
    expect(received.replayable).toBe(true);
    expect([...(await received.whole(signal))]).toEqual([1, 2, 3]);
  });
});
