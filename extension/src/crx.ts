import { createHash, createPublicKey, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/*
 * CRX3, the package Chromium installs from a self-hosted update manifest
 * (components/crx_file/crx3.proto in Chromium): "Cr24", format version 3,
 * the header's length, a CrxFileHeader protobuf, then the zip. The header
 * carries the publisher's RSA public key, its signature, and the signed
 * data (the crx id). The signature covers "CRX3 SignedData\0", the signed
 * data's length (uint32 little-endian), the signed data and the zip.
 */
const MAGIC = Buffer.from('Cr24', 'latin1');
const SIGNED_PREFIX = Buffer.from('CRX3 SignedData\x00', 'latin1');
const FIELD_RSA_PROOF = 2;
const FIELD_SIGNED_DATA = 10_000;
const FIELD_PUBLIC_KEY = 1;
const FIELD_SIGNATURE = 2;
const FIELD_CRX_ID = 1;

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    bytes.push((rest & 0x7f) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  bytes.push(rest);
  return Buffer.from(bytes);
}

/** One length-delimited protobuf field. */
function field(number: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([varint(number * 8 + 2), varint(bytes.length), bytes]);
}

/** The length-delimited fields of a protobuf message, in order. */
function readFields(message: Uint8Array): { number: number; bytes: Buffer }[] {
  const data = Buffer.from(message);
  const out: { number: number; bytes: Buffer }[] = [];
  let at = 0;
  const next = (): number => {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = data[at++];
      if (byte === undefined) throw new Error('CRX header ends inside a number');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 0x80;
    }
  };
  while (at < data.length) {
    const key = next();
    if (key % 8 !== 2) throw new Error(`CRX header has a field of wire type ${key % 8}`);
    const length = next();
    out.push({ number: Math.floor(key / 8), bytes: data.subarray(at, at + length) });
    at += length;
  }
  return out;
}

function signedPayload(signedData: Uint8Array, zip: Uint8Array): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(signedData.length);
  return Buffer.concat([SIGNED_PREFIX, length, signedData, zip]);
}

/** The 16-byte crx id: the start of the SHA-256 of the public key (DER SubjectPublicKeyInfo). */
function crxId(publicKeyDer: Uint8Array): Buffer {
  return createHash('sha256').update(publicKeyDer).digest().subarray(0, 16);
}

/** Chromium's extension id: the crx id in hexadecimal written with the letters a to p. */
export function extensionIdOf(key: KeyObject): string {
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  return [...crxId(der).toString('hex')]
    .map((digit) => String.fromCharCode(97 + parseInt(digit, 16)))
    .join('');
}

/** Packs a zip as a CRX3 signed with an RSA private key. */
export function packCrx(zip: Uint8Array, privateKey: KeyObject): Buffer {
  if (privateKey.asymmetricKeyType !== 'rsa') throw new Error('a CRX is signed with an RSA key');
  const publicKeyDer = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const signedData = field(FIELD_CRX_ID, crxId(publicKeyDer));
  const signature = sign('sha256', signedPayload(signedData, zip), privateKey);
  const header = Buffer.concat([
    field(
      FIELD_RSA_PROOF,
      Buffer.concat([field(FIELD_PUBLIC_KEY, publicKeyDer), field(FIELD_SIGNATURE, signature)]),
    ),
    field(FIELD_SIGNED_DATA, signedData),
  ]);
  const prelude = Buffer.alloc(12);
  MAGIC.copy(prelude, 0);
  prelude.writeUInt32LE(3, 4);
  prelude.writeUInt32LE(header.length, 8);
  return Buffer.concat([prelude, header, zip]);
}

export interface CrxReading {
  readonly extensionId: string;
  /** Whether an RSA proof's key matches the crx id and its signature holds. */
  readonly verified: boolean;
  readonly zip: Buffer;
}

/** Reads a CRX3 and checks its publisher's proof as Chromium does. */
export function readCrx(crx: Uint8Array): CrxReading {
  const data = Buffer.from(crx);
  if (!data.subarray(0, 4).equals(MAGIC) || data.readUInt32LE(4) !== 3) {
    throw new Error('not a CRX3 file');
  }
  const headerLength = data.readUInt32LE(8);
  const header = data.subarray(12, 12 + headerLength);
  const zip = data.subarray(12 + headerLength);
  const fields = readFields(header);
  const signedData = fields.find((f) => f.number === FIELD_SIGNED_DATA)?.bytes;
  if (!signedData) throw new Error('the CRX header has no signed data');
  const id = readFields(signedData).find((f) => f.number === FIELD_CRX_ID)?.bytes;
  if (!id || id.length !== 16) throw new Error('the CRX header has no crx id');
  const payload = signedPayload(signedData, zip);
  const verified = fields
    .filter((f) => f.number === FIELD_RSA_PROOF)
    .some((proof) => {
      const parts = readFields(proof.bytes);
      const publicKey = parts.find((p) => p.number === FIELD_PUBLIC_KEY)?.bytes;
      const signature = parts.find((p) => p.number === FIELD_SIGNATURE)?.bytes;
      if (!publicKey || !signature || !crxId(publicKey).equals(id)) return false;
      const key = createPublicKey({ key: publicKey, format: 'der', type: 'spki' });
      return verify('sha256', payload, key, signature);
    });
  const extensionId = [...id.toString('hex')]
    .map((digit) => String.fromCharCode(97 + parseInt(digit, 16)))
    .join('');
  return { extensionId, verified, zip };
}

/** The update manifest Chromium fetches from `update_url` (Omaha's gupdate format). */
export function updateManifest(extensionId: string, version: string, crxUrl: string): string {
  const escape = (text: string) =>
    text
      .replace(/&/g, '&amp;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      .replace(/</g, '&lt;');
  return (
    `<?xml version='1.0' encoding='UTF-8'?>\n` +
    `<gupdate xmlns='http://www.google.com/update2/response' protocol='2.0'>\n` +
    `  <app appid='${escape(extensionId)}'>\n` +
    `    <updatecheck codebase='${escape(crxUrl)}' version='${escape(version)}' />\n` +
    `  </app>\n` +
    `</gupdate>\n`
  );
}
