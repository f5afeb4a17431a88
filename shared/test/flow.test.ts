import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors.js';
import { ReceiveWindow, SendCredit } from '../src/flow.js';
import { FrameOutbox } from '../src/outbox.js';
import { FrameType } from '../src/frame.js';

describe('flow control', () => {
  it('lets a sender spend only the credit it was granted', () => {
    const credit = new SendCredit(100);
    expect(credit.tryConsume(60)).toBe(true);
    expect(credit.tryConsume(60)).toBe(false);
    credit.grant(20);
    expect(credit.tryConsume(60)).toBe(true);
    expect(credit.available).toBe(0);
  });

  it('refuses bytes past the window with flow_control', () => {
    const window = new ReceiveWindow(100);
    window.received(100);
    expect(() => window.received(1)).toThrow(ProtocolError);
    try {
      window.received(1);
    } catch (error) {
      expect((error as ProtocolError).code).toBe('flow_control');
    }
  });

  it('returns credit in batches of at least half a window while data is pending', () => {
    const window = new ReceiveWindow(100);
    window.received(80);
    expect(window.consumed(30)).toBe(0);
    expect(window.consumed(25)).toBe(55);
    expect(window.remaining).toBe(75);
  });

  it('returns the last credit once everything received was consumed', () => {
    const window = new ReceiveWindow(100);
    window.received(10);
    expect(window.consumed(10)).toBe(10);
    expect(window.remaining).toBe(100);
  });
});

describe('the two-lane outbox', () => {
  it('sends control frames and WebSocket messages before bulk body chunks', () => {
    const outbox = new FrameOutbox();
    const frame = (type: number, tag: number) => Uint8Array.of(1, type, 0, tag);
    outbox.pushFrame(frame(FrameType.Body, 1));
    outbox.pushFrame(frame(FrameType.Body, 2));
    outbox.pushFrame(frame(FrameType.WsMessage, 3));
    outbox.pushFrame(frame(FrameType.Ping, 4));
    outbox.pushFrame(frame(FrameType.Body, 5));
    const order: number[] = [];
    for (let item = outbox.shift(); item; item = outbox.shift()) order.push(item[3]!);
    expect(order).toEqual([3, 4, 1, 2, 5]);
    expect(outbox.size).toBe(0);
  });
});
