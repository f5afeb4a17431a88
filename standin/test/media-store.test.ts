import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StandinError } from '../src/errors.js';
import { MediaStore } from '../src/media/store.js';

function query(directPath: string): URLSearchParams {
  return new URL(directPath, 'https://mmg.whatsapp.net').searchParams;
}

describe('the media store', () => {
  it('is content-addressed: the same bytes uploaded twice are one file', () => {
    const store = new MediaStore(1024);
    const bytes = Buffer.from('encrypted file');
    const first = store.put(bytes, { account: '15550100001', kind: 'image' });
    const again = store.put(bytes, { account: '15550100001', kind: 'image' });
    expect(again.directPath).toBe(first.directPath);
    expect(first.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(store.list()).toHaveLength(1);
  });

  it('shapes direct paths like the CDN and signs them', () => {
    const store = new MediaStore(1024);
    const media = store.put(Buffer.from('x'), { account: null, kind: 'document' });
    expect(media.directPath).toMatch(
      /^\/v\/t62\.7119-24\/\d+_\d+_\d+_n\.enc\?ccb=11-4&oh=01_[\w-]+&oe=[0-9A-F]+&_nc_sid=5e03e0$/,
    );
    const params = query(media.directPath);
    expect(store.linkValid(media.pathname, params.get('oh'), params.get('oe'))).toBe(true);
    expect(store.linkValid(media.pathname, `${params.get('oh')}x`, params.get('oe'))).toBe(false);
    expect(store.linkValid(media.pathname, params.get('oh'), '1')).toBe(false);
  });

  it('refuses uploads past its byte limit', () => {
    const store = new MediaStore(10);
    store.put(Buffer.alloc(8, 1), { account: null, kind: 'image' });
    expect(() => store.put(Buffer.alloc(8, 2), { account: null, kind: 'image' })).toThrow(
      StandinError,
    );
  });
});
