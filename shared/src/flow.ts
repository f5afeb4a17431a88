import { ProtocolError } from './errors.js';

/**
 * Credit-based flow control per stream and direction. A sender may have at
 * most the granted number of body bytes outstanding; the receiver returns
 * credit as its consumer takes the bytes, so a slow side never makes the
 * other buffer without bound.
 */

/** The sending half: how many body bytes may still go out. */
export class SendCredit {
  #available: number;

  constructor(initial: number) {
    this.#available = initial;
  }

  get available(): number {
    return this.#available;
  }

  /** Takes credit for `bytes`; false when there is not enough yet. */
  tryConsume(bytes: number): boolean {
    if (bytes > this.#available) return false;
    this.#available -= bytes;
    return true;
  }

  grant(bytes: number): void {
    this.#available += bytes;
    if (this.#available > 0xffff_ffff) {
      throw new ProtocolError('flow_control', 'credit grew past 2^32-1 bytes');
    }
  }
}

/** The receiving half: checks the sender and decides when to refill it. */
export class ReceiveWindow {
  readonly #window: number;
  #outstanding = 0;
  #unacknowledged = 0;

  constructor(window: number) {
    this.#window = window;
  }

  /** Bytes the sender may still send before it needs more credit. */
  get remaining(): number {
    return this.#window - this.#outstanding;
  }

  /** Records bytes that arrived; a sender past its credit broke the rules. */
  received(bytes: number): void {
    if (this.#outstanding + bytes > this.#window) {
      throw new ProtocolError(
        'flow_control',
        `${bytes} bytes arrived with only ${this.remaining} bytes of credit`,
      );
    }
    this.#outstanding += bytes;
  }

  /**
   * Records bytes the consumer took. Returns the credit to send back, or 0
   * while it is not worth a frame yet (under half a window), so credit
   * frames stay few. Once everything received was consumed the credit goes
   * back at once, however small: a sender may also be held by a cap over
   * all its streams (the peer's bytes in flight), and with many streams
   * each could sit below half a window for ever, waiting for the others.
   */
  consumed(bytes: number): number {
    this.#unacknowledged += bytes;
    if (this.#unacknowledged < this.#window / 2 && this.#outstanding > this.#unacknowledged) {
      return 0;
    }
    const grant = this.#unacknowledged;
    this.#outstanding -= grant;
    this.#unacknowledged = 0;
    return grant;
  }
}
