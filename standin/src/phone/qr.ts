import { StandinError } from '../errors.js';

/** What a phone reads from a companion's pairing QR code. */
export interface PairingQr {
  /** The ref the server handed the registering connection. */
  readonly ref: string;
  /** The companion's Noise static key, which its later logins must present. */
  readonly noiseKey: Buffer;
  /** The companion's Signal identity key. */
  readonly identityKey: Buffer;
  /** The ADV secret that keys the HMAC over the device identity. */
  readonly advSecret: Buffer;
  readonly platformId: string;
}

const QR_PREFIX = 'https://wa.me/settings/linked_devices#';

function key32(value: string | undefined, field: string): Buffer {
  const bytes = Buffer.from(value ?? '', 'base64');
  if (bytes.length !== 32) {
    throw new StandinError('qr_malformed', `${field} is not 32 bytes of base64`, { field });
  }
  return bytes;
}

/**
 * Parses `https://wa.me/settings/linked_devices#ref,noiseKey,identityKey,advSecret,platform`
 * (Baileys' `buildPairingQRData`). Base64 has no commas, so a plain split is exact.
 */
export function parsePairingQr(qr: string): PairingQr {
  if (typeof qr !== 'string' || !qr.startsWith(QR_PREFIX)) {
    throw new StandinError('qr_malformed', 'not a linked-devices QR string');
  }
  const parts = qr.slice(QR_PREFIX.length).split(',');
  if (parts.length !== 5 || !parts[0]) {
    throw new StandinError(
      'qr_malformed',
      `expected 5 comma-separated fields, got ${parts.length}`,
    );
  }
  return {
    ref: parts[0],
    noiseKey: key32(parts[1], 'noiseKey'),
    identityKey: key32(parts[2], 'identityKey'),
    advSecret: key32(parts[3], 'advSecret'),
    platformId: parts[4] ?? '',
  };
}
