import { WA_CERT_DETAILS } from '@whiskeysockets/baileys';

/**
 * The fallback for a Baileys that checks the Noise certificate chain for
 * real: writes the stand-in's root key over WhatsApp's in the Baileys
 * module of the calling process (an unfrozen exported Buffer that
 * `processHandshake` reads on every handshake). Returns a function that puts
 * the original key back. Baileys 7.0.0-rc14 does not need it (README).
 */
export function useStandinNoiseRoot(root: Uint8Array): () => void {
  if (root.length !== WA_CERT_DETAILS.PUBLIC_KEY.length) {
    throw new Error(`noise root must be ${WA_CERT_DETAILS.PUBLIC_KEY.length} bytes`);
  }
  const original = Buffer.from(WA_CERT_DETAILS.PUBLIC_KEY);
  WA_CERT_DETAILS.PUBLIC_KEY.set(root);
  return () => WA_CERT_DETAILS.PUBLIC_KEY.set(original);
}
