import { createPublicKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createTestCa } from './test-ca.js';

describe('the test certificate authority', () => {
  const ca = createTestCa('Stand-in CA');
  const root = new X509Certificate(ca.cert);
  const leaf = new X509Certificate(
    ca.issue(['web.whatsapp.com', '*.whatsapp.net', '127.0.0.1', '::1']).cert,
  );

  it('is a root that signs its own certificate', () => {
    expect(root.ca).toBe(true);
    expect(root.subject).toBe('O=Pasarela tests\nCN=Stand-in CA');
    expect(root.verify(createPublicKey(ca.key))).toBe(true);
  });

  it('issues server certificates for names, wildcards and addresses', () => {
    expect(leaf.ca).toBe(false);
    expect(leaf.issuer).toBe('O=Pasarela tests\nCN=Stand-in CA');
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.subjectAltName).toBe(
      'DNS:web.whatsapp.com, DNS:*.whatsapp.net, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1',
    );
    expect(leaf.checkHost('mmg.whatsapp.net')).toBe('*.whatsapp.net');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
  });

  it('issues certificates valid from an hour ago for seven days by default', () => {
    const from = Date.parse(leaf.validFrom);
    const to = Date.parse(leaf.validTo);
    expect(Math.round((to - from) / 3_600_000)).toBe(7 * 24 + 1);
    expect(from).toBeLessThan(Date.now());
  });
});
