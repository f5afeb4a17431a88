import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../src/events/webhooks/backoff.js';
import { signWebhook, verifyWebhook } from '../../src/events/webhooks/signature.js';

describe('webhook signatures', () => {
  const secret = 'whsec_test-secret';
  const body = '{"id":7,"type":"message.received"}';

  it('are HMAC-SHA256 over the timestamp and the body', () => {
    // Computed once with `openssl dgst -sha256 -hmac whsec_test-secret` over `1700000000.<body>`.
    expect(signWebhook(secret, body, 1_700_000_000)).toBe(
      't=1700000000,v1=723ea7cd1db21868016734f5bad625a74b16f5bb3657a146fbcd5b902926affa',
    );
  });

  it('verify with the secret, within the tolerance, for the same body only', () => {
    const header = signWebhook(secret, body, 1_700_000_000);
    expect(verifyWebhook(secret, body, header, 1_700_000_100)).toBe(true);
    expect(verifyWebhook(secret, `${body} `, header, 1_700_000_100)).toBe(false);
    expect(verifyWebhook('whsec_other', body, header, 1_700_000_100)).toBe(false);
    expect(verifyWebhook(secret, body, header, 1_700_000_301)).toBe(false);
    expect(verifyWebhook(secret, body, 'v1=00', 1_700_000_000)).toBe(false);
  });
});

describe('webhook retry delays', () => {
  it.each([
    [1, 0, 1_000],
    [2, 0, 2_000],
    [3, 0, 4_000],
    [10, 0, 60_000],
    [3, 1, 3_200],
  ])('after %i failures with random %d: %i ms', (failures, random, expected) => {
    expect(retryDelayMs(failures, 1_000, 60_000, () => random)).toBe(expected);
  });
});
