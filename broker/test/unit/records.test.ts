import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { BROKER_DEFAULTS } from '../../src/core/config.js';
import { newRecord } from '../../src/core/records.js';
import type { StreamTuple } from '../../src/core/records.js';

// A hibernatable socket's attachment holds at most 16 KiB, serialised the
// way V8 structured clone does; partyserver keeps the connection URL (with
// its token, at most 2 KiB) in the same attachment.
const ATTACHMENT_LIMIT = 16 * 1024;

describe('connection records', () => {
  it('fit well inside a socket attachment with the largest stream table allowed', () => {
    const worker = newRecord('w-abcdefghijkl', 'worker', {
      clientId: null,
      connectedAt: 1_767_225_600_000,
      userAgent: 'x'.repeat(512),
      epoch: Number.MAX_SAFE_INTEGER,
    });
    const largest = 128; // the upper bound of BROKER_CONFIG.maxOpenStreams
    worker.streams = Array.from({ length: largest }, (_, index): StreamTuple => [
      0xffff_fff0 + (index % 15),
      0xffff_ffff,
      'p-abcdefghijkl',
      1,
      1_767_225_600_000 + index,
      15,
    ]);
    const attachment = {
      __pk: {
        id: 'x'.repeat(36),
        tags: ['x'.repeat(36)],
        uri: `https://broker/parties/tunnel/t?token=${'t'.repeat(2_048)}`,
      },
      __user: worker,
    };
    const size = serialize(attachment).byteLength;
    console.log(`worker attachment with ${largest} streams: ${size} bytes of ${ATTACHMENT_LIMIT}`);
    expect(size).toBeLessThan(ATTACHMENT_LIMIT * 0.6);
    expect(BROKER_DEFAULTS.maxOpenStreams).toBeLessThanOrEqual(largest);
  });
});
