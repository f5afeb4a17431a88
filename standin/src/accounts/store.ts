import { randomBytes, randomInt } from 'node:crypto';
import { StandinError } from '../errors.js';
import type { Mailbox } from '../messaging/mailbox.js';
import { generateCurveKeyPair, type CurveKeyPair } from '../noise/keys.js';
import { AppStateServer } from '../phone/app-state.js';
import { SignalParty } from '../signal/party.js';

/** A signed pre-key as a companion announced it (registration payload or upload). */
export interface SignedPreKey {
  readonly id: number;
  readonly publicKey: Buffer;
  readonly signature: Buffer;
}

/** A companion device (a linked WhatsApp Web session) of an account. */
export interface Device {
  readonly device: number;
  readonly keyIndex: number;
  /** The Noise static key bound at pairing; a login must present it. */
  readonly noiseKey: Buffer;
  /** The companion's Signal identity public key (32 bytes). */
  identityKey: Buffer;
  registrationId: number;
  signedPreKey: SignedPreKey;
  /** One-time pre-keys uploaded and not handed out yet, by id. */
  readonly preKeys: Map<number, Buffer>;
  readonly platform: string;
  readonly pairedAt: string;
  /** Set when the device was logged out (401) or removed itself; its logins then fail. */
  removedAt: string | null;
  /** Stanzas kept for the device until it confirms them (the offline queue). */
  readonly mailbox: Mailbox;
  /** Set at pairing: the phone sends its app-state keys and history once the device has keys. */
  initialSyncPending: boolean;
  /** Copies for this device waiting for its first pre-key upload, to be encrypted then. */
  readonly awaitingKeys: (() => Promise<void>)[];
}

/** A WhatsApp account: the phone (device 0) and its linked companions. */
export interface Account {
  /** The phone number, digits only: the account's key in the control API. */
  readonly phone: string;
  /** The account's LID user part. */
  readonly lid: string;
  /** Business or push name sent to companions at pairing (`<biz name>`); null for none. */
  readonly name: string | null;
  /** The phone's identity key, which signs each companion's device identity. */
  readonly identity: CurveKeyPair;
  /** The push name the phone's app state carries (the business name, or a default). */
  readonly pushName: string;
  /** The phone as a Signal device (device 0), with `identity` as its identity key. */
  readonly phoneParty: SignalParty;
  /** The account's app-state collections and sync key, as the phone and server keep them. */
  readonly appState: AppStateServer;
  readonly devices: Map<number, Device>;
  nextDevice: number;
  nextKeyIndex: number;
  /** The `media_conn` auth token; uploads carrying it belong to this account. */
  readonly mediaAuth: string;
}

export interface NewAccount {
  readonly phone?: string;
  readonly name?: string | null;
}

/** The push name of a personal account's phone (a business account shows its name). */
export const PERSONAL_PUSH_NAME = 'Stand-in Owner';

const PHONE_PATTERN = /^[1-9]\d{6,14}$/;

function randomDigits(count: number): string {
  let digits = String(randomInt(1, 10));
  while (digits.length < count) digits += String(randomInt(0, 10));
  return digits;
}

export class AccountStore {
  /** `taken` says whether a phone number already belongs to a simulated contact. */
  constructor(private readonly taken: (phone: string) => boolean = () => false) {}

  private readonly accounts = new Map<string, Account>();
  private readonly byAuth = new Map<string, Account>();
  private readonly byLidUser = new Map<string, Account>();

  create(spec: NewAccount = {}): Account {
    const phone = spec.phone ?? this.freshPhone();
    if (!PHONE_PATTERN.test(phone)) {
      throw new StandinError('bad_request', 'phone must be 7 to 15 digits, no leading zero', {
        field: 'phone',
      });
    }
    const existing = this.accounts.get(phone);
    if (existing) return existing;
    if (this.taken(phone)) {
      throw new StandinError('bad_request', 'that number belongs to a simulated contact', {
        field: 'phone',
      });
    }
    const name = spec.name === undefined ? 'Stand-in Restaurant' : spec.name;
    const identity = generateCurveKeyPair();
    const account: Account = {
      phone,
      lid: randomDigits(15),
      name,
      identity,
      pushName: name ?? PERSONAL_PUSH_NAME,
      phoneParty: new SignalParty(identity),
      appState: new AppStateServer(),
      devices: new Map(),
      // Real companions get small device numbers; start past 0 (the phone).
      nextDevice: 2,
      nextKeyIndex: 1,
      mediaAuth: randomBytes(24).toString('base64'),
    };
    this.accounts.set(phone, account);
    this.byAuth.set(account.mediaAuth, account);
    this.byLidUser.set(account.lid, account);
    return account;
  }

  byLid(lid: string): Account | undefined {
    return this.byLidUser.get(lid);
  }

  get(phone: string): Account | undefined {
    return this.accounts.get(phone);
  }

  require(phone: string): Account {
    const account = this.accounts.get(phone);
    if (!account) throw new StandinError('account_unknown', 'no such account', { phone });
    return account;
  }

  byMediaAuth(token: string): Account | undefined {
    return this.byAuth.get(token);
  }

  all(): Account[] {
    return [...this.accounts.values()];
  }

  private freshPhone(): string {
    // Country code 1 with 555-01xx, the North American range kept for fiction.
    for (;;) {
      const phone = `155501${String(randomInt(0, 100_000)).padStart(5, '0')}`;
      if (!this.accounts.has(phone) && !this.taken(phone)) return phone;
    }
  }
}

export function deviceJid(account: Account, device: number): string {
  return `${account.phone}:${device}@s.whatsapp.net`;
}

export function deviceLid(account: Account, device: number): string {
  return `${account.lid}:${device}@lid`;
}

/** The devices messages to an account fan out to: every companion still linked. */
export function linkedDevices(account: Account): Device[] {
  return [...account.devices.values()].filter((device) => device.removedAt === null);
}

/**
 * Hands out the device's lowest one-time pre-key, as the server does for a
 * key fetch: each is given out once.
 */
export function takePreKey(device: Device): { id: number; publicKey: Buffer } | null {
  let lowest: number | null = null;
  for (const id of device.preKeys.keys()) if (lowest === null || id < lowest) lowest = id;
  if (lowest === null) return null;
  const publicKey = device.preKeys.get(lowest) as Buffer;
  device.preKeys.delete(lowest);
  return { id: lowest, publicKey };
}
