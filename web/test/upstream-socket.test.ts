import { describe, expect, it } from 'vitest';
import { canStreamRequestBodies } from '../src/peer/index.js';
import { closeReason, pageCloseCode } from '../src/peer/upstream-socket.js';

describe('closing an upstream WebSocket from a page', () => {
  it.each([
    [1000, 1000],
    [1001, 1000],
    [1009, 1000],
    [2999, 1000],
    [3000, 3000],
    [4321, 4321],
    [4999, 4999],
  ])('close code %i is sent as %i', (code, sent) => {
    expect(pageCloseCode(code)).toBe(sent);
  });

  it('cuts a reason to 123 bytes without splitting a character', () => {
    expect(new TextEncoder().encode(closeReason('ñ'.repeat(100))).byteLength).toBe(122);
    expect(closeReason('bye')).toBe('bye');
  });
});

describe('request streaming', () => {
  it('is available in Node 20', () => {
    expect(canStreamRequestBodies()).toBe(true);
  });
});
