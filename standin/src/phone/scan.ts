import type { StandinContext } from '../context.js';
import { StandinError } from '../errors.js';
import { completePairing, type PairedDevice } from './pair.js';
import { parsePairingQr } from './qr.js';

export interface PhoneOptions {
  /** The phone number to link under (digits); a fresh fictional one when left out. */
  readonly phone?: string;
  /** The business name shown to the companion; null for a personal account. */
  readonly name?: string | null;
}

/**
 * The simulated phone scans a QR string as Baileys emitted it: the ref must
 * belong to an open registration and be within its lifetime, and the keys
 * in the QR must be the ones that connection presented.
 */
export async function scanQr(
  ctx: StandinContext,
  qr: string,
  phone: PhoneOptions = {},
): Promise<PairedDevice> {
  const parsed = parsePairingQr(qr);
  const found = ctx.registrations.byRef(parsed.ref);
  if (!found) throw new StandinError('qr_unknown_ref', 'no open registration has this ref');
  const { registration, ref } = found;
  if (Date.now() > ref.expiresAt) {
    throw new StandinError('qr_expired', 'this QR ref is past its lifetime', {
      expiredAt: new Date(ref.expiresAt).toISOString(),
    });
  }
  if (registration.pairing) {
    throw new StandinError('bad_request', 'this registration is already being paired');
  }
  const clientStatic = registration.connection.clientStatic;
  if (!clientStatic || !parsed.noiseKey.equals(clientStatic)) {
    throw new StandinError('qr_key_mismatch', 'noise key differs from the connection');
  }
  const announced = Buffer.from(registration.pairingData.eIdent ?? []);
  if (!parsed.identityKey.equals(announced)) {
    throw new StandinError('qr_key_mismatch', 'identity key differs from the registration');
  }
  const account = ctx.accounts.create(phone);
  return completePairing(registration, account, parsed.identityKey, parsed.advSecret, 'qr');
}
