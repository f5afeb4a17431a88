import { describe, expect, it } from 'vitest';
import { compileHostMap } from '../../src/egress/index.js';
import { parseAllowlist } from '../../src/messages/allowlist.js';
import { UrlGuard, type ResolvedAddress } from '../../src/messages/url-guard.js';

/** Names resolve through this table only: no resolver is ever asked. */
const DNS: Record<string, string[]> = {
  'cdn.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
  'rebind.example.com': ['93.184.216.34', '10.0.0.8'],
  'intranet.example.com': ['192.168.1.20'],
  'cloud-meta.example.com': ['169.254.169.254'],
  'nat64.example.com': ['64:ff9b::a00:1'],
  'cgnat.example.com': ['100.64.3.4'],
};

const resolve = async (host: string): Promise<ResolvedAddress[]> => {
  const found = DNS[host];
  if (!found) throw Object.assign(new Error(`no ${host}`), { code: 'ENOTFOUND' });
  return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const guard = (allow = '', hostMap?: Record<string, string>) =>
  new UrlGuard({
    allowlist: parseAllowlist(allow),
    hostMap: hostMap ? compileHostMap(hostMap) : undefined,
    resolve,
  });

const verdict = async (g: UrlGuard, url: string) => {
  try {
    const v = await g.check(g.parse(url));
    return {
      allowed: true,
      allowlisted: v.allowlisted,
      addresses: v.addresses.map((a) => a.address),
    };
  } catch (error) {
    return { refused: (error as { code: string }).code };
  }
};

describe('the URL guard', () => {
  it.each([
    [
      'https://cdn.example.com/a.jpg',
      { allowed: true, allowlisted: false, addresses: DNS['cdn.example.com'] },
    ],
    [
      'https://93.184.216.34/a.jpg',
      { allowed: true, allowlisted: false, addresses: ['93.184.216.34'] },
    ],
    ['http://cdn.example.com/a.jpg', { refused: 'url_not_allowed' }],
    ['ftp://cdn.example.com/a.jpg', { refused: 'url_not_allowed' }],
    ['file:///etc/passwd', { refused: 'url_not_allowed' }],
    ['/etc/passwd', { refused: 'url_not_allowed' }],
    ['https://user:pass@cdn.example.com/a.jpg', { refused: 'url_not_allowed' }],
    ['https://127.0.0.1/a', { refused: 'host_not_allowed' }],
    ['https://[::1]/a', { refused: 'host_not_allowed' }],
    ['https://10.1.2.3/a', { refused: 'host_not_allowed' }],
    ['https://172.16.0.1/a', { refused: 'host_not_allowed' }],
    ['https://192.168.0.1/a', { refused: 'host_not_allowed' }],
    ['https://169.254.169.254/latest/meta-data/', { refused: 'host_not_allowed' }],
    ['https://[fd00:ec2::254]/latest/', { refused: 'host_not_allowed' }],
    ['https://[fe80::1]/a', { refused: 'host_not_allowed' }],
    ['https://[::ffff:127.0.0.1]/a', { refused: 'host_not_allowed' }],
    ['https://0.0.0.0/a', { refused: 'host_not_allowed' }],
    ['https://2130706433/a', { refused: 'host_not_allowed' }],
    ['https://0x7f.1/a', { refused: 'host_not_allowed' }],
    ['https://intranet.example.com/a', { refused: 'host_not_allowed' }],
    ['https://cloud-meta.example.com/a', { refused: 'host_not_allowed' }],
    ['https://nat64.example.com/a', { refused: 'host_not_allowed' }],
    ['https://cgnat.example.com/a', { refused: 'host_not_allowed' }],
    ['https://rebind.example.com/a', { refused: 'host_not_allowed' }],
    ['https://unknown.example.com/a', { refused: 'fetch_failed' }],
  ])('judges %s', async (url, expected) => {
    expect(await verdict(guard(), url)).toEqual(expected);
  });

  it('lets the allowlist name a host, a suffix, an address or a block', async () => {
    expect(await verdict(guard('intranet.example.com'), 'https://intranet.example.com/a')).toEqual({
      allowed: true,
      allowlisted: true,
      addresses: ['192.168.1.20'],
    });
    expect(await verdict(guard('*.example.com'), 'https://intranet.example.com/a')).toMatchObject({
      allowed: true,
    });
    expect(await verdict(guard('192.168.1.0/24'), 'https://intranet.example.com/a')).toMatchObject({
      allowed: true,
    });
    expect(await verdict(guard('10.1.2.3'), 'https://10.1.2.3/a')).toMatchObject({ allowed: true });
    expect(await verdict(guard('192.168.2.0/24'), 'https://intranet.example.com/a')).toEqual({
      refused: 'host_not_allowed',
    });
    expect(await verdict(guard('example.com'), 'https://intranet.example.com/a')).toEqual({
      refused: 'host_not_allowed',
    });
  });

  it(
    'resolves names the development host map ' + 'covers to its address, and still judges it',
    async () => {
      const map = { 'media.test': '127.0.0.1:8443' };
      expect(await verdict(guard('', map), 'https://media.test/a')).toEqual({
        refused: 'host_not_allowed',
      });
      const allowed = guard('media.test', map);
      const checked = await allowed.check(allowed.parse('https://media.test/a'));
      expect(checked).toMatchObject({ mapped: true, allowlisted: true, port: 8443 });
    },
  );
});

describe('the allowlist', () => {
  it.each([
    ['10.0.0.0/8', 'x', '10.200.3.4', true],
    ['10.0.0.0/8', 'x', '11.0.0.1', false],
    ['fd00::/8', 'x', 'fd12::1', true],
    ['fd00::/8', 'x', '10.0.0.1', false],
    ['10.0.0.7', 'x', '::ffff:10.0.0.7', true],
    ['*.internal', 'cdn.internal', '10.0.0.1', true],
    ['*.internal', 'internal', '10.0.0.1', false],
    ['media.internal', 'MEDIA.internal.', '10.0.0.1', true],
    ['', 'anything', '10.0.0.1', false],
  ])('%s with host %s at %s allows: %s', (text, host, address, allows) => {
    expect(parseAllowlist(text).allows(host, address)).toBe(allows);
  });

  it.each([['10.0.0.0/40'], ['999.1.1.1'], ['*.'], ['exa_mple.com'], ['http://x.com']])(
    'refuses the entry %s naming it',
    (entry) => {
      expect(() => parseAllowlist(entry)).toThrow(`"${entry}"`);
    },
  );
});
