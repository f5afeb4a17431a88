import type { WASocket } from '@whiskeysockets/baileys';

/** How a sent message ended at WhatsApp's side, as far as this socket saw. */
export type AckOutcome =
  | { readonly kind: 'ack'; readonly at: number }
  /** WhatsApp answered the message with an error (a nack). */
  | { readonly kind: 'error'; readonly at: number; readonly code: string }
  /** The socket closed before any answer: whether it arrived is unknown. */
  | { readonly kind: 'closed'; readonly at: number };

interface Waiter {
  resolve(outcome: AckOutcome): void;
}

/**
 * Watches one Baileys socket for the server's `<ack class="message">` of the
 * messages the API sends on it. Baileys itself only reacts to acks that
 * carry an error, so success is read off the same stanza here. When the
 * socket's WebSocket closes, every message still waiting is `closed`.
 */
export class AckWatcher {
  readonly #waiting = new Map<string, Waiter>();
  #closedAt: number | null = null;

  constructor(sock: WASocket) {
    sock.ws.on('CB:ack,class:message', (node: { attrs: Record<string, string> }) => {
      const id = node.attrs['id'];
      if (id === undefined) return;
      const waiter = this.#waiting.get(id);
      if (!waiter) return;
      this.#waiting.delete(id);
      const error = node.attrs['error'];
      waiter.resolve(
        error === undefined
          ? { kind: 'ack', at: Date.now() }
          : { kind: 'error', at: Date.now(), code: error },
      );
    });
    const onClose = () => this.#close();
    sock.ws.on('close', onClose);
    sock.ev.on('connection.update', (update) => {
      if (update.connection === 'close') onClose();
    });
  }

  get closed(): boolean {
    return this.#closedAt !== null;
  }

  /** Starts waiting for `messageId`'s ack; register before the message is written. */
  expect(messageId: string): { outcome: Promise<AckOutcome>; cancel(): void } {
    if (this.#closedAt !== null) {
      return { outcome: Promise.resolve({ kind: 'closed', at: this.#closedAt }), cancel() {} };
    }
    let settle!: (outcome: AckOutcome) => void;
    const outcome = new Promise<AckOutcome>((resolve) => {
      settle = resolve;
    });
    this.#waiting.set(messageId, { resolve: settle });
    return { outcome, cancel: () => this.#waiting.delete(messageId) };
  }

  #close(): void {
    if (this.#closedAt !== null) return;
    this.#closedAt = Date.now();
    for (const waiter of this.#waiting.values()) {
      waiter.resolve({ kind: 'closed', at: this.#closedAt });
    }
    this.#waiting.clear();
  }
}
