import type { AccountFaults, HostFaults } from '../faults.js';
import type { MediaSummary } from '../media/store.js';
import type { FailureRecord, ReceivedMessage, SentMessage } from '../messaging/log.js';
import type { PairedDevice } from '../phone/pair.js';
import type { RecordsSnapshot } from '../records.js';
import type { StreamErrorCode } from '../session/stream-errors.js';
import type { StandinInfo } from './info.js';
import type { AccountView, ContactView, PhoneView } from './views.js';

/** An error answer of the control API, with its catalogue code. */
export class ControlError extends Error {
  override readonly name = 'ControlError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly context: Record<string, unknown>,
  ) {
    super(message);
  }
}

export interface PhoneChoice {
  readonly phone?: string;
  readonly name?: string | null;
}

export interface NewContactSpec {
  readonly phone?: string;
  readonly name?: string;
  /** Whether it sends read receipts after delivery receipts (default true). */
  readonly readReceipts?: boolean;
}

/** What a contact sends: a text, or an image (its bytes are base64 on the wire). */
export type ContactMessage =
  | { readonly text: string }
  | {
      readonly image: {
        readonly data: Uint8Array;
        readonly mimetype: string;
        readonly caption?: string;
      };
    };

/**
 * A typed client of the control API, for tests in this repo and for
 * anything driving a stand-in started with `npm run standin`.
 */
export class ControlClient {
  constructor(readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const value = (await response.json()) as unknown;
    if (!response.ok) {
      const error = (value as { error?: { code?: string; message?: string; context?: object } })
        .error;
      throw new ControlError(
        response.status,
        error?.code ?? 'unknown',
        error?.message ?? `control API answered ${response.status}`,
        (error?.context ?? {}) as Record<string, unknown>,
      );
    }
    return value as T;
  }

  info(): Promise<StandinInfo> {
    return this.call('GET', '/');
  }

  /**
   * Requests with a sequence number above `since`, and every connection, login and registration.
   */
  records(since = 0): Promise<RecordsSnapshot> {
    return this.call('GET', `/records?since=${since}`);
  }

  accounts(): Promise<AccountView[]> {
    return this.call('GET', '/accounts');
  }

  account(phone: string): Promise<AccountView> {
    return this.call('GET', `/accounts/${encodeURIComponent(phone)}`);
  }

  media(): Promise<MediaSummary[]> {
    return this.call('GET', '/media');
  }

  /** The simulated phone scans a QR string exactly as Baileys emitted it. */
  scanQr(qr: string, phone: PhoneChoice = {}): Promise<PairedDevice> {
    return this.call('POST', '/phone/scan', { qr, ...phone });
  }

  /** The phone owner types the pairing code the companion showed. */
  enterLinkCode(phone: string, code: string, name?: string | null): Promise<PairedDevice> {
    return this.call('POST', '/phone/link-code', {
      phone,
      code,
      ...(name === undefined ? {} : { name }),
    });
  }

  /** Sets faults for an account's phone number, or `*` for every connection. */
  setAccountFaults(account: string, faults: Partial<AccountFaults>): Promise<AccountFaults> {
    return this.call('PUT', `/accounts/${encodeURIComponent(account)}/faults`, faults);
  }

  clearAccountFaults(account: string): Promise<{ cleared: string }> {
    return this.call('DELETE', `/accounts/${encodeURIComponent(account)}/faults`);
  }

  setHostFaults(host: string, faults: Partial<HostFaults>): Promise<HostFaults> {
    return this.call('PUT', `/hosts/${encodeURIComponent(host)}/faults`, faults);
  }

  clearHostFaults(host: string): Promise<{ cleared: string }> {
    return this.call('DELETE', `/hosts/${encodeURIComponent(host)}/faults`);
  }

  /** Cuts the account's sockets with no close frame. Returns the connection ids hit. */
  drop(account: string): Promise<{ connections: string[] }> {
    return this.call('POST', `/accounts/${encodeURIComponent(account)}/drop`);
  }

  disconnect(account: string, code: StreamErrorCode): Promise<{ connections: string[] }> {
    return this.call('POST', `/accounts/${encodeURIComponent(account)}/disconnect`, { code });
  }

  /** Creates a simulated contact (or returns the one with that number). */
  createContact(spec: NewContactSpec = {}): Promise<ContactView> {
    return this.call('POST', '/contacts', spec);
  }

  contacts(): Promise<ContactView[]> {
    return this.call('GET', '/contacts');
  }

  contact(phone: string): Promise<ContactView> {
    return this.call('GET', `/contacts/${encodeURIComponent(phone)}`);
  }

  /** Messages the contact decrypted, with their content and any media's SHA-256. */
  received(contact: string, since = 0): Promise<ReceivedMessage[]> {
    return this.call('GET', `/contacts/${encodeURIComponent(contact)}/received?since=${since}`);
  }

  /** Messages the contact sent, with each device copy's state and receipts. */
  sent(contact: string, since = 0): Promise<SentMessage[]> {
    return this.call('GET', `/contacts/${encodeURIComponent(contact)}/sent?since=${since}`);
  }

  /** The contact sends the account a message, encrypted for each of its linked devices. */
  sendFromContact(contact: string, to: string, message: ContactMessage): Promise<SentMessage> {
    const body =
      'text' in message
        ? { to, text: message.text }
        : {
            to,
            image: {
              data: Buffer.from(message.image.data).toString('base64'),
              mimetype: message.image.mimetype,
              ...(message.image.caption === undefined ? {} : { caption: message.image.caption }),
            },
          };
    return this.call('POST', `/contacts/${encodeURIComponent(contact)}/send`, body);
  }

  /** Queues `count` texts from the contact, held for each device's next login. */
  burst(
    contact: string,
    to: string,
    count: number,
    text?: string,
  ): Promise<{ ids: string[]; held: number }> {
    return this.call('POST', `/contacts/${encodeURIComponent(contact)}/burst`, {
      to,
      count,
      ...(text === undefined ? {} : { text }),
    });
  }

  /** The contact loses its Signal sessions (keeping its keys), as a reinstalled app would. */
  forgetSessions(contact: string): Promise<{ forgotten: string }> {
    return this.call('POST', `/contacts/${encodeURIComponent(contact)}/forget-sessions`);
  }

  /** The account's phone: what it decrypted and sent, and its app state. */
  phone(account: string): Promise<PhoneView> {
    return this.call('GET', `/accounts/${encodeURIComponent(account)}/phone`);
  }

  /** Messages that could not be handled, with the reason. */
  failures(since = 0): Promise<FailureRecord[]> {
    return this.call('GET', `/failures?since=${since}`);
  }

  releaseAcks(account: string, error?: number | string): Promise<{ released: number }> {
    return this.call(
      'POST',
      `/accounts/${encodeURIComponent(account)}/release-acks`,
      error === undefined ? {} : { error },
    );
  }
}
