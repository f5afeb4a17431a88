import { createConnection, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';

/**
 * A TCP relay of the test's own between a peer and its room (the kernel
 * here has no netem): every chunk is delayed by a latency plus a random
 * jitter, in order, as a slow and uneven network would carry it; `cut`
 * holds everything in both directions without closing anything, as a
 * pulled cable does, and `restore` lets it through again.
 */
export class DelayRelay {
  latencyMs: number;
  jitterMs: number;
  readonly #target: { host: string; port: number };
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #held: Array<() => void> = [];
  #cut = false;
  port = 0;
  /** Connections the relay accepted (each partysocket attempt is one). */
  accepted = 0;

  constructor(target: { host: string; port: number }, latencyMs = 0, jitterMs = 0) {
    this.#target = target;
    this.latencyMs = latencyMs;
    this.jitterMs = jitterMs;
    this.#server = createServer((client) => this.#accept(client));
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.port = (this.#server.address() as { port: number }).port;
    return this;
  }

  /** Holds every byte in both directions until `restore`. */
  cut(): void {
    this.#cut = true;
  }

  restore(): void {
    this.#cut = false;
    for (const deliver of this.#held.splice(0)) deliver();
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #accept(client: Socket): void {
    this.accepted += 1;
    const upstream = createConnection(this.#target);
    for (const socket of [client, upstream]) {
      this.#sockets.add(socket);
      socket.setNoDelay(true);
      socket.once('close', () => this.#sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    this.#pipe(client, upstream);
    this.#pipe(upstream, client);
  }

  #pipe(from: Socket, to: Socket): void {
    // One queue per direction and one timer for its head: separate timers
    // per chunk could fire out of order once their delays are rounded.
    const queue: Array<{ at: number; action: () => void }> = [];
    let timer: NodeJS.Timeout | undefined;
    let lastAt = 0;
    const flush = () => {
      timer = undefined;
      const now = Date.now();
      while (queue.length > 0 && queue[0]!.at <= now) {
        const { action } = queue.shift()!;
        if (this.#cut) this.#held.push(action);
        else action();
      }
      if (queue.length > 0) timer = setTimeout(flush, Math.max(1, queue[0]!.at - now));
    };
    const later = (action: () => void) => {
      const now = Date.now();
      // Each chunk leaves no earlier than the one before it: a stream keeps its order.
      lastAt = Math.max(lastAt, now + this.latencyMs + Math.random() * this.jitterMs);
      queue.push({ at: lastAt, action });
      if (!timer) flush();
    };
    from.on('data', (chunk: Buffer) => later(() => to.write(chunk)));
    from.on('end', () => later(() => to.end()));
    from.on('close', () => later(() => to.destroy()));
  }
}
