import { proto } from '@whiskeysockets/baileys';
import { generateCurveKeyPair, xeddsaSign, type CurveKeyPair } from './keys.js';

/**
 * The stand-in's own Noise certificate hierarchy: a root (in place of
 * WhatsApp's "WhatsAppLongTerm1"), an intermediate signed by it, and a leaf
 * for the server static key signed by the intermediate.
 *
 * Baileys 7.0.0-rc14 checks these signatures through a helper that returns
 * true unless libsignal throws, and libsignal returns false on a bad
 * signature instead of throwing, so this chain passes although its root is
 * not WhatsApp's. The signatures are real all the same: a later Baileys that
 * checks them accepts this chain once a test process writes `root.public`
 * into `WA_CERT_DETAILS.PUBLIC_KEY` (see `useStandinNoiseRoot`).
 */
export interface NoiseIdentity {
  readonly root: CurveKeyPair;
  readonly serverStatic: CurveKeyPair;
  /** Serialized `CertChain` sent (encrypted) in the ServerHello. */
  readonly certChain: Buffer;
}

/** Baileys compares the intermediate's issuer serial with `WA_CERT_DETAILS.SERIAL` (0). */
const ROOT_SERIAL = 0;
const INTERMEDIATE_SERIAL = 1;
const LEAF_SERIAL = 2;
const YEAR_SECONDS = 365 * 24 * 60 * 60;

function details(serial: number, issuerSerial: number, key: Buffer): Buffer {
  const now = Math.floor(Date.now() / 1000);
  // issuerSerial is written even when 0: protobufjs decodes an absent field as
  // null, and null !== 0 fails Baileys' serial check.
  return Buffer.from(
    proto.CertChain.NoiseCertificate.Details.encode({
      serial,
      issuerSerial,
      key,
      notBefore: now - 3600,
      notAfter: now + YEAR_SECONDS,
    }).finish(),
  );
}

export function createNoiseIdentity(): NoiseIdentity {
  const root = generateCurveKeyPair();
  const intermediate = generateCurveKeyPair();
  const serverStatic = generateCurveKeyPair();
  const intermediateDetails = details(INTERMEDIATE_SERIAL, ROOT_SERIAL, intermediate.public);
  const leafDetails = details(LEAF_SERIAL, INTERMEDIATE_SERIAL, serverStatic.public);
  const certChain = Buffer.from(
    proto.CertChain.encode({
      leaf: { details: leafDetails, signature: xeddsaSign(intermediate.private, leafDetails) },
      intermediate: {
        details: intermediateDetails,
        signature: xeddsaSign(root.private, intermediateDetails),
      },
    }).finish(),
  );
  return { root, serverStatic, certChain };
}
