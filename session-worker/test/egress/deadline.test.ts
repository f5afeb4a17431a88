import { afterEach, describe, expect, it, vi } from 'vitest';
import { ExchangeDeadline, exchangeBudgetMs } from '../../src/egress/deadline.js';
import { EGRESS_DEFAULTS } from '../../src/egress/index.js';

const limits = { exchangeBaseMs: 1_000, minBytesPerSecond: 1_000 };

afterEach(() => {
  vi.useRealTimers();
});

describe('the budget of an exchange', () => {
  it.each([
    [0, 1_000],
    [500, 1_500],
    [1_001, 2_001],
    [60_000, 61_000],
  ])('is %s bytes → %s ms', (bytes, expected) => {
    expect(exchangeBudgetMs(bytes, limits)).toBe(expected);
  });

  it('gives a 5 MB media file 110 s with the defaults', () => {
    expect(exchangeBudgetMs(5 * 1024 * 1024, EGRESS_DEFAULTS.deadlines)).toBe(110_000);
  });
});

describe('one deadline over a whole exchange', () => {
  it('expires at the base when no body is known', () => {
    vi.useFakeTimers();
    const expired = vi.fn();
    new ExchangeDeadline(limits, expired);
    vi.advanceTimersByTime(999);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('grows by a declared length announced later', () => {
    vi.useFakeTimers();
    const expired = vi.fn();
    const deadline = new ExchangeDeadline(limits, expired);
    vi.advanceTimersByTime(500);
    deadline.declare(2_000);
    vi.advanceTimersByTime(2_499);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('grows with bytes moved when no length was declared', () => {
    vi.useFakeTimers();
    const expired = vi.fn();
    const deadline = new ExchangeDeadline(limits, expired);
    vi.advanceTimersByTime(900);
    deadline.moved(1_000);
    vi.advanceTimersByTime(1_099);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledTimes(1);
  });

  it('never fires once cleared', () => {
    vi.useFakeTimers();
    const expired = vi.fn();
    const deadline = new ExchangeDeadline(limits, expired);
    deadline.clear();
    vi.advanceTimersByTime(10_000);
    expect(expired).not.toHaveBeenCalled();
  });
});
