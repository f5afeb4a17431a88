import { Curve, proto, WA_CERT_DETAILS } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { createNoiseIdentity } from '../src/noise/cert-chain.js';
import { useStandinNoiseRoot } from '../src/noise/fallback.js';
import { xeddsaVerify } from '../src/noise/keys.js';

function decodeChain(bytes: Buffer) {
  const chain = proto.CertChain.decode(bytes);
  const intermediate = chain.intermediate as proto.CertChain.INoiseCertificate;
  const leaf = chain.leaf as proto.CertChain.INoiseCertificate;
  return {
    intermediate,
    leaf,
    intermediateDetails: proto.CertChain.NoiseCertificate.Details.decode(
      intermediate.details as Uint8Array,
    ),
    leafDetails: proto.CertChain.NoiseCertificate.Details.decode(leaf.details as Uint8Array),
  };
}

describe("the stand-in's Noise certificate chain", () => {
  it('names issuer serial 0 explicitly, as Baileys compares it with WA_CERT_DETAILS.SERIAL', () => {
    const { intermediateDetails, leafDetails } = decodeChain(createNoiseIdentity().certChain);
    expect(intermediateDetails.issuerSerial).toBe(0);
    expect([intermediateDetails.serial, leafDetails.issuerSerial, leafDetails.serial]).toEqual([
      1, 1, 2,
    ]);
  });

  it(
    'is really signed: root over intermediate, ' + 'intermediate over the leaf for the server key',
    () => {
      const identity = createNoiseIdentity();
      const { intermediate, leaf, intermediateDetails, leafDetails } = decodeChain(
        identity.certChain,
      );
      expect(
        xeddsaVerify(
          identity.root.public,
          intermediate.details as Uint8Array,
          intermediate.signature as Uint8Array,
        ),
      ).toBe(true);
      expect(
        xeddsaVerify(
          intermediateDetails.key as Uint8Array,
          leaf.details as Uint8Array,
          leaf.signature as Uint8Array,
        ),
      ).toBe(true);
      expect(Buffer.from(leafDetails.key as Uint8Array).equals(identity.serverStatic.public)).toBe(
        true,
      );
    },
  );

  it(
    "does not verify against WhatsApp's root, which rc14 " +
      'lets through only because its check never fails',
    () => {
      const { intermediate } = decodeChain(createNoiseIdentity().certChain);
      const details = intermediate.details as Uint8Array;
      const signature = intermediate.signature as Uint8Array;
      expect(xeddsaVerify(WA_CERT_DETAILS.PUBLIC_KEY, details, signature)).toBe(false);
      // The behaviour the stand-in relies on (pinned Baileys 7.0.0-rc14): see README.
      expect(Curve.verify(WA_CERT_DETAILS.PUBLIC_KEY, details, signature)).toBe(true);
    },
  );

  it('offers a fallback that puts its root in place of WhatsApp’s and back', () => {
    const identity = createNoiseIdentity();
    const original = Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY);
    const restore = useStandinNoiseRoot(identity.root.public);
    expect(Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY).equals(identity.root.public)).toBe(true);
    restore();
    expect(Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY).equals(original)).toBe(true);
  });
});
