import { createCipheriv, createDecipheriv, hkdfSync, pbkdf2, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const pbkdf2Async = promisify(pbkdf2);

/** WhatsApp's pairing-code key derivation: PBKDF2-SHA256, 2 << 16 rounds, 32 bytes. */
const CODE_ROUNDS = 2 << 16;
const BUNDLE_INFO = 'link_code_pairing_key_bundle_encryption_key';
const ADV_INFO = 'adv_secret';

function codeKey(code: string, salt: Buffer): Promise<Buffer> {
  return pbkdf2Async(Buffer.from(code, 'utf8'), salt, CODE_ROUNDS, 32, 'sha256');
}

function hkdf(ikm: Buffer, salt: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from(info, 'utf8'), 32));
}

/**
 * Opens `salt32 ‖ iv16 ‖ AES-256-CTR(key(code, salt), iv, pub32)`. CTR has no
 * tag, so a wrong code yields a wrong key without an error here; the bundle
 * that follows then fails to open.
 */
export async function unwrapEphemeral(wrapped: Buffer, code: string): Promise<Buffer> {
  if (wrapped.length !== 80) throw new Error(`wrapped key is ${wrapped.length} bytes, not 80`);
  const key = await codeKey(code, wrapped.subarray(0, 32));
  const decipher = createDecipheriv('aes-256-ctr', key, wrapped.subarray(32, 48));
  return Buffer.concat([decipher.update(wrapped.subarray(48, 80)), decipher.final()]);
}

export async function wrapEphemeral(publicKey: Buffer, code: string): Promise<Buffer> {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const key = await codeKey(code, salt);
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  return Buffer.concat([salt, iv, cipher.update(publicKey), cipher.final()]);
}

export interface KeyBundle {
  readonly companionIdentity: Buffer;
  readonly primaryIdentity: Buffer;
  readonly random: Buffer;
}

/**
 * Opens the companion's key bundle `salt32 ‖ iv12 ‖ AES-256-GCM(K, iv, ids ‖ random32)`,
 * K = HKDF(DH(primary ephemeral, companion ephemeral), salt, bundle info).
 * Returns null when the tag does not verify (the code typed was wrong).
 */
export function openKeyBundle(bundle: Buffer, ephemeralShared: Buffer): KeyBundle | null {
  if (bundle.length !== 32 + 12 + 96 + 16) return null;
  const key = hkdf(ephemeralShared, bundle.subarray(0, 32), BUNDLE_INFO);
  const sealed = bundle.subarray(44);
  const decipher = createDecipheriv('aes-256-gcm', key, bundle.subarray(32, 44));
  decipher.setAuthTag(sealed.subarray(sealed.length - 16));
  try {
    const plain = Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - 16)),
      decipher.final(),
    ]);
    return {
      companionIdentity: plain.subarray(0, 32),
      primaryIdentity: plain.subarray(32, 64),
      random: plain.subarray(64, 96),
    };
  } catch {
    return null;
  }
}

/** The ADV secret both sides derive: HKDF(ephemeral DH ‖ identity DH ‖ random), no salt. */
export function deriveAdvSecret(ephemeralShared: Buffer, identityShared: Buffer, random: Buffer) {
  return hkdf(Buffer.concat([ephemeralShared, identityShared, random]), Buffer.alloc(0), ADV_INFO);
}
