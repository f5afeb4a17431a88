import type { BinaryNode } from '../wire/nodes.js';

/**
 * held: kept for the device's next login (a burst); queued: waiting for the
 * device to come online; sent: written to a connection, not yet confirmed.
 */
export type MailState = 'held' | 'queued' | 'sent';

export interface MailEntry {
  /** `message:<id>`, `receipt:<id>:<type>` or `notification:<id>`: how an answer names it. */
  readonly key: string;
  readonly stanza: BinaryNode;
  state: MailState;
  /** Called once the client confirmed it (receipt or ack), with the confirming stanza. */
  readonly onSettled?: (answer: BinaryNode) => void;
}

export interface MailCounts {
  readonly held: number;
  readonly queued: number;
  readonly sent: number;
}

/**
 * Stanzas the server keeps for one companion device until the device
 * confirms them, as the real service keeps messages for a device that is
 * away. Anything written to a connection that closed before the confirmation
 * came is delivered again at the next login, so nothing is lost.
 */
export class Mailbox {
  private readonly entries = new Map<string, MailEntry>();

  add(entry: MailEntry): void {
    this.entries.set(entry.key, entry);
  }

  /** Removes and returns the entry the client confirmed, if it is still here. */
  settle(key: string): MailEntry | undefined {
    const entry = this.entries.get(key);
    if (entry) this.entries.delete(key);
    return entry;
  }

  /** Every entry, oldest first. */
  all(): MailEntry[] {
    return [...this.entries.values()];
  }

  counts(): MailCounts {
    let held = 0;
    let queued = 0;
    let sent = 0;
    for (const entry of this.entries.values()) {
      if (entry.state === 'held') held += 1;
      else if (entry.state === 'queued') queued += 1;
      else sent += 1;
    }
    return { held, queued, sent };
  }
}
