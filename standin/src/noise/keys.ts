import { Curve } from '@whiskeysockets/baileys';
import { verifySignature } from 'libsignal/src/curve.js';

/** A Curve25519 key pair with a 32-byte public key, as Baileys' `Curve` makes them. */
export interface CurveKeyPair {
  readonly private: Buffer;
  readonly public: Buffer;
}

export function generateCurveKeyPair(): CurveKeyPair {
  const pair = Curve.generateKeyPair();
  return { private: Buffer.from(pair.private), public: Buffer.from(pair.public) };
}

export function sharedSecret(privateKey: Uint8Array, publicKey: Uint8Array): Buffer {
  return Buffer.from(Curve.sharedKey(privateKey, publicKey));
}

/** An XEdDSA signature (64 bytes) as libsignal makes it. */
export function xeddsaSign(privateKey: Uint8Array, message: Uint8Array): Buffer {
  return Buffer.from(Curve.sign(privateKey, message));
}

/**
 * A signature check that really fails on a bad signature. Baileys' own
 * `Curve.verify` returns true unless libsignal throws, and libsignal returns
 * false for a wrong signature instead of throwing.
 */
export function xeddsaVerify(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  const key = publicKey.length === 33 ? publicKey : Buffer.concat([Buffer.from([5]), publicKey]);
  try {
    return verifySignature(key, message, signature) === true;
  } catch {
    return false;
  }
}
