import { randomBytes } from 'node:crypto';
import type { Account, Device } from '../accounts/store.js';
import type { ConnectionRegistry } from '../session/registry.js';
import type { UpstreamConnection } from '../session/connection.js';
import type { BinaryNode } from '../wire/nodes.js';
import type { DeviceCopy } from './log.js';
import type { MailEntry } from './mailbox.js';

export interface Post {
  readonly key: string;
  readonly stanza: BinaryNode;
  /** Keep it for the device's next login even if the device is online now. */
  readonly hold?: boolean;
  /** The log's record of this copy, kept in step with the entry. */
  readonly copy?: DeviceCopy;
  readonly onSettled?: (answer: BinaryNode) => void;
}

/**
 * Carries stanzas to companion devices: at once to a device that is logged
 * in, through its mailbox otherwise, and everything waiting at its next
 * login, flagged `offline` as the real service flags a backlog.
 */
export class Delivery {
  constructor(private readonly connections: ConnectionRegistry) {}

  /** The device's logged-in connection, if it has one. */
  online(account: Account, device: Device): UpstreamConnection | undefined {
    return this.connections
      .forAccount(account.phone)
      .find((connection) => connection.device === device.device && connection.phase === 'ready');
  }

  post(account: Account, device: Device, post: Post): void {
    const entry: MailEntry = {
      key: post.key,
      stanza: post.stanza,
      state: post.hold ? 'held' : 'queued',
      ...(post.onSettled ? { onSettled: post.onSettled } : {}),
    };
    const stored = post.copy ? this.tracked(entry, post.copy) : entry;
    device.mailbox.add(stored);
    if (post.hold) return;
    const connection = this.online(account, device);
    if (connection) this.write(connection, stored, false);
  }

  /**
   * Writes everything the device's mailbox holds to a connection that just
   * logged in: held bursts, queued stanzas, and any sent on an earlier
   * connection that never got their confirmation. Returns how many.
   */
  flush(connection: UpstreamConnection, device: Device): number {
    const entries = device.mailbox.all();
    for (const entry of entries) this.write(connection, entry, true);
    return entries.length;
  }

  /** An id for a stanza the server itself originates. */
  stanzaId(): string {
    return randomBytes(8).toString('hex').toUpperCase();
  }

  private write(connection: UpstreamConnection, entry: MailEntry, offline: boolean): void {
    const stanza = offline
      ? { ...entry.stanza, attrs: { ...entry.stanza.attrs, offline: '1' } }
      : entry.stanza;
    connection.send(stanza);
    entry.state = 'sent';
  }

  /** An entry whose state changes show on the copy's record too. */
  private tracked(entry: MailEntry, copy: DeviceCopy): MailEntry {
    let state = entry.state;
    copy.state = state;
    return {
      key: entry.key,
      stanza: entry.stanza,
      ...(entry.onSettled ? { onSettled: entry.onSettled } : {}),
      get state() {
        return state;
      },
      set state(next) {
        state = next;
        if (copy.state === 'held' || copy.state === 'queued') copy.state = next;
      },
    };
  }
}
