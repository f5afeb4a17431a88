import { describe, expect, it } from 'vitest';
import { SESSION_DEFAULTS, parseSessionConfig } from '../../src/session/config.js';

describe('session configuration', () => {
  it('accepts the defaults as they are', () => {
    expect(parseSessionConfig()).toEqual({ ...SESSION_DEFAULTS });
  });

  it('merges given fields over the defaults', () => {
    expect(parseSessionConfig({ leaseDurationMs: 30_000, takeoverBoundMs: 40_000 })).toMatchObject({
      leaseDurationMs: 30_000,
      leaseRenewIntervalMs: 3_000,
      takeoverBoundMs: 40_000,
    });
  });

  it.each([
    [{ leaseDurationMs: -1 }, 'leaseDurationMs'],
    [{ leaseDurationMs: 1.5 }, 'leaseDurationMs'],
    [{ backoffBaseMs: '1000' }, 'backoffBaseMs'],
    [{ backoffJitter: 1.5 }, 'backoffJitter'],
    [{ loopThreshold: 1 }, 'loopThreshold'],
    [{ leaseRenewIntervalMs: 6_000 }, 'leaseRenewIntervalMs'],
    [{ takeoverBoundMs: 20_000 }, 'takeoverBoundMs'],
    [{ backoffMaxMs: 500 }, 'backoffMaxMs'],
    [{ loopBackoffMs: 10 }, 'loopBackoffMs'],
    [{ leaseDurationMS: 1 }, 'leaseDurationMS'],
  ])('refuses %o naming %s', (input, field) => {
    expect(() => parseSessionConfig(input)).toThrow(
      expect.objectContaining({ code: 'config_invalid', context: { field } }),
    );
    expect(() => parseSessionConfig(input)).toThrow(new RegExp(`^config_invalid: ${field}: `));
  });
});
