import { randomBytes } from 'node:crypto';
import {
  aesEncryptCTR,
  aesEncryptGCM,
  Curve,
  derivePairingCodeKey,
  hkdf,
} from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import {
  deriveAdvSecret,
  openKeyBundle,
  unwrapEphemeral,
  wrapEphemeral,
} from '../src/phone/link-code.js';

/** The companion's side, built from Baileys' exported helpers the way its socket does. */
async function companionWrap(publicKey: Uint8Array, code: string): Promise<Buffer> {
  const salt = randomBytes(32);
  const iv = randomBytes(16);
  const key = await derivePairingCodeKey(code, salt);
  return Buffer.concat([salt, iv, aesEncryptCTR(publicKey, key, iv)]);
}

describe("the phone's pairing-code cryptography against Baileys' own", () => {
  it(
    'opens the ephemeral key Baileys wraps with ' + 'the code, and Baileys opens the one it wraps',
    async () => {
      const companion = Curve.generateKeyPair();
      const opened = await unwrapEphemeral(
        await companionWrap(companion.public, 'ABCD1234'),
        'ABCD1234',
      );
      expect(opened.equals(Buffer.from(companion.public))).toBe(true);

      const primary = Curve.generateKeyPair();
      const wrapped = await wrapEphemeral(Buffer.from(primary.public), 'ABCD1234');
      const key = await derivePairingCodeKey('ABCD1234', wrapped.subarray(0, 32));
      expect(aesEncryptCTR(wrapped.subarray(48, 80), key, wrapped.subarray(32, 48))).toEqual(
        Buffer.from(primary.public),
      );
    },
  );

  it('opens the key bundle and derives the same ADV secret as the companion', () => {
    const companionEphemeral = Curve.generateKeyPair();
    const companionIdentity = Curve.generateKeyPair();
    const primaryEphemeral = Curve.generateKeyPair();
    const primaryIdentity = Curve.generateKeyPair();
    // As Baileys' notification handler computes it (messages-recv, link_code_companion_reg).
    const companionShared = Curve.sharedKey(companionEphemeral.private, primaryEphemeral.public);
    const random = randomBytes(32);
    const salt = randomBytes(32);
    const key = hkdf(companionShared, 32, {
      salt,
      info: 'link_code_pairing_key_bundle_encryption_key',
    });
    const iv = randomBytes(12);
    const sealed = aesEncryptGCM(
      Buffer.concat([companionIdentity.public, primaryIdentity.public, random]),
      key,
      iv,
      Buffer.alloc(0),
    );
    const bundle = Buffer.concat([salt, iv, sealed]);
    const companionSecret = hkdf(
      Buffer.concat([
        companionShared,
        Curve.sharedKey(companionIdentity.private, primaryIdentity.public),
        random,
      ]),
      32,
      { info: 'adv_secret' },
    );

    const phoneShared = Curve.sharedKey(primaryEphemeral.private, companionEphemeral.public);
    const opened = openKeyBundle(bundle, phoneShared);
    expect(opened?.companionIdentity.equals(Buffer.from(companionIdentity.public))).toBe(true);
    expect(opened?.primaryIdentity.equals(Buffer.from(primaryIdentity.public))).toBe(true);
    const phoneSecret = deriveAdvSecret(
      phoneShared,
      Curve.sharedKey(primaryIdentity.private, companionIdentity.public),
      opened?.random as Buffer,
    );
    expect(phoneSecret.toString('hex')).toBe(Buffer.from(companionSecret).toString('hex'));
  });

  it('cannot open a bundle sealed for another ephemeral key (a mistyped code)', () => {
    const bundle = Buffer.concat([randomBytes(32), randomBytes(12), randomBytes(112)]);
    expect(openKeyBundle(bundle, randomBytes(32))).toBeNull();
  });
});
