import { randomInt } from 'node:crypto';
import { StandinError } from '../errors.js';
import { SignalParty } from '../signal/party.js';

/**
 * A simulated WhatsApp user the accounts can talk to: one phone (device 0)
 * with its own Signal identity and pre-keys. It decrypts what it is sent,
 * fetches and checks media, and answers with receipts.
 */
export interface Contact {
  /** Digits only: the contact's key in the control API and its JID's user part. */
  readonly phone: string;
  readonly lid: string;
  /** The push name its messages carry (`notify`). */
  readonly name: string;
  /** Whether it sends read receipts after delivery receipts (a privacy setting). */
  readonly readReceipts: boolean;
  readonly signal: SignalParty;
  /** `contact:<phone>`: how the message log names it. */
  readonly party: string;
}

export interface NewContact {
  readonly phone?: string;
  readonly name?: string;
  readonly readReceipts?: boolean;
}

const PHONE_PATTERN = /^[1-9]\d{6,14}$/;

function randomDigits(count: number): string {
  let digits = String(randomInt(1, 10));
  while (digits.length < count) digits += String(randomInt(0, 10));
  return digits;
}

export class ContactStore {
  private readonly contacts = new Map<string, Contact>();
  private readonly byLidUser = new Map<string, Contact>();

  /** `taken` says whether a phone number already belongs to an account. */
  constructor(private readonly taken: (phone: string) => boolean) {}

  create(spec: NewContact = {}): Contact {
    const phone = spec.phone ?? this.freshPhone();
    if (!PHONE_PATTERN.test(phone)) {
      throw new StandinError('bad_request', 'phone must be 7 to 15 digits, no leading zero', {
        field: 'phone',
      });
    }
    if (this.taken(phone)) {
      throw new StandinError('bad_request', 'that number belongs to an account', {
        field: 'phone',
      });
    }
    const existing = this.contacts.get(phone);
    if (existing) return existing;
    let lid = randomDigits(15);
    while (this.byLidUser.has(lid)) lid = randomDigits(15);
    const contact: Contact = {
      phone,
      lid,
      name: spec.name ?? `Stand-in Contact ${phone.slice(-4)}`,
      readReceipts: spec.readReceipts ?? true,
      signal: new SignalParty(),
      party: `contact:${phone}`,
    };
    this.contacts.set(phone, contact);
    this.byLidUser.set(lid, contact);
    return contact;
  }

  get(phone: string): Contact | undefined {
    return this.contacts.get(phone);
  }

  require(phone: string): Contact {
    const contact = this.contacts.get(phone);
    if (!contact) throw new StandinError('contact_unknown', 'no such contact', { phone });
    return contact;
  }

  byLid(lid: string): Contact | undefined {
    return this.byLidUser.get(lid);
  }

  all(): Contact[] {
    return [...this.contacts.values()];
  }

  private freshPhone(): string {
    // 555-01xx numbers, like the accounts', kept apart from every account's number.
    for (;;) {
      const phone = `155501${String(randomInt(0, 100_000)).padStart(5, '0')}`;
      if (!this.contacts.has(phone) && !this.taken(phone)) return phone;
    }
  }
}

export function contactJid(contact: Contact): string {
  return `${contact.phone}@s.whatsapp.net`;
}

export function contactLid(contact: Contact): string {
  return `${contact.lid}@lid`;
}
