import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/ops/logger.js';
import { scrubText } from '../../src/ops/redact.js';

const KEY = 'psk_abcdefghijkl_0123456789abcdefghijABCDEFGHIJ0123456789-_x';

describe('log scrubbing', () => {
  it.each([
    [
      'a token in a URL',
      'GET /room?token=pt1.eyJhIjoxfQ.c2ln HTTP/1.1',
      'GET /room?token=[redacted] HTTP/1.1',
    ],
    ['a bare token', 'token pt1.eyJhIjoxfQ.c2ln expired', 'token pt1.[redacted] expired'],
    ['a tenant key', `key ${KEY} refused`, 'key psk_abcdefghijkl_[redacted] refused'],
    ['a webhook secret', 'secret whsec_0123456789abcdefABCDEF', 'secret whsec_[redacted]'],
    [
      'a media auth parameter',
      'https://mmg.whatsapp.net/v/t62/x.enc?ccb=11-4&auth=AbC123&oe=1',
      'https://mmg.whatsapp.net/v/t62/x.enc?ccb=11-4&auth=[redacted]&oe=1',
    ],
    [
      'a bearer header',
      'Authorization: Bearer abcdef0123456789',
      'Authorization: Bearer [redacted]',
    ],
    ['nothing secret', 'session status changed', 'session status changed'],
  ])('removes %s', (_, text, expected) => {
    expect(scrubText(text)).toBe(expected);
  });

  it('removes configured secrets wherever they appear', () => {
    expect(scrubText('admin key is s3cr3t-admin-key!', ['s3cr3t-admin-key'])).toBe(
      'admin key is [redacted]!',
    );
  });

  it('scrubs every line of the logger and its children, messages and fields alike', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = createLogger({
      level: 'debug',
      destination: sink,
      secrets: ['the-admin-key-123'],
    });
    const child = logger.child({ tenant: 't1' }).child({ class: 'baileys' });
    child.info(
      { url: 'https://x/y?auth=zzz', err: { message: `bad ${KEY}` } },
      'with the-admin-key-123',
    );
    child.warn({ creds: { noiseKey: 'secret' }, headers: { authorization: 'Bearer x' } }, 'fields');
    const text = lines.join('');
    expect(text).not.toContain('zzz');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('the-admin-key-123');
    expect(text).not.toContain('noiseKey');
    expect(text).toContain('"tenant":"t1"');
    expect(lines).toHaveLength(2);
  });
});
