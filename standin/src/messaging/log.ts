/**
 * What the stand-in's simulated devices (contacts and accounts' phones)
 * received and sent, and every message that could not be handled. A test
 * reads these back through the control API: the decrypted content, the
 * hashes of downloaded media, the receipts each copy got, and failures with
 * their reason (a test asserts there are none).
 */

export type EncType = 'pkmsg' | 'msg';

export interface ReceivedMedia {
  /** The media type the keys were derived for (`image`, `document`, …). */
  readonly kind: string;
  readonly mimetype: string | null;
  readonly directPath: string | null;
  readonly fileLength: number | null;
  /** SHA-256 (hex) of the file as the device decrypted it; null until downloaded. */
  sha256: string | null;
  /** Bytes of the decrypted file. */
  size: number | null;
  downloadedAt: string | null;
}

/** A message a simulated device decrypted. */
export interface ReceivedMessage {
  readonly seq: number;
  readonly time: string;
  readonly id: string;
  /** `contact:<phone>` or `phone:<account phone>`. */
  readonly party: string;
  /** The sending device's JID (with its device number). */
  readonly from: string;
  /** The stanza's `to`: the chat as the sender addressed it. */
  readonly to: string;
  readonly encType: EncType;
  /** The top-level field of the message (`extendedTextMessage`, `imageMessage`, …). */
  readonly contentType: string | null;
  readonly text: string | null;
  /** For a copy sent to the sender's own devices: the chat it went to. */
  readonly deviceSentTo: string | null;
  /** The decrypted `Message`, as protobuf JSON (bytes in base64). */
  readonly message: Record<string, unknown>;
  readonly media: ReceivedMedia | null;
  /** Receipts the device sent back: `delivery`, `read`. */
  readonly receiptsSent: string[];
}

export type CopyState = 'held' | 'queued' | 'sent' | 'delivered' | 'read' | 'failed';

/** One device's copy of a message a simulated device sent. */
export interface DeviceCopy {
  readonly device: number;
  /** Null until encrypted (a device that has not uploaded its pre-keys yet). */
  encType: EncType | null;
  state: CopyState;
  /** Receipts the client sent for this copy: `delivery`, `read`, `peer_msg`, `hist_sync`, … */
  readonly receipts: { readonly type: string; readonly time: string }[];
}

export interface SentMedia {
  readonly kind: string;
  readonly mimetype: string;
  /** SHA-256 (hex) of the plain file. */
  readonly sha256: string;
  readonly size: number;
  readonly directPath: string;
}

/** A message a simulated device sent to an account's devices. */
export interface SentMessage {
  readonly seq: number;
  readonly time: string;
  readonly id: string;
  readonly party: string;
  /** The account (phone number) it went to. */
  readonly to: string;
  readonly contentType: string | null;
  readonly text: string | null;
  /** The message as sent, as protobuf JSON (bytes in base64). */
  readonly message: Record<string, unknown>;
  readonly media: SentMedia | null;
  /** Held for the account's next login (a burst), rather than sent at once. */
  readonly held: boolean;
  readonly copies: DeviceCopy[];
}

export type FailureStage =
  'decrypt' | 'decode' | 'media' | 'encrypt' | 'unroutable' | 'client-retry' | 'client-nack';

/** Something that could not be handled. `client-*` stages are the client's own report. */
export interface FailureRecord {
  readonly seq: number;
  readonly time: string;
  /** The simulated device involved, if any. */
  readonly party: string | null;
  readonly account: string | null;
  readonly device: number | null;
  readonly messageId: string | null;
  readonly stage: FailureStage;
  readonly reason: string;
}

/** Who sent a message the stand-in carried, so receipts for it can go back. */
export type Origin =
  | { readonly kind: 'party'; readonly party: string }
  | { readonly kind: 'device'; readonly account: string; readonly device: number };

function bounded<T>(list: T[], item: T, limit: number): void {
  list.push(item);
  if (list.length > limit) list.shift();
}

export class MessageLog {
  private seq = 0;
  private readonly received: ReceivedMessage[] = [];
  private readonly sent: SentMessage[] = [];
  private readonly sentById = new Map<string, SentMessage>();
  private readonly failures: FailureRecord[] = [];
  private readonly origins = new Map<string, Origin>();

  constructor(private readonly limit: number) {}

  addReceived(fields: Omit<ReceivedMessage, 'seq' | 'time'>): ReceivedMessage {
    const record = { seq: ++this.seq, time: new Date().toISOString(), ...fields };
    bounded(this.received, record, this.limit);
    return record;
  }

  addSent(fields: Omit<SentMessage, 'seq' | 'time'>): SentMessage {
    const record = { seq: ++this.seq, time: new Date().toISOString(), ...fields };
    bounded(this.sent, record, this.limit);
    this.sentById.set(record.id, record);
    if (this.sentById.size > this.limit) {
      this.sentById.delete(this.sentById.keys().next().value as string);
    }
    this.setOrigin(record.id, { kind: 'party', party: record.party });
    return record;
  }

  addFailure(fields: Omit<FailureRecord, 'seq' | 'time'>): FailureRecord {
    const record = { seq: ++this.seq, time: new Date().toISOString(), ...fields };
    bounded(this.failures, record, this.limit);
    return record;
  }

  setOrigin(id: string, origin: Origin): void {
    this.origins.set(id, origin);
    if (this.origins.size > this.limit) {
      this.origins.delete(this.origins.keys().next().value as string);
    }
  }

  origin(id: string): Origin | undefined {
    return this.origins.get(id);
  }

  sentMessage(id: string): SentMessage | undefined {
    return this.sentById.get(id);
  }

  receivedBy(party: string, since = 0): ReceivedMessage[] {
    return this.received.filter((item) => item.party === party && item.seq > since);
  }

  sentBy(party: string, since = 0): SentMessage[] {
    return this.sent.filter((item) => item.party === party && item.seq > since);
  }

  /** Messages a party exchanged with an account, oldest first: history for a new device. */
  conversation(party: string, account: string): (ReceivedMessage | SentMessage)[] {
    const received = this.received.filter(
      (item) => item.party === party && item.from.split(/[:@]/)[0] === account,
    );
    const sent = this.sent.filter((item) => item.party === party && item.to === account);
    return [...received, ...sent].sort((a, b) => a.seq - b.seq);
  }

  failuresSince(since = 0): FailureRecord[] {
    return this.failures.filter((item) => item.seq > since);
  }
}
