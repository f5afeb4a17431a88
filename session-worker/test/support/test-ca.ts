import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * A certificate authority of the test's own, made with node:crypto alone:
 * P-256 keys, X.509 v3 certificates written out in DER here (Node 20 can
 * parse and verify certificates but not issue them). The CA is a proper
 * root (basic constraints CA, key usage keyCertSign) so Node, OpenSSL and
 * NSS (Chromium) all accept it; leaves carry DNS and IP subject names and
 * the server-auth usage.
 */

export interface IssuedCertificate {
  readonly cert: string;
  readonly key: string;
}

export interface TestCa {
  /** PEM of the root, to trust. */
  readonly cert: string;
  readonly key: string;
  /** A server certificate for host names and IP addresses. */
  issue(subjectNames: readonly string[], options?: { days?: number }): IssuedCertificate;
}

// DER, ITU-T X.690: tag, length, content.
function tlv(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let head: Buffer;
  if (length < 0x80) {
    head = Buffer.from([tag, length]);
  } else {
    const bytes: number[] = [];
    for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
    head = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([head, content]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octets = (content: Buffer) => tlv(0x04, content);
const bits = (content: Buffer, unusedBits = 0) =>
  tlv(0x03, Buffer.concat([Buffer.from([unusedBits]), content]));
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const explicit = (tagNumber: number, content: Buffer) => tlv(0xa0 | tagNumber, content);
const boolean = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));

function integer(value: Buffer): Buffer {
  let bytes = value;
  while (bytes.length > 1 && bytes[0] === 0 && bytes[1]! < 0x80) bytes = bytes.subarray(1);
  // A leading bit of one would read as negative.
  if (bytes[0]! >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const group = [part & 0x7f];
    for (let rest = Math.floor(part / 128); rest > 0; rest = Math.floor(rest / 128)) {
      group.unshift(0x80 | (rest & 0x7f));
    }
    bytes.push(...group);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function time(date: Date): Buffer {
  const text = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  // UTCTime until 2049, GeneralizedTime after (RFC 5280, section 4.1.2.5).
  return date.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(text.slice(2), 'latin1'))
    : tlv(0x18, Buffer.from(text, 'latin1'));
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

function name(commonName: string): Buffer {
  return sequence(
    set(sequence(oid(OID.organization), utf8('Pasarela tests'))),
    set(sequence(oid(OID.commonName), utf8(commonName))),
  );
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(oid(id), boolean(true), octets(value))
    : sequence(oid(id), octets(value));
}

function keyId(publicKey: KeyObject): Buffer {
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([4]),
    Buffer.from(jwk.x!, 'base64url'),
    Buffer.from(jwk.y!, 'base64url'),
  ]);
  return createHash('sha1').update(point).digest();
}

function subjectAltNames(names: readonly string[]): Buffer {
  const entries = names.map((entry) => {
    const family = isIP(entry);
    if (family === 4) return tlv(0x87, Buffer.from(entry.split('.').map(Number)));
    if (family === 6) {
      const groups = expandIPv6(entry);
      return tlv(0x87, Buffer.from(groups.flatMap((group) => [group >> 8, group & 0xff])));
    }
    return tlv(0x82, Buffer.from(entry, 'latin1'));
  });
  return sequence(...entries);
}

function expandIPv6(address: string): number[] {
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':').map((part) => parseInt(part, 16)) : [];
  const right = tail ? tail.split(':').map((part) => parseInt(part, 16)) : [];
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

interface CertificateSpec {
  subject: string;
  subjectKey: KeyObject;
  issuer: string;
  issuerKey: KeyObject;
  issuerPublicKey: KeyObject;
  days: number;
  extensions: Buffer[];
}

function certificate(spec: CertificateSpec): string {
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const now = Date.now();
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(randomBytes(16)),
    algorithm,
    name(spec.issuer),
    sequence(time(new Date(now - 3_600_000)), time(new Date(now + spec.days * 86_400_000))),
    name(spec.subject),
    spec.subjectKey.export({ format: 'der', type: 'spki' }),
    explicit(
      3,
      sequence(
        ...spec.extensions,
        extension(OID.subjectKeyIdentifier, false, octets(keyId(spec.subjectKey))),
        extension(
          OID.authorityKeyIdentifier,
          false,
          sequence(tlv(0x80, keyId(spec.issuerPublicKey))),
        ),
      ),
    ),
  );
  const signature = sign('sha256', tbs, spec.issuerKey);
  const der = sequence(tbs, algorithm, bits(signature));
  const lines = der.toString('base64').match(/.{1,64}/g)!;
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

function keyPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function createTestCa(commonName = 'Pasarela Test CA'): TestCa {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const cert = certificate({
    subject: commonName,
    subjectKey: publicKey,
    issuer: commonName,
    issuerKey: privateKey,
    issuerPublicKey: publicKey,
    days: 30,
    extensions: [
      extension(OID.basicConstraints, true, sequence(boolean(true))),
      // digitalSignature, keyCertSign, cRLSign: bits 0, 5, 6.
      extension(OID.keyUsage, true, bits(Buffer.from([0x86]), 1)),
    ],
  });
  return {
    cert,
    key: keyPem(privateKey),
    issue(subjectNames, options = {}) {
      if (subjectNames.length === 0) throw new Error('a certificate needs at least one name');
      const leaf = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const leafCert = certificate({
        subject: subjectNames[0]!,
        subjectKey: leaf.publicKey,
        issuer: commonName,
        issuerKey: privateKey,
        issuerPublicKey: publicKey,
        days: options.days ?? 7,
        extensions: [
          extension(OID.basicConstraints, true, sequence()),
          // digitalSignature: bit 0.
          extension(OID.keyUsage, true, bits(Buffer.from([0x80]), 7)),
          extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth))),
          extension(OID.subjectAltName, false, subjectAltNames(subjectNames)),
        ],
      });
      return { cert: leafCert, key: keyPem(leaf.privateKey) };
    },
  };
}
