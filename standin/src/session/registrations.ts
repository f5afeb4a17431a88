import { randomBytes } from 'node:crypto';
import type { proto } from '@whiskeysockets/baileys';
import type { BinaryNode } from '../wire/nodes.js';
import type { UpstreamConnection } from './connection.js';

export interface QrRef {
  readonly ref: string;
  /** Epoch ms from which the companion shows it (Baileys' schedule). */
  readonly shownFrom: number;
  readonly expiresAt: number;
}

/** A `companion_hello`: the companion asked to pair by code with this phone number. */
export interface LinkCodeRequest {
  readonly phone: string;
  readonly ref: Buffer;
  readonly wrappedEphemeral: Buffer;
  readonly noiseKey: Buffer;
  readonly platform: string;
  /** Set while the phone waits for the companion's `companion_finish`. */
  onFinish: ((finish: BinaryNode) => void) | null;
}

/** A connection that registered as a new device and waits for a phone. */
export interface PendingRegistration {
  readonly connection: UpstreamConnection;
  readonly pairingData: proto.ClientPayload.IDevicePairingRegistrationData;
  readonly refs: readonly QrRef[];
  linkCode: LinkCodeRequest | null;
  /** Set while a phone is completing pairing, so a second scan cannot race it. */
  pairing: boolean;
}

/**
 * A QR ref as the real service shapes them (`2@` and base64). Standard
 * base64 has no commas, which the QR string uses as separators.
 */
function freshRef(): string {
  return `2@${randomBytes(45).toString('base64')}`;
}

/**
 * The refs for one registration with the lifetimes Baileys shows them for:
 * the first for `firstMs`, each later one for `nextMs` after the previous.
 */
export function scheduleRefs(count: number, firstMs: number, nextMs: number, now = Date.now()) {
  const refs: QrRef[] = [];
  let start = now;
  for (let index = 0; index < count; index += 1) {
    const lifetime = index === 0 ? firstMs : nextMs;
    refs.push({ ref: freshRef(), shownFrom: start, expiresAt: start + lifetime });
    start += lifetime;
  }
  return refs;
}

export class RegistrationBoard {
  private readonly pending = new Set<PendingRegistration>();

  add(registration: PendingRegistration): void {
    this.pending.add(registration);
  }

  remove(connection: UpstreamConnection): void {
    for (const registration of this.pending) {
      if (registration.connection === connection) this.pending.delete(registration);
    }
  }

  forConnection(connection: UpstreamConnection): PendingRegistration | undefined {
    return [...this.pending].find((registration) => registration.connection === connection);
  }

  byRef(ref: string): { registration: PendingRegistration; ref: QrRef } | undefined {
    for (const registration of this.pending) {
      const found = registration.refs.find((candidate) => candidate.ref === ref);
      if (found) return { registration, ref: found };
    }
    return undefined;
  }

  /** The newest code request for a phone number. */
  byLinkPhone(phone: string): PendingRegistration | undefined {
    const matches = [...this.pending].filter(
      (registration) => registration.linkCode?.phone === phone,
    );
    return matches.at(-1);
  }
}
