import { createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/**
 * The browser suite's own certificate authority, for the page host and the
 * room host (the stand-in brings its own for WhatsApp's names). Node can
 * verify certificates but not issue them, so the DER is written here:
 * ECDSA P-256, X.509 v3, a root with CA:true and keyCertSign, leaves with
 * DNS names and serverAuth, which is what Chromium's verifier asks for.
 */
export interface IssuedPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface SuiteCa {
  readonly certPem: string;
  issue(dnsNames: readonly string[]): IssuedPair;
}

// ITU-T X.690 DER: one tag byte, a definite length, the content.
function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  if (body.length < 0x80) return Buffer.concat([Buffer.from([tag, body.length]), body]);
  const size: number[] = [];
  for (let rest = body.length; rest > 0; rest >>= 8) size.unshift(rest & 0xff);
  return Buffer.concat([Buffer.from([tag, 0x80 | size.length, ...size]), body]);
}

const seq = (...items: Buffer[]) => der(0x30, ...items);

function objectId(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const base128 = [arc & 0x7f];
    for (let high = arc >>> 7; high > 0; high >>>= 7) base128.unshift(0x80 | (high & 0x7f));
    bytes.push(...base128);
  }
  return der(0x06, Buffer.from(bytes));
}

function positiveInteger(bytes: Buffer): Buffer {
  return der(0x02, (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function utcTime(at: Date): Buffer {
  const text = at
    .toISOString()
    .replace(/[-:T]|\.\d+/g, '')
    .slice(2);
  return der(0x17, Buffer.from(text, 'latin1'));
}

function bitString(bytes: Buffer, unused = 0): Buffer {
  return der(0x03, Buffer.from([unused]), bytes);
}

const OIDS = {
  ecdsaSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

function distinguishedName(commonName: string): Buffer {
  return seq(der(0x31, seq(objectId(OIDS.commonName), der(0x0c, Buffer.from(commonName)))));
}

function ext(id: string, critical: boolean, value: Buffer): Buffer {
  return seq(objectId(id), ...(critical ? [der(0x01, Buffer.from([0xff]))] : []), der(0x04, value));
}

function keyIdentifier(key: KeyObject): Buffer {
  return createHash('sha1')
    .update(key.export({ format: 'der', type: 'spki' }))
    .digest();
}

interface Signing {
  readonly subject: string;
  readonly subjectKey: KeyObject;
  readonly issuer: string;
  readonly issuerKey: KeyObject;
  readonly issuerPublic: KeyObject;
  readonly extensions: Buffer[];
}

const HOUR_MS = 3_600_000;

function certificate(spec: Signing): string {
  const algorithm = seq(objectId(OIDS.ecdsaSha256));
  const serial = randomBytes(16);
  // Positive and never a leading zero byte: DER integers are minimal, and OpenSSL refuses a
  // certificate whose serial starts 0x00 0x00–0x7f ("illegal padding").
  serial[0] = ((serial[0] ?? 0) & 0x7f) | 0x40;
  const now = Date.now();
  const toBeSigned = seq(
    der(0xa0, positiveInteger(Buffer.from([2]))),
    positiveInteger(serial),
    algorithm,
    distinguishedName(spec.issuer),
    // An hour back, so a clock a little behind still accepts it; two days ahead.
    seq(utcTime(new Date(now - HOUR_MS)), utcTime(new Date(now + 48 * HOUR_MS))),
    distinguishedName(spec.subject),
    spec.subjectKey.export({ format: 'der', type: 'spki' }),
    der(
      0xa3,
      seq(
        ...spec.extensions,
        ext(OIDS.subjectKeyId, false, der(0x04, keyIdentifier(spec.subjectKey))),
        ext(OIDS.authorityKeyId, false, seq(der(0x80, keyIdentifier(spec.issuerPublic)))),
      ),
    ),
  );
  const signed = seq(toBeSigned, algorithm, bitString(sign('sha256', toBeSigned, spec.issuerKey)));
  const base64 = signed.toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${base64.trimEnd()}\n-----END CERTIFICATE-----\n`;
}

/** A fresh root; every leaf it issues names its hosts and is valid for two days. */
export function createSuiteCa(commonName = 'Pasarela browser suite CA'): SuiteCa {
  const root = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const certPem = certificate({
    subject: commonName,
    subjectKey: root.publicKey,
    issuer: commonName,
    issuerKey: root.privateKey,
    issuerPublic: root.publicKey,
    extensions: [
      ext(OIDS.basicConstraints, true, seq(der(0x01, Buffer.from([0xff])))),
      // keyCertSign and cRLSign (bits 5 and 6).
      ext(OIDS.keyUsage, true, bitString(Buffer.from([0x06]), 1)),
    ],
  });
  return {
    certPem,
    issue(dnsNames) {
      const [first] = dnsNames;
      if (first === undefined) throw new Error('a leaf certificate needs a host name');
      const leaf = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      const names = dnsNames.map((name) => der(0x82, Buffer.from(name, 'latin1')));
      return {
        certPem: certificate({
          subject: first,
          subjectKey: leaf.publicKey,
          issuer: commonName,
          issuerKey: root.privateKey,
          issuerPublic: root.publicKey,
          extensions: [
            ext(OIDS.basicConstraints, true, seq()),
            // digitalSignature (bit 0).
            ext(OIDS.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
            ext(OIDS.extKeyUsage, false, seq(objectId(OIDS.serverAuth))),
            ext(OIDS.subjectAltName, false, seq(...names)),
          ],
        }),
        keyPem: leaf.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      };
    },
  };
}
